import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signAccessToken } from '@tieout/auth';
import { docFromState, readDocumentState, type Database } from '@tieout/db';
import { createChecklistFixture, documentAuthors, openScratchDatabase, type ChecklistFixture, type ScratchDatabase } from '@tieout/db/testing';
import * as decoding from 'lib0/decoding';
import { pino } from 'pino';
import { afterAll, beforeAll, vi } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
// The collaboration server's test fixture and helpers (`@tieout/server/testing`), for the server's own tests and
// the app's: test code only (it registers vitest hooks), never imported by the app or the server at run time.
import { attachCollabServer, type CollabServer, type CollabServerOptions } from './index.ts';
import { MessageType } from './protocol.ts';

/** Made for this run: no secret in the repository signs anything (decision 100). */
export const JWT_SECRET = randomBytes(32).toString('base64url');

export { createChecklistFixture as createFixture, type ChecklistFixture as Fixture, type FixtureUser } from '@tieout/db/testing';
import type { FixtureUser } from '@tieout/db/testing';
type Fixture = ChecklistFixture;

/** An access token for `user` (a fixture user or a demo user), signed with this run's JWT_SECRET. */
export async function tokenFor(user: Pick<FixtureUser, 'id' | 'email'>, options: { expiresInSeconds?: number; secret?: string; now?: number } = {}) {
  const { token } = await signAccessToken(
    { id: user.id, email: user.email },
    { jwtSecret: options.secret ?? JWT_SECRET, expiresInSeconds: options.expiresInSeconds, now: options.now },
  );
  return token;
}

export const silentLogger = pino({ level: process.env.COLLAB_TEST_LOG ?? 'silent' });

export interface RunningServer {
  collab: CollabServer;
  httpServer: Server;
  /** The websocket URL clients connect to (`ws://127.0.0.1:<port>/collab`). */
  url: string;
  /** The server's base, without the path: what the app's live writers take as `collabBaseUrl`. */
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

/** A database, a checklist fixture and (unless `server: false`) a server for one test file, set up and torn down with it. */
export interface CollabServerSetup {
  /**
   * Options of the file's server, or a function of the file's database that returns them (for extensions bound to
   * it); false when the tests start their own (with `startServer`).
   */
  server?: Partial<CollabServerOptions> | ((db: Database) => Partial<CollabServerOptions>) | false;
  /** PGlite on disk instead of memory, so the database can be closed and opened again (a restart). */
  persistent?: boolean;
  /** Apply supabase/seed.sql too (the demo workspace, deals and users of `@tieout/db/testing`). */
  seed?: boolean;
  /** Part of the scratch database's name (default 'collab'), so leftovers can be told apart. */
  label?: string;
}

export interface CollabTestContext {
  /** The file's database storage (reopen it with `scratch.open()`). */
  readonly scratch: ScratchDatabase;
  /** The file's open database (reassignable, for a test that restarts on the same storage). */
  db: Database;
  /** A workspace with a member of each role and a checklist. */
  readonly fx: Fixture;
  /** The file's server (not with `server: false`). */
  readonly server: RunningServer;
  /** Starts another server, closed after the file's tests. */
  startServer(db: Database, options?: Partial<CollabServerOptions>): Promise<RunningServer>;
  /** Connects a stock client as `user`, destroyed after the file's tests. */
  connect(target: RunningServer | string, checklistId: string, user: Pick<FixtureUser, 'id' | 'email'>): Promise<Client>;
  /** Destroys `client` after the file's tests (for clients connected otherwise). */
  track(client: Client): Client;
}

/**
 * The collaboration-server test fixture: registers the file's beforeAll (scratch database, checklist fixture,
 * server) and afterAll (clients, servers, database), and returns what the tests use, filled in by beforeAll.
 */
export function useCollabServer(setup: CollabServerSetup = {}): CollabTestContext {
  let scratch: ScratchDatabase | undefined;
  let fx: Fixture | undefined;
  let server: RunningServer | undefined;
  let db: Database | undefined;
  const servers: RunningServer[] = [];
  const clients: Client[] = [];
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useCollabServer: ${what} is there once the file's beforeAll has run`);
    return value;
  };
  const context: CollabTestContext = {
    get scratch() {
      return ready(scratch, 'the database');
    },
    get db() {
      return ready(db, 'the database');
    },
    set db(value: Database) {
      db = value;
    },
    get fx() {
      return ready(fx, 'the fixture');
    },
    get server() {
      if (setup.server === false) throw new Error('useCollabServer({ server: false }) starts no server: use startServer');
      return ready(server, 'the server');
    },
    async startServer(onDb, options = {}) {
      const started = await startServer(onDb, options);
      servers.push(started);
      return started;
    },
    async connect(target, checklistId, user) {
      const url = typeof target === 'string' ? target : target.url;
      return context.track(connectClient(url, checklistId, await tokenFor(user)));
    },
    track(client) {
      clients.push(client);
      return client;
    },
  };
  // A bound only on how long a broken set-up takes to fail: a seeded database on a busy 2-core machine is slow.
  beforeAll(async () => {
    scratch = await openScratchDatabase({ label: setup.label ?? 'collab', persistent: setup.persistent, seed: setup.seed, poolSize: 6 });
    db = scratch.db;
    fx = await createChecklistFixture(db);
    if (setup.server !== false) server = await context.startServer(db, typeof setup.server === 'function' ? setup.server(db) : (setup.server ?? {}));
  }, 180_000);
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await Promise.allSettled(servers.map((running) => running.close()));
    await scratch?.dispose();
  });
  return context;
}

export async function startServer(db: Database, options: Partial<CollabServerOptions> = {}, port = 0): Promise<RunningServer> {
  const httpServer = createServer();
  const collab = attachCollabServer(httpServer, { db, auth: { jwtSecret: JWT_SECRET }, logger: silentLogger, ...options });
  httpServer.on('request', (request, response) => {
    if (!collab.handleHttp(request, response)) response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => httpServer.listen(port, '127.0.0.1', resolve));
  const actualPort = (httpServer.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    collab,
    httpServer,
    port: actualPort,
    url: `ws://127.0.0.1:${actualPort}/collab`,
    baseUrl: `ws://127.0.0.1:${actualPort}`,
    // Once: a test may close its server itself, and the file's afterAll closes every server it started.
    close: () =>
      (closing ??= (async () => {
        await collab.close();
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      })()),
  };
}

export interface Client {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Resolves with the first close the server sent. */
  closed: Promise<{ code: number; reason: string }>;
  synced(): Promise<void>;
  destroy(): void;
}

export function connectClient(url: string, checklistId: string, token: string | null, doc = new Y.Doc()): Client {
  const provider = new WebsocketProvider(url, checklistId, doc, {
    params: token === null ? {} : { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    // Node has BroadcastChannel: without this, two providers in one process would sync around the server.
    disableBc: true,
    maxBackoffTime: 200,
  });
  let destroyed = false;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    provider.on('connection-close', (event) => {
      if (event) resolve({ code: event.code, reason: event.reason });
    });
  });
  return {
    doc,
    provider,
    closed,
    synced: () =>
      new Promise<void>((resolve) => {
        if (provider.synced) resolve();
        else provider.once('sync', (state: boolean) => state && resolve());
      }),
    destroy: () => {
      if (destroyed) return; // tests destroy their clients, and the file's afterAll destroys every tracked one
      destroyed = true;
      provider.destroy();
      doc.destroy();
    },
  };
}

/**
 * Waits until `check` holds (vi.waitFor, polling every 20 ms). The bound is generous on purpose: it only
 * decides how long a broken test takes to fail, and a busy 2-core machine must never make a working one fail.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, what = 'condition', timeoutMs = 20_000): Promise<void> {
  if (typeof what !== 'string' || typeof timeoutMs !== 'number') throw new TypeError('waitFor(check, what, timeoutMs?)');
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 20 },
  );
}

/** Loads what is stored for a checklist, as the service role, into a fresh Y.Doc (the one reader, @tieout/db). */
export async function storedDoc(db: Database, checklistId: string): Promise<Y.Doc> {
  return docFromState(await db.asService((sql) => readDocumentState(sql, checklistId)));
}

/** The distinct authors of a checklist's update log, sorted. */
export const storedAuthors = documentAuthors;

/** A raw client for protocol-level tests: records every frame and the close. */
export interface RawClient {
  ws: WebSocket;
  frames: Uint8Array[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
}

export function rawClient(url: string): RawClient {
  const ws = new WebSocket(url);
  const frames: Uint8Array[] = [];
  ws.on('message', (data) => frames.push(new Uint8Array(data as Buffer)));
  ws.on('error', () => {});
  return {
    ws,
    frames,
    opened: new Promise((resolve) => ws.once('open', () => resolve())),
    closed: new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
  };
}

/** The reasons of the permission-denied frames the server sends this stock client, as they arrive. */
export function permissionDenials(client: Client): string[] {
  const denied: string[] = [];
  client.provider.messageHandlers[MessageType.auth] = (_encoder, decoder) => {
    decoding.readVarUint(decoder);
    denied.push(decoding.readVarString(decoder));
  };
  return denied;
}

/** The user names in the awareness states a stock client knows of. */
export const awarenessNames = (client: Client): unknown[] => [...client.provider.awareness.getStates().values()].map((state) => state.user?.name);

/** Signs arbitrary claims with HS256 (for tokens signAccessToken would never produce, e.g. another audience). */
export function signRawJwt(payload: Record<string, unknown>, secret = JWT_SECRET): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  const signature = createHmac('sha256', secret).update(body).digest('base64url');
  return `${body}.${signature}`;
}

/**
 * The real database behind a switch that makes every call fail as a lost connection would (ECONNREFUSED),
 * to exercise outage handling. Nothing is faked while the switch is up: calls go to the real database.
 */
export function withOutage(real: Database): { db: Database; setDown(down: boolean): void } {
  let down = false;
  const refuse = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432 (outage)'), { code: 'ECONNREFUSED' }));
  const db: Database = {
    kind: real.kind,
    asUser: (claims, work) => (down ? refuse() : real.asUser(claims, work)),
    asUsers: (work) => (down ? refuse() : real.asUsers(work)),
    scriptAsUsers: (steps) => (down ? refuse() : real.scriptAsUsers(steps)),
    scriptAsService: (statements) => (down ? refuse() : real.scriptAsService(statements)),
    asAnon: (work) => (down ? refuse() : real.asAnon(work)),
    asService: (work) => (down ? refuse() : real.asService(work)),
    execScript: (script) => (down ? refuse() : real.execScript(script)),
    ownerQuery: (text, params) => (down ? refuse() : real.ownerQuery(text, params)),
    listen: (channel, onPayload, onGap) => real.listen(channel, onPayload, onGap),
    withExclusiveLock: (name, work) => (down ? refuse() : real.withExclusiveLock(name, work)),
    close: () => real.close(),
  };
  return { db, setDown: (value) => (down = value) };
}

type TransactionCounts = Record<'asUser' | 'asUsers' | 'asAnon' | 'asService', number>;

/**
 * The real database, counting the transactions started through it (`calls`, by kind) and those that have
 * finished (`settled`), to check how often the server calls it and to wait for a read to be done.
 */
export function countingDatabase(real: Database): { db: Database; calls: TransactionCounts; settled: TransactionCounts } {
  const calls = { asUser: 0, asUsers: 0, asAnon: 0, asService: 0 };
  const settled = { ...calls };
  const count = <T>(kind: keyof TransactionCounts, run: () => Promise<T>): Promise<T> => {
    calls[kind]++;
    return run().finally(() => settled[kind]++);
  };
  const db: Database = {
    kind: real.kind,
    asUser: (claims, work) => count('asUser', () => real.asUser(claims, work)),
    asUsers: (work) => count('asUsers', () => real.asUsers(work)),
    // The same multi-user write transaction, in one round trip: counted with asUsers.
    scriptAsUsers: (steps) => count('asUsers', () => real.scriptAsUsers(steps)),
    asAnon: (work) => count('asAnon', () => real.asAnon(work)),
    asService: (work) => count('asService', () => real.asService(work)),
    // One service-role transaction in one round trip: counted with asService.
    scriptAsService: (statements) => count('asService', () => real.scriptAsService(statements)),
    execScript: (script) => real.execScript(script),
    ownerQuery: (text, params) => real.ownerQuery(text, params),
    listen: (channel, onPayload, onGap) => real.listen(channel, onPayload, onGap),
    withExclusiveLock: (name, work) => real.withExclusiveLock(name, work),
    close: () => real.close(),
  };
  return { db, calls, settled };
}

/** The value of one sample in a Prometheus text exposition, e.g. `collab_errors_total{kind="redis"}`; NaN when absent. */
export function metricValue(text: string, name: string): number {
  const match = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}
