/*
 * One process for the whole app in embedded mode: PGlite allows a single writer, so the Remix app,
 * the Supabase-compatible auth API (/auth/v1) and the collaboration server (/collab) share one Database.
 * With SUPABASE_URL (hosted auth) or COLLAB_URL (separate collab server) those parts are left out.
 */
import { createServer } from 'node:http';
import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import compression from 'compression';
import express from 'express';
import { createEmbeddedAuthApi } from '@tieout/auth';
import { instanceSecret, migrate, openDatabase } from '@tieout/db';
import { ConfigError, createLogger, readAll } from '@tieout/config';
import { loadFilesConfig } from '@tieout/files';
import { attachCollabServer, defaultExtensions, loadCollabTuning, versionTimingFromEnv } from '@tieout/server';
import { dirname } from 'node:path';
import { clientAddress, isSecureRequest, mountFetchHandler } from './server/auth-api.ts';
import { refuseCrossOriginWrites } from './server/origin-check.ts';
import { cspNonceOf, securityHeaders } from './server/security-headers.ts';
import { appUrlFrom, createMailer, startMail } from './server/mail.ts';
import { startFiles } from './server/files.ts';
import {
  loadConfig,
  pgliteDataDirFrom,
  SIGN_IN_LIMIT_WINDOW_SECONDS,
  trustedProxyList,
  withInstanceJwtSecret,
  withListeningPort,
  type AppConfig,
} from './server/config.ts';

// Every variable is read at start: the app's, the hosted collaboration server's (REDIS_URL, COLLAB_*: fan-out,
// limits, timing, versions), files (FILES_*) and email (SMTP_URL, MAIL_*, PUBLIC_APP_URL). A bad value stops the
// process with every problem listed in one fatal log line (@tieout/config, decision 014).
const env = process.env;
const dataDir = dirname(pgliteDataDirFrom(env));
function readConfig() {
  return readAll(
    () => loadConfig(env),
    () => loadCollabTuning(env),
    () => versionTimingFromEnv(env),
    () => loadFilesConfig(env, { dataDir }),
    () => createMailer(env, pgliteDataDirFrom(env)),
    () => appUrlFrom(env, 0),
  );
}
let settings: ReturnType<typeof readConfig>;
try {
  settings = readConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    createLogger('tieout', { level: 'fatal' }).fatal({ problems: error.problems }, error.message);
    process.exit(1);
  }
  throw error;
}
const [startupConfig, collabTuning, versions, filesConfig, mailer] = settings;
// pino, JSON lines on stdout at LOG_LEVEL; each part logs as a child (component: auth, collab, files, mail).
const logger = createLogger('tieout', { level: startupConfig.logLevel });

const db = await openDatabase({ url: startupConfig.database.url, dataDir: startupConfig.database.pgliteDataDir });
const migration = await migrate(db, { seedIfFresh: true });
if (migration.applied.length || migration.seeded) logger.info({ applied: migration.applied, seeded: migration.seeded }, 'database migrated');
// No well-known secret: without SUPABASE_JWT_SECRET an embedded instance signs with its own, made on first start
// and kept in its database (decision 100).
let config: AppConfig = await withInstanceJwtSecret(startupConfig, () => instanceSecret(db, 'jwt_secret'));
// Whose X-Forwarded-For is believed (TRUSTED_PROXIES; decision 102).
const addresses = { trustedProxies: trustedProxyList(config.trustedProxies), internalHopToken: config.internalHopToken };
// Evidence files: storage (a folder next to the embedded database, or Supabase Storage), signed links, extraction.
const files = await startFiles(db, filesConfig, logger.child({ component: 'files' }));

// Email (SMTP_URL, else files in .data/mail) goes out from the outbox once the server listens.
let outbox: ReturnType<typeof startMail> | null = null;

const app = express();
const httpServer = createServer(app);
app.disable('x-powered-by');
app.use(securityHeaders({ isSecure: (req) => isSecureRequest(req, { ...addresses, secureCookies: config.secureCookies }) }));
app.use(compression());

const viteDevServer = config.isProduction
  ? undefined
  : await import('vite').then((vite) => vite.createServer({ server: { middlewareMode: true, hmr: { server: httpServer } }, appType: 'custom' }));

if (config.auth.mode === 'embedded') {
  const rateLimit = { signInPerAddress: { max: config.auth.signInLimitPerAddress, windowSeconds: SIGN_IN_LIMIT_WINDOW_SECONDS } };
  // Sign-up is confirmed by a mailed link, and answers a taken address like a new one (decision 115).
  const confirmation = { mailer, siteUrl: () => appUrlFrom(env, config.port) };
  app.use(
    '/auth/v1',
    mountFetchHandler(
      createEmbeddedAuthApi({ db, jwtSecret: config.auth.jwtSecret, logger: logger.child({ component: 'auth' }), rateLimit, confirmation }),
      addresses,
    ),
  );
}

const collab = config.collabUrl
  ? null
  : attachCollabServer(httpServer, {
      ...collabTuning,
      db,
      auth: {
        jwtSecret: config.auth.jwtSecret,
        supabaseUrl: config.auth.mode === 'hosted' ? config.auth.supabaseUrl : undefined,
      },
      // The same after-write pipeline as the standalone server's (server/src/standalone.ts).
      extensions: defaultExtensions({ db, versions, sharedRooms: collabTuning.redis ? collabTuning.afterPersist : undefined }),
      logger: logger.child({ component: 'collab' }),
      defaultMetrics: true,
      metricsToken: config.collabMetricsToken,
    });
if (collab) {
  // /collab/healthz, /collab/readyz, /collab/metrics and the same at the root.
  app.use((req, res, next) => {
    if (!collab.handleHttp(req, res) && !collab.handleHttp(req, res, '')) next();
  });
}
if (config.isProduction) {
  // No other websockets in production (in development Vite's HMR socket shares this server).
  httpServer.on('upgrade', (req, socket) => {
    if (!collab || !(req.url ?? '').startsWith(`${collab.basePath}/`)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
}

if (viteDevServer) {
  app.use(viteDevServer.middlewares);
} else {
  const clientDir = new URL('./build/client/', import.meta.url).pathname;
  app.use('/assets', express.static(`${clientDir}assets`, { immutable: true, maxAge: '1y' }));
  app.use(
    express.static(clientDir, {
      maxAge: '1h',
      // The service worker is checked for a new build on every visit, never taken from the HTTP cache.
      setHeaders: (res, path) => {
        if (path.endsWith('/sw.js')) res.setHeader('Cache-Control', 'no-cache');
      },
    }),
  );
}

const build = viteDevServer
  ? () => viteDevServer.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>
  : ((await import(new URL('./build/server/index.js', import.meta.url).href)) as ServerBuild);

// Every action, /logout included, is refused when another site's page sends it (decision 105).
app.all(
  '*',
  refuseCrossOriginWrites(),
  createRequestHandler({
    build,
    mode: config.isProduction ? 'production' : 'development',
    getLoadContext: (req, res) => ({
      db,
      config,
      logger,
      files,
      clientAddress: clientAddress(req, addresses),
      secure: isSecureRequest(req, { ...addresses, secureCookies: config.secureCookies }),
      // This response's CSP nonce for Remix's scripts (decision 105).
      cspNonce: cspNonceOf(res),
    }),
  }),
);

httpServer.listen(config.port, config.host, () => {
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  config = withListeningPort(config, port);
  outbox = startMail(db, mailer, appUrlFrom(env, port), logger.child({ component: 'mail' }));
  logger.info(
    { url: `http://localhost:${port}`, port, database: db.kind, auth: config.auth.mode, collab: config.collabUrl ?? 'embedded' },
    `Tieout listening on http://localhost:${port}`,
  );
});

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    httpServer.close();
    httpServer.closeAllConnections();
    void (async () => {
      // The collab server flushes pending document updates before the database closes.
      await Promise.allSettled([collab?.close(), viteDevServer?.close(), outbox?.close(), files.close()]);
      await db.close().catch(() => {});
      process.exit(0);
    })();
  });
}
