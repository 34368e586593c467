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
import { attachCollabServer, defaultExtensions, loadCollabTuning, ConfigError as CollabConfigError, type CollabTuning } from '@tieout/server';
import { dirname } from 'node:path';
import { clientAddress, isSecureRequest, mountFetchHandler } from './server/auth-api.ts';
import { refuseCrossOriginWrites } from './server/origin-check.ts';
import { securityHeaders } from './server/security-headers.ts';
import { appUrlFrom, createMailer, startMail } from './server/mail.ts';
import { startFiles } from './server/files.ts';
import { ConfigError, loadConfig, SIGN_IN_LIMIT_WINDOW_SECONDS, trustedProxyList, withInstanceJwtSecret, withListeningPort, type AppConfig } from './server/config.ts';

let startupConfig: AppConfig<string | null>;
// Redis fan-out, limits and timing of the collaboration server hosted here (REDIS_URL, COLLAB_*).
let collabTuning: CollabTuning;
try {
  startupConfig = loadConfig(process.env);
  collabTuning = loadCollabTuning(process.env);
} catch (error) {
  if (error instanceof ConfigError || error instanceof CollabConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const db = await openDatabase({ url: startupConfig.database.url, dataDir: startupConfig.database.pgliteDataDir });
const migration = await migrate(db, { seedIfFresh: true });
if (migration.applied.length) console.log(`Applied migrations: ${migration.applied.join(', ')}`);
if (migration.seeded) console.log('Seeded the demo data');
// No well-known secret: without SUPABASE_JWT_SECRET an embedded instance signs with its own, made on first start
// and kept in its database (decision 100).
let config: AppConfig = await withInstanceJwtSecret(startupConfig, () => instanceSecret(db, 'jwt_secret'));
// Whose X-Forwarded-For is believed (TRUSTED_PROXIES; decision 102).
const addresses = { trustedProxies: trustedProxyList(config.trustedProxies), internalHopToken: config.internalHopToken };
// Evidence files: storage (a folder next to the embedded database, or Supabase Storage), signed links, extraction.
const files = await startFiles(db, process.env, dirname(config.database.pgliteDataDir));

// Email (SMTP_URL, else files in .data/mail); a bad SMTP_URL or PUBLIC_APP_URL stops the start.
let mailer: ReturnType<typeof createMailer>;
try {
  mailer = createMailer(process.env, startupConfig.database.pgliteDataDir);
  appUrlFrom(process.env, 0);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
let outbox: ReturnType<typeof startMail> | null = null;

const app = express();
const httpServer = createServer(app);
app.disable('x-powered-by');
app.use(securityHeaders({ isSecure: (req) => isSecureRequest(req, { ...addresses, secureCookies: config.secureCookies }) }));
app.use(compression());

const viteDevServer = config.isProduction
  ? undefined
  : await import('vite').then((vite) =>
      vite.createServer({ server: { middlewareMode: true, hmr: { server: httpServer } }, appType: 'custom' }),
    );

if (config.auth.mode === 'embedded') {
  const rateLimit = { signInPerAddress: { max: config.auth.signInLimitPerAddress, windowSeconds: SIGN_IN_LIMIT_WINDOW_SECONDS } };
  app.use('/auth/v1', mountFetchHandler(createEmbeddedAuthApi({ db, jwtSecret: config.auth.jwtSecret, rateLimit }), addresses));
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
      extensions: defaultExtensions({ db }),
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
    getLoadContext: (req) => ({
      db,
      config,
      files,
      clientAddress: clientAddress(req, addresses),
      secure: isSecureRequest(req, { ...addresses, secureCookies: config.secureCookies }),
    }),
  }),
);

httpServer.listen(config.port, config.host, () => {
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  config = withListeningPort(config, port);
  outbox = startMail(db, mailer, appUrlFrom(process.env, port));
  console.log(`Tieout listening on http://localhost:${port} (${db.kind}, auth ${config.auth.mode}${config.collabUrl ? `, collab at ${config.collabUrl}` : ', collab embedded'})`);
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
