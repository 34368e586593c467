import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CollabServer } from './collab-server.ts';

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

/** Whether the request may read /metrics (decision 105): open when no token is configured at all (tests). */
function metricsAllowed(server: CollabServer, request: IncomingMessage): boolean | 'not_served' {
  const expected = server.metricsToken;
  if (expected === undefined) return true;
  if (expected === null) return 'not_served';
  const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * /healthz (process alive) and /readyz (database, Redis, persistence all well) are public, for load balancers;
 * /metrics (Prometheus text) needs COLLAB_METRICS_TOKEN as a bearer token, and is not served without one.
 */
export function handleHttpEndpoint(server: CollabServer, request: IncomingMessage, response: ServerResponse, basePath: string): boolean {
  const { pathname } = new URL(request.url ?? '/', 'http://collab.invalid');
  const prefix = basePath.replace(/\/$/, '');
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  switch (pathname) {
    case `${prefix}/healthz`:
      json(response, 200, { status: 'ok' });
      return true;
    case `${prefix}/readyz`:
      void server.readiness().then(
        (readiness) => json(response, readiness.ready ? 200 : 503, readiness),
        (error: unknown) => json(response, 503, { ready: false, error: String(error) }),
      );
      return true;
    case `${prefix}/metrics`: {
      const allowed = metricsAllowed(server, request);
      if (allowed === 'not_served') return false;
      if (!allowed) {
        response.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"' });
        response.end('metrics need Authorization: Bearer <COLLAB_METRICS_TOKEN>');
        return true;
      }
      void server.metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': server.metrics.registry.contentType });
          response.end(text);
        },
        (error: unknown) => json(response, 500, { error: String(error) }),
      );
      return true;
    }
    default:
      return false;
  }
}
