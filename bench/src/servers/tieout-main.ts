import { loadCollabConfig, startCollabServer } from '@tieout/server';
import { serveChild } from './child.ts';

/**
 * Tieout's collaboration server as deployed standalone (startCollabServer with the production
 * configuration read from the environment): token and membership checks, Postgres persistence.
 * Logging is at "warn" so the console stays readable, as the other servers log nothing per connection.
 */
const databaseUrl = process.env.BENCH_DATABASE_URL;
const jwtSecret = process.env.BENCH_JWT_SECRET;
if (!databaseUrl || !jwtSecret) throw new Error('BENCH_DATABASE_URL and BENCH_JWT_SECRET are required');

await serveChild(async () => {
  const config = loadCollabConfig({
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    SUPABASE_JWT_SECRET: jwtSecret,
    COLLAB_MIGRATE: 'false',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const server = await startCollabServer(config);
  return { port: server.port, close: () => server.close() };
});
