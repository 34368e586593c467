import { createLogger, type Logger } from '@tieout/config';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { SupabaseClientOptions } from '@supabase/supabase-js';
import { createServerClient, serializeCookieHeader } from '@supabase/ssr';
import { createEmbeddedAuthApi, type EmbeddedAuthApi } from '@tieout/auth';
import type { Database } from '@tieout/db';
import { loadConfig, withInstanceJwtSecret, type AppConfig } from '../../../app/server/config.ts';
import type { FixtureUser } from './fixtures.ts';

/**
 * Calls the app's Remix loaders and actions directly, as the app server would: a Request carrying the Supabase
 * session cookies of a user who signed in through the embedded auth API, and the load context the server builds
 * (a real database, the app's config). Nothing is stubbed: the route reads the cookie with @supabase/ssr,
 * verifies the token and runs its queries as that user.
 */

/** What the express adapter gives every loader and action (app/server.ts getLoadContext). */
export interface AppContext {
  db: Database;
  config: AppConfig;
  logger: Logger;
  clientAddress: string | undefined;
}

export interface RouteArgs {
  request: Request;
  params: Record<string, string | undefined>;
  context: AppContext;
}

export interface RouteModule {
  loader?: (args: RouteArgs) => Promise<unknown>;
  action?: (args: RouteArgs) => Promise<unknown>;
}

const routesDir = fileURLToPath(new URL('../../../app/app/routes/', import.meta.url));

/**
 * A route module of app/app/routes, compiled by Vitest (the `~` alias is set in tests/vitest.config.ts). Imported by
 * a computed path so that this workspace's type check does not pull in the app's sources (the app checks them).
 */
export async function loadRoute(file: string): Promise<RouteModule> {
  const path = `${routesDir}${file}`;
  return (await import(/* @vite-ignore */ path)) as RouteModule;
}

/** What a loader or action answered, returned or thrown (Remix treats both as the response). */
export interface RouteOutcome {
  status: number;
  /** For redirects. */
  location: string | null;
  data: unknown;
}

type DataWithResponseInit = { type: 'DataWithResponseInit'; data: unknown; init: ResponseInit | null };

function isDataWithResponseInit(value: unknown): value is DataWithResponseInit {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'DataWithResponseInit';
}

async function toOutcome(value: unknown): Promise<RouteOutcome> {
  if (value instanceof Response) {
    const text = await value.text();
    return { status: value.status, location: value.headers.get('Location'), data: text };
  }
  if (isDataWithResponseInit(value)) return { status: value.init?.status ?? 200, location: null, data: value.data };
  return { status: 200, location: null, data: value };
}

export interface AppHarness {
  context: AppContext;
  /** The Cookie header of a signed-in session of `user` (signed in once, then reused). */
  cookieFor(user: FixtureUser): Promise<string>;
  call(
    module: RouteModule,
    kind: 'loader' | 'action',
    input: { path: string; params: Record<string, string>; cookie: string | null; form?: Record<string, string> },
  ): Promise<RouteOutcome>;
}

/** supabase-js builds a realtime client it never uses here; on Node 20 it needs a WebSocket class to exist. */
class RealtimeNotUsed {
  constructor() {
    throw new Error('Realtime is not used in these tests');
  }
}
type WebSocketLikeConstructor = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

export const FIXTURE_PASSWORD = 'authz-fixture-password-2026';

/**
 * The harness for one database. The fixture users (created as rows, without passwords) get FIXTURE_PASSWORD:
 * one account is signed up through the embedded auth API and its bcrypt hash is given to them.
 */
export async function createAppHarness(db: Database, users: FixtureUser[]): Promise<AppHarness> {
  // The port is never listened on: requests to the auth API go to the handler directly.
  // A secret of this run only, as an embedded instance makes its own (decision 100).
  const config = await withInstanceJwtSecret(loadConfig({ NODE_ENV: 'test', PORT: '54329', HOST: '127.0.0.1' }), async () =>
    randomBytes(32).toString('base64url'),
  );
  if (config.auth.mode !== 'embedded') throw new Error('The app harness needs the embedded auth mode');
  const api = createEmbeddedAuthApi({ db, jwtSecret: config.auth.jwtSecret, confirmation: 'autoconfirm', rateLimit: false, bcryptCost: 4 });
  const context: AppContext = { db, config, logger: createLogger('authz', { level: 'silent' }), clientAddress: '127.0.0.1' };

  const passwordHolder = `password.holder.${Date.now()}@example.com`;
  const signUp = await authClient(config, api, []).auth.signUp({ email: passwordHolder, password: FIXTURE_PASSWORD });
  if (signUp.error) throw signUp.error;
  await db.asService((sql) =>
    sql.query(`update auth.users set encrypted_password = (select encrypted_password from auth.users where email = $1) where id = any($2::uuid[])`, [
      passwordHolder,
      users.map((user) => user.id),
    ]),
  );

  const cookies = new Map<string, Promise<string>>();
  const cookieFor = (user: FixtureUser) => {
    let cookie = cookies.get(user.id);
    if (!cookie) {
      cookie = signIn(config, api, user.email);
      cookies.set(user.id, cookie);
    }
    return cookie;
  };

  const call: AppHarness['call'] = async (module, kind, { path, params, cookie, form }) => {
    const handler = module[kind];
    if (!handler) throw new Error(`The route has no ${kind}`);
    const headers = new Headers();
    if (cookie) headers.set('Cookie', cookie);
    const init: RequestInit = { method: kind === 'action' ? 'POST' : 'GET', headers };
    if (kind === 'action') init.body = new URLSearchParams(form ?? {});
    const request = new Request(new URL(path, `http://127.0.0.1:${config.port}`), init);
    try {
      return await toOutcome(await handler({ request, params, context }));
    } catch (thrown) {
      if (thrown instanceof Response || isDataWithResponseInit(thrown)) return toOutcome(thrown);
      throw thrown;
    }
  };

  return { context, cookieFor, call };
}

type Jar = { name: string; value: string }[];

function authClient(config: AppConfig, api: EmbeddedAuthApi, jar: Jar) {
  const fetchFromApi: typeof fetch = async (input, init) => {
    const response = await api.handle(new Request(input, init));
    return response ?? new Response('not an auth API path', { status: 404 });
  };
  return createServerClient(config.auth.supabaseUrl, config.auth.anonKey, {
    global: { fetch: fetchFromApi },
    realtime: { transport: RealtimeNotUsed as unknown as WebSocketLikeConstructor },
    cookies: {
      getAll: () => jar,
      setAll: (cookies) => {
        for (const { name, value } of cookies) {
          const index = jar.findIndex((cookie) => cookie.name === name);
          if (index >= 0) jar.splice(index, 1);
          if (value) jar.push({ name, value });
        }
      },
    },
  });
}

/** Signs in with supabase-js against the embedded auth API; the cookies it sets are what a browser would send. */
async function signIn(config: AppConfig, api: EmbeddedAuthApi, email: string): Promise<string> {
  const jar: Jar = [];
  const { error } = await authClient(config, api, jar).auth.signInWithPassword({ email, password: FIXTURE_PASSWORD });
  if (error) throw new Error(`Signing in ${email} failed: ${error.message}`);
  if (jar.length === 0) throw new Error(`Signing in ${email} set no cookie`);
  return jar.map(({ name, value }) => serializeCookieHeader(name, value, {}).split(';')[0]).join('; ');
}
