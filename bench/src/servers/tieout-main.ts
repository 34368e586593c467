import { openDatabase } from '@tieout/db';
import { defaultExtensions, loadCollabConfig, startCollabServer, type CollabExtension } from '@tieout/server';
import { serveChild } from './child.ts';

/**
 * Tieout's collaboration server as deployed standalone (startCollabServer with the production
 * configuration read from the environment): token and membership checks, Postgres persistence, and
 * every extension `defaultExtensions` installs (projection, audit trail, versions, search index, review rule).
 * Logging is at "warn" so the console stays readable, as the other servers log nothing per connection.
 *
 * BENCH_TIEOUT_AFTER_PERSIST=off runs the same extensions without their afterPersist hooks (the "no after-persist
 * work" variant the bench compares with, to measure that work's share of the server's CPU); REDIS_URL (the
 * two-process variant) is read by loadCollabConfig like in a deployment. BENCH_AFTER_PERSIST_INTERVAL_MS=N fixes the
 * spacing of afterPersist runs at N ms (0: every persistence window, as before decision 175) for an A/B run by hand;
 * BENCH_AFTER_PERSIST_ONLY=projection,audit-trail keeps the afterPersist hooks of the named extensions only (the share
 * of each extension on its own, by hand); BENCH_AFTER_PERSIST_ONLY=none keeps none, so the pair is the same server twice
 * (the A/A check of decision 179). A name that is not an installed extension's is refused.
 */
const databaseUrl = process.env.BENCH_DATABASE_URL;
const jwtSecret = process.env.BENCH_JWT_SECRET;
if (!databaseUrl || !jwtSecret) throw new Error('BENCH_DATABASE_URL and BENCH_JWT_SECRET are required');
const afterPersist = process.env.BENCH_TIEOUT_AFTER_PERSIST ?? 'on';
if (afterPersist !== 'on' && afterPersist !== 'off') throw new Error(`BENCH_TIEOUT_AFTER_PERSIST must be on or off (got "${afterPersist}")`);

/** The extension without its afterPersist hook (its other hooks, e.g. the review rule's beforeApplyUpdate, stay). */
function withoutAfterPersist(extension: CollabExtension): CollabExtension {
  const { afterPersist: _dropped, ...rest } = extension;
  return rest;
}

const intervalSetting = process.env.BENCH_AFTER_PERSIST_INTERVAL_MS;
const fixedInterval = intervalSetting === undefined || intervalSetting === '' ? null : Number(intervalSetting);
if (fixedInterval !== null && !(Number.isInteger(fixedInterval) && fixedInterval >= 0)) {
  throw new Error(`BENCH_AFTER_PERSIST_INTERVAL_MS must be a whole number of milliseconds ≥ 0 (got "${intervalSetting}")`);
}

const only = process.env.BENCH_AFTER_PERSIST_ONLY ? new Set(process.env.BENCH_AFTER_PERSIST_ONLY.split(',')) : null;

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
  const db = await openDatabase({ url: config.database.url });
  const installed = defaultExtensions({ db });
  const unknown = [...(only ?? [])].filter((name) => name !== 'none' && !installed.some((extension) => extension.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_AFTER_PERSIST_ONLY names no installed extension: ${unknown.join(', ')} (installed: ${installed.map((e) => e.name).join(', ')}, or none)`,
    );
  }
  const server = await startCollabServer(config, {
    db,
    extensions: installed.map((extension) =>
      afterPersist === 'on' && (!only || only.has(extension.name)) ? extension : withoutAfterPersist(extension),
    ),
    ...(fixedInterval === null ? {} : { afterPersist: { afterPersistIntervalMs: fixedInterval, afterPersistMaxIntervalMs: fixedInterval } }),
  });
  return {
    port: server.port,
    close: async () => {
      await server.close();
      await db.close();
    },
  };
});
