import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { migrate, openDatabase, type Database } from '@tieout/db';
import { createLogger, type Logger } from '@tieout/config';
import { attachCollabServer, type CollabServer, type CollabServerOptions } from './collab-server.ts';
import type { CollabConfig } from './config.ts';
import { defaultExtensions } from './extensions/index.ts';

export interface StandaloneCollabServer {
  collab: CollabServer;
  httpServer: Server;
  db: Database;
  port: number;
  /** Closes the collaboration server (flushing), the HTTP server and the database it opened. */
  close(): Promise<void>;
}

/**
 * Runs the collaboration server on its own HTTP server: sockets at /collab/<checklistId>, and
 * /healthz, /readyz, /metrics (also under /collab/...).
 */
export async function startCollabServer(
  config: CollabConfig,
  overrides: Partial<CollabServerOptions> & { logger?: Logger } = {},
): Promise<StandaloneCollabServer> {
  const logger = overrides.logger ?? createLogger('collab', { level: config.logLevel });
  const ownsDb = !overrides.db;
  const db = overrides.db ?? (await openDatabase({ url: config.database.url, dataDir: config.database.pgliteDataDir }));
  if (ownsDb && config.database.migrate) {
    const result = await migrate(db, { seedIfFresh: db.kind === 'pglite' });
    if (result.applied.length > 0) logger.info({ applied: result.applied, seeded: result.seeded }, 'database migrated');
  }
  const httpServer = createServer();
  const collab = attachCollabServer(httpServer, {
    auth: { jwtSecret: config.auth.jwtSecret, supabaseUrl: config.auth.supabaseUrl, audience: config.auth.audience },
    redis: config.redis,
    limits: config.limits,
    metricsToken: config.metricsToken,
    timing: config.timing,
    afterPersist: config.afterPersist,
    defaultMetrics: true,
    // The same after-write pipeline as the embedded server's (app/server.ts): projection, audit trail, versions.
    extensions: defaultExtensions({ db, sharedRooms: config.redis ? config.afterPersist : undefined }),
    ...overrides,
    db,
    logger,
  });
  httpServer.on('request', (request, response) => {
    if (collab.handleHttp(request, response, '') || collab.handleHttp(request, response)) return;
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  // Upgrades outside /collab have no handler here: refuse them instead of leaving the socket open.
  httpServer.on('upgrade', (request, socket) => {
    if (!(request.url ?? '').startsWith(`${collab.basePath}/`)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  logger.info({ port, database: db.kind, redis: Boolean(config.redis) }, 'collaboration server listening');
  let closing: Promise<void> | null = null;
  return {
    collab,
    httpServer,
    db,
    port,
    close: () =>
      (closing ??= (async () => {
        await collab.close();
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        if (ownsDb) await db.close();
      })()),
  };
}
