import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defaultAwarenessLimits, type AwarenessLimits } from './awareness-guard.ts';

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

const emptyAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().min(1).optional());
const optionalUrl = (protocols: RegExp) => z.preprocess(emptyAsUndefined, z.url({ protocol: protocols }).optional());
const positiveInt = (fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(fallback));

/** What tunes a collaboration server wherever it runs: standalone or attached to the app's HTTP server. */
const tuningSchema = z.object({
  REDIS_URL: optionalUrl(/^rediss?$/),
  REDIS_KEY_PREFIX: z.string().default('tieout:collab:'),
  COLLAB_MAX_MESSAGE_BYTES: positiveInt(defaultLimits.maxMessageBytes),
  COLLAB_MAX_DOCUMENT_BYTES: positiveInt(defaultLimits.maxDocumentBytes),
  COLLAB_MAX_CONNECTIONS_PER_USER: positiveInt(defaultLimits.maxConnectionsPerUser),
  COLLAB_MESSAGES_PER_SECOND: positiveInt(defaultLimits.messagesPerSecond),
  COLLAB_MESSAGE_BURST: positiveInt(defaultLimits.messageBurst),
  COLLAB_MAX_AWARENESS_STATE_BYTES: positiveInt(defaultLimits.maxAwarenessStateBytes),
  COLLAB_AWARENESS_BYTES_PER_SECOND: positiveInt(defaultLimits.awarenessBytesPerSecond),
  COLLAB_AWARENESS_BURST_BYTES: positiveInt(defaultLimits.awarenessBurstBytes),
  COLLAB_PERSIST_WINDOW_MS: positiveInt(defaultTiming.persistWindowMs),
  COLLAB_COMPACT_AFTER_UPDATES: positiveInt(defaultTiming.compactAfterUpdates),
  COLLAB_UNLOAD_DELAY_MS: positiveInt(defaultTiming.unloadDelayMs),
  COLLAB_MEMBERSHIP_RECHECK_MS: positiveInt(defaultTiming.membershipRecheckMs),
});

const envSchema = tuningSchema.extend({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(1234)),
  HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
  DATABASE_URL: optionalUrl(/^postgres(ql)?$/),
  PGLITE_DATA_DIR: optionalString,
  SUPABASE_JWT_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'SUPABASE_JWT_SECRET must be at least 32 characters').optional()),
  SUPABASE_URL: optionalUrl(/^https?$/),
  JWT_AUDIENCE: z.string().default('authenticated'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  COLLAB_METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'COLLAB_METRICS_TOKEN must be at least 16 characters').optional()),
  COLLAB_MIGRATE: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
});


export interface CollabConfig {
  port: number;
  host: string;
  database: { url?: string; pgliteDataDir: string; migrate: boolean };
  auth: { jwtSecret?: string; supabaseUrl?: string; audience: string };
  redis?: { url: string; keyPrefix: string };
  logLevel: string;
  /** Bearer token for /metrics; null: /metrics is not served (decision 105). */
  metricsToken: string | null;
  limits: CollabLimits;
  timing: CollabTiming;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type CollabTuning = Pick<CollabConfig, 'redis' | 'limits' | 'timing'>;

function parseEnv<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`Invalid collaboration server configuration: ${problems}`);
  }
  return parsed.data;
}

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
  };
}

/** Redis fan-out, limits and timing from the environment (REDIS_*, COLLAB_*), for a server attached to another app. */
export function loadCollabTuning(env: Record<string, string | undefined> = process.env): CollabTuning {
  return tuningFrom(parseEnv(tuningSchema, env));
}

/** Reads and validates the standalone server's environment; throws ConfigError listing every problem. */
export function loadCollabConfig(env: Record<string, string | undefined> = process.env): CollabConfig {
  const e = parseEnv(envSchema, env);
  // No default secret, in any NODE_ENV (decision 100): the tokens come from the app's auth, so its secret (or the
  // hosted project's JWKS) must be named here.
  if (!e.SUPABASE_JWT_SECRET && !e.SUPABASE_URL) {
    throw new ConfigError(
      'Invalid collaboration server configuration: set SUPABASE_JWT_SECRET (the secret the app signs access tokens with, ' +
        'at least 32 characters) or SUPABASE_URL (a hosted project, whose JWKS is used); there is no default secret',
    );
  }
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
