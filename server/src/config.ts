import { fileURLToPath } from 'node:url';
import { emptyAsUndefined, env, parseEnv, type ConfigProblem, type LogLevel } from '@tieout/config';
import { z } from 'zod';
import { defaultAwarenessLimits, type AwarenessLimits } from './awareness-guard.ts';
import { DEFAULT_AFTER_PERSIST_INTERVAL_MS, DEFAULT_AFTER_PERSIST_MAX_INTERVAL_MS, type LifecycleOptions } from './lifecycle.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CollabLimits extends AwarenessLimits {
  /** Largest accepted frame, in bytes (4413 above it). */
  maxMessageBytes: number;
  /** Largest document, estimated from its stored state plus accepted updates (4413 above it). */
  maxDocumentBytes: number;
  /** Open connections one user may hold on this process (4429 above it). */
  maxConnectionsPerUser: number;
  /** Sustained messages per second per connection (token bucket refill rate). */
  messagesPerSecond: number;
  /** Bucket size: messages a connection may send in a burst. */
  messageBurst: number;
  /** Frames buffered while a connection is being authorized. */
  maxQueuedBeforeAuth: number;
  /** Outgoing bytes buffered for a slow client before it is disconnected. */
  maxBufferedBytes: number;
}

export interface CollabTiming {
  /** A document's pending updates are written at most this long after the first of them arrived. */
  persistWindowMs: number;
  /** ...or as soon as they add up to this many bytes. */
  persistMaxBatchBytes: number;
  /** First and largest delay between retries of a failed write. */
  persistRetryMinMs: number;
  persistRetryMaxMs: number;
  /** Compact a document once this many log rows follow its snapshot. */
  compactAfterUpdates: number;
  /** A document without connections is written, compacted and dropped from memory after this delay. */
  unloadDelayMs: number;
  /** How often open connections' membership and role are checked again. */
  membershipRecheckMs: number;
  /** WebSocket ping interval; a client that misses a pong is dropped. */
  pingIntervalMs: number;
  /** How long shutdown waits for pending writes. */
  shutdownTimeoutMs: number;
}

export const defaultLimits: CollabLimits = {
  maxMessageBytes: 1024 * 1024,
  maxDocumentBytes: 32 * 1024 * 1024,
  maxConnectionsPerUser: 20,
  messagesPerSecond: 60,
  messageBurst: 300,
  maxQueuedBeforeAuth: 100,
  maxBufferedBytes: 16 * 1024 * 1024,
  ...defaultAwarenessLimits,
};

/** An hour: a longer spacing would leave the projection, audit trail and search index that far behind. */
const MAX_AFTER_PERSIST_MS = 3_600_000;

export const defaultTiming: CollabTiming = {
  persistWindowMs: 100,
  persistMaxBatchBytes: 256 * 1024,
  persistRetryMinMs: 250,
  persistRetryMaxMs: 15_000,
  compactAfterUpdates: 200,
  unloadDelayMs: 30_000,
  membershipRecheckMs: 5_000,
  pingIntervalMs: 30_000,
  shutdownTimeoutMs: 10_000,
};

/** What tunes a collaboration server wherever it runs: standalone or attached to the app's HTTP server. */
const tuningSchema = z.object({
  REDIS_URL: env.optionalUrl(/^rediss?$/),
  REDIS_KEY_PREFIX: env.string('tieout:collab:'),
  COLLAB_MAX_MESSAGE_BYTES: env.positiveInt(defaultLimits.maxMessageBytes),
  COLLAB_MAX_DOCUMENT_BYTES: env.positiveInt(defaultLimits.maxDocumentBytes),
  COLLAB_MAX_CONNECTIONS_PER_USER: env.positiveInt(defaultLimits.maxConnectionsPerUser),
  COLLAB_MESSAGES_PER_SECOND: env.positiveInt(defaultLimits.messagesPerSecond),
  COLLAB_MESSAGE_BURST: env.positiveInt(defaultLimits.messageBurst),
  COLLAB_MAX_AWARENESS_STATE_BYTES: env.positiveInt(defaultLimits.maxAwarenessStateBytes),
  COLLAB_AWARENESS_BYTES_PER_SECOND: env.positiveInt(defaultLimits.awarenessBytesPerSecond),
  COLLAB_AWARENESS_BURST_BYTES: env.positiveInt(defaultLimits.awarenessBurstBytes),
  COLLAB_PERSIST_WINDOW_MS: env.positiveInt(defaultTiming.persistWindowMs),
  COLLAB_COMPACT_AFTER_UPDATES: env.positiveInt(defaultTiming.compactAfterUpdates),
  COLLAB_UNLOAD_DELAY_MS: env.positiveInt(defaultTiming.unloadDelayMs),
  COLLAB_MEMBERSHIP_RECHECK_MS: env.positiveInt(defaultTiming.membershipRecheckMs),
  // Spacing of the extensions' afterPersist runs per document (decision 175): 0 runs them after every persistence window.
  COLLAB_AFTER_PERSIST_INTERVAL_MS: env.int(DEFAULT_AFTER_PERSIST_INTERVAL_MS, 0, MAX_AFTER_PERSIST_MS),
  // Unset: the larger of 5 s and the interval.
  COLLAB_AFTER_PERSIST_MAX_INTERVAL_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(MAX_AFTER_PERSIST_MS).optional()),
});

/** Checks across the tuning variables, for both readers below. */
function tuningRules(v: z.infer<typeof tuningSchema>): (ConfigProblem | false)[] {
  return [
    v.COLLAB_AFTER_PERSIST_MAX_INTERVAL_MS !== undefined &&
      v.COLLAB_AFTER_PERSIST_MAX_INTERVAL_MS < v.COLLAB_AFTER_PERSIST_INTERVAL_MS && {
        variable: 'COLLAB_AFTER_PERSIST_MAX_INTERVAL_MS',
        message: `must be at least COLLAB_AFTER_PERSIST_INTERVAL_MS (${v.COLLAB_AFTER_PERSIST_INTERVAL_MS})`,
      },
  ];
}

const envSchema = tuningSchema.extend({
  NODE_ENV: env.nodeEnv(),
  PORT: env.port(1234),
  HOST: env.string('0.0.0.0'),
  DATABASE_URL: env.optionalUrl(/^postgres(ql)?$/),
  PGLITE_DATA_DIR: env.optionalString(),
  SUPABASE_JWT_SECRET: env.optionalSecret(32),
  SUPABASE_URL: env.optionalUrl(/^https?$/),
  JWT_AUDIENCE: env.string('authenticated'),
  LOG_LEVEL: env.logLevel('info'),
  COLLAB_METRICS_TOKEN: env.optionalSecret(16),
  COLLAB_MIGRATE: env.boolean(true),
});

export interface CollabConfig {
  port: number;
  host: string;
  database: { url?: string; pgliteDataDir: string; migrate: boolean };
  auth: { jwtSecret?: string; supabaseUrl?: string; audience: string };
  redis?: { url: string; keyPrefix: string };
  logLevel: LogLevel;
  /** Bearer token for /metrics; null: /metrics is not served (decision 105). */
  metricsToken: string | null;
  limits: CollabLimits;
  timing: CollabTiming;
  /** Spacing of the extensions' afterPersist runs (CollabServerOptions.afterPersist, decision 175). */
  afterPersist: Required<Pick<LifecycleOptions, 'afterPersistIntervalMs' | 'afterPersistMaxIntervalMs'>>;
}

export type CollabTuning = Pick<CollabConfig, 'redis' | 'limits' | 'timing' | 'afterPersist'>;

function tuningFrom(e: z.infer<typeof tuningSchema>): CollabTuning {
  return {
    redis: e.REDIS_URL ? { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX } : undefined,
    limits: {
      ...defaultLimits,
      maxMessageBytes: e.COLLAB_MAX_MESSAGE_BYTES,
      maxDocumentBytes: e.COLLAB_MAX_DOCUMENT_BYTES,
      maxConnectionsPerUser: e.COLLAB_MAX_CONNECTIONS_PER_USER,
      messagesPerSecond: e.COLLAB_MESSAGES_PER_SECOND,
      messageBurst: e.COLLAB_MESSAGE_BURST,
      maxAwarenessStateBytes: e.COLLAB_MAX_AWARENESS_STATE_BYTES,
      awarenessBytesPerSecond: e.COLLAB_AWARENESS_BYTES_PER_SECOND,
      awarenessBurstBytes: e.COLLAB_AWARENESS_BURST_BYTES,
    },
    timing: {
      ...defaultTiming,
      persistWindowMs: e.COLLAB_PERSIST_WINDOW_MS,
      compactAfterUpdates: e.COLLAB_COMPACT_AFTER_UPDATES,
      unloadDelayMs: e.COLLAB_UNLOAD_DELAY_MS,
      membershipRecheckMs: e.COLLAB_MEMBERSHIP_RECHECK_MS,
    },
    afterPersist: {
      afterPersistIntervalMs: e.COLLAB_AFTER_PERSIST_INTERVAL_MS,
      afterPersistMaxIntervalMs:
        e.COLLAB_AFTER_PERSIST_MAX_INTERVAL_MS ?? Math.max(e.COLLAB_AFTER_PERSIST_INTERVAL_MS, DEFAULT_AFTER_PERSIST_MAX_INTERVAL_MS),
    },
  };
}

/** Redis fan-out, limits and timing from the environment (REDIS_*, COLLAB_*), for a server attached to another app. */
export function loadCollabTuning(source: Record<string, string | undefined> = process.env): CollabTuning {
  return tuningFrom(parseEnv(tuningSchema, source, tuningRules));
}

/** Reads and validates the standalone server's environment; throws a ConfigError (@tieout/config) listing every problem. */
export function loadCollabConfig(source: Record<string, string | undefined> = process.env): CollabConfig {
  // No default secret, in any NODE_ENV (decision 100): the tokens come from the app's auth, so its secret (or the
  // hosted project's JWKS) must be named here.
  const e = parseEnv(envSchema, source, (v) => [
    ...tuningRules(v),
    !v.SUPABASE_JWT_SECRET &&
      !v.SUPABASE_URL && {
        variable: 'SUPABASE_JWT_SECRET',
        message:
          'required unless SUPABASE_URL is set: the secret the app signs access tokens with (at least 32 characters), ' +
          'or set SUPABASE_URL (a hosted project, whose JWKS is used); there is no default secret',
      },
  ]);
  return {
    port: e.PORT,
    host: e.HOST,
    database: { url: e.DATABASE_URL, pgliteDataDir: e.PGLITE_DATA_DIR ?? `${repoRoot}.data/pglite`, migrate: e.COLLAB_MIGRATE },
    auth: {
      jwtSecret: e.SUPABASE_JWT_SECRET,
      supabaseUrl: e.SUPABASE_URL,
      audience: e.JWT_AUDIENCE,
    },
    logLevel: e.LOG_LEVEL,
    metricsToken: e.COLLAB_METRICS_TOKEN ?? null,
    ...tuningFrom(e),
  };
}
