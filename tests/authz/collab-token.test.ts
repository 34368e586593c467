import { createTokenVerifier } from '@tieout/auth';
import type { Database } from '@tieout/db';
import { openScratchDatabase } from '@tieout/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppHarness, loadRoute, type AppHarness, type RouteModule } from './support/app-routes.ts';
import { buildAuthzWorld, type AuthzWorld } from './support/fixtures.ts';

// The live checklist refreshes its collaboration token here (app/app/routes/collab-token.ts).
let db: Database;
let dispose: () => Promise<void>;
let world: AuthzWorld;
let harness: AppHarness;
let route: RouteModule;

beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'authz_collab_token' }));
  world = await buildAuthzWorld(db);
  harness = await createAppHarness(db, [world.A.members.editor, world.A.members.viewer]);
  route = await loadRoute('collab-token.ts');
});
afterAll(async () => dispose?.());

describe('the collaboration token route', () => {
  it('gives a signed-in person a verifiable token of their own, with its expiry, never cached', async () => {
    const editor = world.A.members.editor;
    const outcome = await harness.call(route, 'loader', { path: '/collab-token', params: {}, cookie: await harness.cookieFor(editor) });
    expect(outcome.status).toBe(200);
    const body = JSON.parse(outcome.data as string) as { token: string; expiresAt: number };
    const claims = await createTokenVerifier({ jwtSecret: harness.context.config.auth.jwtSecret })(body.token);
    expect(claims.sub).toBe(editor.id);
    expect(body.expiresAt).toBe(claims.exp);
    expect(body.expiresAt * 1000).toBeGreaterThan(Date.now());
  });

  it('answers 401 in JSON, not a redirect to the sign-in page, without a session', async () => {
    const outcome = await harness.call(route, 'loader', { path: '/collab-token', params: {}, cookie: null });
    expect(outcome.status).toBe(401);
    expect(outcome.location).toBeNull();
    expect(JSON.parse(outcome.data as string)).toEqual({ error: 'Your session has ended: sign in again.' });
  });

  it('answers 401 once the session was signed out, although its access token has not expired (decision 103)', async () => {
    const viewer = world.A.members.viewer;
    const cookie = await harness.cookieFor(viewer);
    expect((await harness.call(route, 'loader', { path: '/collab-token', params: {}, cookie })).status).toBe(200);
    // What sign-out does to the session (packages/auth revokeSession): its refresh tokens are revoked.
    await db.asService((sql) => sql.query(`update auth.refresh_tokens set revoked = true where user_id = $1`, [viewer.id]));
    expect((await harness.call(route, 'loader', { path: '/collab-token', params: {}, cookie })).status).toBe(401);
  });

  it('answers 401 for a forged session cookie', async () => {
    const cookie = (await harness.cookieFor(world.A.members.viewer)).replace(/=([^;]{12})/, '=AAAAAAAAAAAA');
    const outcome = await harness.call(route, 'loader', { path: '/collab-token', params: {}, cookie });
    expect(outcome.status).toBe(401);
  });
});
