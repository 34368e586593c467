import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CollabServer } from './collab-server.ts';

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

/** /healthz (process alive), /readyz (database, Redis, persistence all well), /metrics (Prometheus text). */
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
    case `${prefix}/metrics`:
      void server.metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': server.metrics.registry.contentType });
          response.end(text);
        },
        (error: unknown) => json(response, 500, { error: String(error) }),
      );
      return true;
    default:
      return false;
  }
}
