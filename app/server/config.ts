import { randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { emptyAsUndefined, env, parseEnv, type LogLevel } from '@tieout/config';
import { z } from 'zod';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const envSchema = z.object({
  NODE_ENV: env.nodeEnv(),
  PORT: env.port(3000),
  HOST: env.string('0.0.0.0'),
  LOG_LEVEL: env.logLevel('info'),
  DATABASE_URL: env.optionalUrl(/^postgres(ql)?$/),
  PGLITE_DATA_DIR: env.optionalString(),
  SUPABASE_URL: env.optionalUrl(/^https?$/),
  SUPABASE_ANON_KEY: env.optionalString(),
  SUPABASE_JWT_SECRET: env.optionalSecret(32),
  COLLAB_URL: env.optionalUrl(/^(wss?|https?)$/),
  AUTH_SIGN_IN_LIMIT_PER_ADDRESS: env.positiveInt(60),
  SECURE_COOKIES: env.boolean(false),
  COLLAB_METRICS_TOKEN: env.optionalSecret(16),
  TRUSTED_PROXIES: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((value, ctx) => {
        const entries = (value ?? '')
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean);
        for (const entry of entries) {
          if (!parseProxyEntry(entry))
            ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)` });
        }
        return entries;
      }),
  ),
});

/** An IP address or CIDR range of TRUSTED_PROXIES, or null when it is neither. */
function parseProxyEntry(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText, ...rest] = entry.split('/');
  const version = isIP(address);
  if (!version || rest.length > 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The set of TRUSTED_PROXIES as a BlockList (node:net), which also matches IPv4-mapped IPv6 forms. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const parsed = parseProxyEntry(entry);
    if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return list;
}

/**
 * PGLITE_DATA_DIR, default <repo>/.data/pglite; other data (files, mail) goes next to it. Readable before the rest
 * of the config, so every group of variables can be checked at start together.
 */
export function pgliteDataDirFrom(source: Record<string, string | undefined>): string {
  const dir = source.PGLITE_DATA_DIR;
  return dir && dir.trim() ? dir : `${repoRoot}.data/pglite`;
}

/** The window of AUTH_SIGN_IN_LIMIT_PER_ADDRESS. */
export const SIGN_IN_LIMIT_WINDOW_SECONDS = 5 * 60;

/**
 * `Secret` is `string` once the process runs; at load time an embedded instance without SUPABASE_JWT_SECRET has
 * `null` there: its own secret, generated on first start and kept in its database, is read by `withInstanceJwtSecret`.
 */
export type AuthConfig<Secret extends string | null = string> =
  | {
      /** Supabase Auth is served by this process under /auth/v1 (backed by the same database). */
      mode: 'embedded';
      /** Where supabase-js (running in loaders and actions) reaches the auth API: this server's own origin. */
      supabaseUrl: string;
      anonKey: string;
      jwtSecret: Secret;
      /** 'environment': SUPABASE_JWT_SECRET; 'instance': generated for this instance and kept with its data. */
      jwtSecretSource: 'environment' | 'instance';
      /** Sign-in attempts accepted from one client address per SIGN_IN_LIMIT_WINDOW_SECONDS. */
      signInLimitPerAddress: number;
    }
  | { mode: 'hosted'; supabaseUrl: string; anonKey: string; jwtSecret: string | undefined; jwtSecretSource: 'environment' };

export interface AppConfig<Secret extends string | null = string> {
  isProduction: boolean;
  /** LOG_LEVEL: the level of the process's pino logger (default info). */
  logLevel: LogLevel;
  /**
   * Where a request's client address may come from X-Forwarded-For (decision 102): only when the connection comes
   * from one of these proxies (TRUSTED_PROXIES, IPs or CIDR ranges; default none), read from the right.
   */
  trustedProxies: readonly string[];
  /**
   * A random token of this process: supabase-js in loaders and actions sends it to this process's own /auth/v1 with
   * the browser's address, so that hop, and only that hop, may name the address rate limits apply to.
   */
  internalHopToken: string;
  /** Bearer token for /collab/metrics of the embedded collaboration server; null: not served (decision 105). */
  collabMetricsToken: string | null;
  /** SECURE_COOKIES=true: every browser reaches the app over TLS, whatever the connection says (decision 105). */
  secureCookies: boolean;
  port: number;
  host: string;
  database: { url: string | undefined; pgliteDataDir: string };
  auth: AuthConfig<Secret>;
  /** A separately run collaboration server (ws:// or wss:// base URL); without it, this process hosts /collab. */
  collabUrl: string | undefined;
}

/** Anon key used when the auth API is embedded: supabase-js needs some key, and the embedded API accepts any. */
export const EMBEDDED_ANON_KEY = 'tieout-embedded-anon-key';

/**
 * Reads and checks the environment. There is no default JWT secret: a hosted deployment in production must name
 * its project's (SUPABASE_JWT_SECRET), an app whose collaboration server runs elsewhere (COLLAB_URL) must share
 * one with it, and an embedded instance otherwise uses its own (`withInstanceJwtSecret`, decision 100).
 */
export function loadConfig(source: Record<string, string | undefined>): AppConfig<string | null> {
  const e = parseEnv(envSchema, source, (v) => [
    v.SUPABASE_URL && !v.SUPABASE_ANON_KEY && { variable: 'SUPABASE_ANON_KEY', message: 'required when SUPABASE_URL is set' },
    v.SUPABASE_URL &&
      v.NODE_ENV === 'production' &&
      !v.SUPABASE_JWT_SECRET && {
        variable: 'SUPABASE_JWT_SECRET',
        message:
          "required in production with SUPABASE_URL: set it to the project's JWT secret " +
          '(Supabase dashboard, Project Settings, JWT Keys). Tieout has no default secret.',
      },
    !v.SUPABASE_URL &&
      v.COLLAB_URL &&
      !v.SUPABASE_JWT_SECRET && {
        variable: 'SUPABASE_JWT_SECRET',
        message:
          'required with COLLAB_URL: the separately run collaboration server must verify the tokens this app issues, ' +
          'so both need the same secret (at least 32 random characters). Tieout has no default secret.',
      },
  ]);
  const isProduction = e.NODE_ENV === 'production';
  let auth: AuthConfig<string | null>;
  if (e.SUPABASE_URL) {
    auth = {
      mode: 'hosted',
      supabaseUrl: e.SUPABASE_URL.replace(/\/$/, ''),
      anonKey: e.SUPABASE_ANON_KEY!,
      jwtSecret: e.SUPABASE_JWT_SECRET,
      jwtSecretSource: 'environment',
    };
  } else {
    auth = {
      mode: 'embedded',
      supabaseUrl: `http://127.0.0.1:${e.PORT}`,
      anonKey: e.SUPABASE_ANON_KEY ?? EMBEDDED_ANON_KEY,
      jwtSecret: e.SUPABASE_JWT_SECRET ?? null,
      jwtSecretSource: e.SUPABASE_JWT_SECRET ? 'environment' : 'instance',
      signInLimitPerAddress: e.AUTH_SIGN_IN_LIMIT_PER_ADDRESS,
    };
  }
  return {
    isProduction,
    logLevel: e.LOG_LEVEL,
    trustedProxies: e.TRUSTED_PROXIES,
    internalHopToken: randomBytes(32).toString('base64url'),
    collabMetricsToken: e.COLLAB_METRICS_TOKEN ?? null,
    secureCookies: e.SECURE_COOKIES,
    port: e.PORT,
    host: e.HOST,
    database: { url: e.DATABASE_URL, pgliteDataDir: pgliteDataDirFrom(source) },
    auth,
    collabUrl: e.COLLAB_URL?.replace(/^http/, 'ws').replace(/\/$/, ''),
  };
}

/**
 * The config with its JWT secret settled: an embedded instance without SUPABASE_JWT_SECRET gets its own, from
 * `instanceSecret` (generated on first start and kept in its database: `instanceSecret(db, 'jwt_secret')`).
 */
export async function withInstanceJwtSecret(config: AppConfig<string | null>, instanceSecret: () => Promise<string>): Promise<AppConfig> {
  if (config.auth.mode === 'hosted') return { ...config, auth: config.auth };
  const jwtSecret = config.auth.jwtSecret ?? (await instanceSecret());
  return { ...config, auth: { ...config.auth, jwtSecret } };
}

/** Once the server listens on an ephemeral port (PORT=0), embedded supabase-js must use the real port. */
export function withListeningPort<S extends string | null>(config: AppConfig<S>, port: number): AppConfig<S> {
  if (config.auth.mode !== 'embedded' || port === config.port) return { ...config, port };
  return { ...config, port, auth: { ...config.auth, supabaseUrl: `http://127.0.0.1:${port}` } };
}
