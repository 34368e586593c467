import { describe, expect, it } from 'vitest';
import { loadCollabConfig } from '../src/index.ts';
import { JWT_SECRET, useCollabServer } from '../src/testing.ts';

/* Issue 10 (low), decision 105: /metrics is for the operator; /healthz and /readyz stay public for load balancers. */
const token = 'metrics-token-of-this-test-0123456789';
const t = useCollabServer({ server: { metricsToken: token } });

describe('/collab/metrics', () => {
  it('needs the bearer token; health and readiness do not', async () => {
    const base = t.server.url.replace(/^ws/, 'http');
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer wrong-token-0123456789abcdef' } })).status).toBe(401);
    const allowed = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('collab_connections');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('is not served at all by a deployment without COLLAB_METRICS_TOKEN', async () => {
    expect(loadCollabConfig({ SUPABASE_JWT_SECRET: JWT_SECRET }).metricsToken).toBeNull();
    expect(loadCollabConfig({ SUPABASE_JWT_SECRET: JWT_SECRET, COLLAB_METRICS_TOKEN: token }).metricsToken).toBe(token);
    expect(() => loadCollabConfig({ SUPABASE_JWT_SECRET: JWT_SECRET, COLLAB_METRICS_TOKEN: 'short' })).toThrow(/COLLAB_METRICS_TOKEN/);
    const closed = await t.startServer(t.db, { metricsToken: null });
    expect((await fetch(`${closed.url.replace(/^ws/, 'http')}/metrics`)).status).toBe(404);
  });
});
