import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const emptyAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalUrl = (protocols: RegExp) => z.preprocess(emptyAsUndefined, z.url({ protocol: protocols }).optional());
const optionalString = z.preprocess(emptyAsUndefined, z.string().min(1).optional());

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
  DATABASE_URL: optionalUrl(/^postgres(ql)?$/),
  PGLITE_DATA_DIR: optionalString,
  SUPABASE_URL: optionalUrl(/^https?$/),
  SUPABASE_ANON_KEY: optionalString,
  SUPABASE_JWT_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'SUPABASE_JWT_SECRET must be at least 32 characters').optional()),
  COLLAB_URL: optionalUrl(/^(wss?|https?)$/),
  AUTH_SIGN_IN_LIMIT_PER_ADDRESS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).default(60)),
});

/** The window of AUTH_SIGN_IN_LIMIT_PER_ADDRESS. */
export const SIGN_IN_LIMIT_WINDOW_SECONDS = 5 * 60;

export type AuthConfig =
  | {
      /** Supabase Auth is served by this process under /auth/v1 (backed by the same database). */
      mode: 'embedded';
      /** Where supabase-js (running in loaders and actions) reaches the auth API: this server's own origin. */
      supabaseUrl: string;
      anonKey: string;
      jwtSecret: string;
      usingDevelopmentSecret: boolean;
      /** Sign-in attempts accepted from one client address per SIGN_IN_LIMIT_WINDOW_SECONDS. */
      signInLimitPerAddress: number;
    }
  | { mode: 'hosted'; supabaseUrl: string; anonKey: string; jwtSecret: string | undefined; usingDevelopmentSecret: false };

export interface AppConfig {
  isProduction: boolean;
  port: number;
  host: string;
  database: { url: string | undefined; pgliteDataDir: string };
  auth: AuthConfig;
  /** A separately run collaboration server (ws:// or wss:// base URL); without it, this process hosts /collab. */
  collabUrl: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Anon key used when the auth API is embedded: supabase-js needs some key, and the embedded API accepts any. */
export const EMBEDDED_ANON_KEY = 'tieout-embedded-anon-key';

/**
 * Reads and checks the environment. `developmentJwtSecret` is the fallback secret for embedded mode only;
 * it is passed in so this module stays free of server-only imports (and testable).
 */
export function loadConfig(env: Record<string, string | undefined>, options: { developmentJwtSecret: string }): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new ConfigError(`Invalid environment:\n${problems}`);
  }
  const e = parsed.data;
  let auth: AuthConfig;
  if (e.SUPABASE_URL) {
    if (!e.SUPABASE_ANON_KEY) throw new ConfigError('SUPABASE_ANON_KEY is required when SUPABASE_URL is set');
    auth = {
      mode: 'hosted',
      supabaseUrl: e.SUPABASE_URL.replace(/\/$/, ''),
      anonKey: e.SUPABASE_ANON_KEY,
      jwtSecret: e.SUPABASE_JWT_SECRET,
      usingDevelopmentSecret: false,
    };
  } else {
    auth = {
      mode: 'embedded',
      supabaseUrl: `http://127.0.0.1:${e.PORT}`,
      anonKey: e.SUPABASE_ANON_KEY ?? EMBEDDED_ANON_KEY,
      jwtSecret: e.SUPABASE_JWT_SECRET ?? options.developmentJwtSecret,
      usingDevelopmentSecret: !e.SUPABASE_JWT_SECRET,
      signInLimitPerAddress: e.AUTH_SIGN_IN_LIMIT_PER_ADDRESS,
    };
  }
  return {
    isProduction: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    database: { url: e.DATABASE_URL, pgliteDataDir: e.PGLITE_DATA_DIR ?? `${repoRoot}.data/pglite` },
    auth,
    collabUrl: e.COLLAB_URL?.replace(/^http/, 'ws').replace(/\/$/, ''),
  };
}

/** Once the server listens on an ephemeral port (PORT=0), embedded supabase-js must use the real port. */
export function withListeningPort(config: AppConfig, port: number): AppConfig {
  if (config.auth.mode !== 'embedded' || port === config.port) return { ...config, port };
  return { ...config, port, auth: { ...config.auth, supabaseUrl: `http://127.0.0.1:${port}` } };
}
