import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAccessToken } from '@tieout/auth';
import { migrate, openDatabase, type Database } from '@tieout/db';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { attachCollabServer, type CollabServer, type CollabServerOptions } from '../src/index.ts';

/** Made for this run: no secret in the repository signs anything (decision 100). */
export const JWT_SECRET = randomBytes(32).toString('base64url');

/** A database that can be closed and opened again on the same storage (PGlite dataDir or Postgres database). */
export interface TestDatabase {
  /** The connection string (Postgres only). */
  url?: string;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

/**
 * PGlite (in memory, or on disk with `reopenable` so a restart can be tested) without DATABASE_URL;
 * otherwise a uniquely named database on that Postgres server, dropped afterwards.
 */
export async function createTestDatabase(options: { reopenable?: boolean } = {}): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  const opened: Database[] = [];
  if (!url && !options.reopenable) {
    const db = await openDatabase({ dataDir: 'memory://' });
    await migrate(db, { seedIfFresh: false });
    let handedOut = false;
    return {
      async open() {
        if (handedOut) throw new Error('An in-memory test database cannot be reopened: use { reopenable: true }');
        handedOut = true;
        return db;
      },
      drop: () => db.close(),
    };
  }
  if (!url) {
    const dataDir = mkdtempSync(join(tmpdir(), 'tieout-collab-'));
    const first = await openDatabase({ dataDir });
    await migrate(first, { seedIfFresh: false });
    await first.close();
    return {
      async open() {
        const db = await openDatabase({ dataDir });
        opened.push(db);
        return db;
      },
      async drop() {
        await Promise.allSettled(opened.map((db) => db.close()));
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `tieout_collab_${randomUUID().replace(/-/g, '')}`;
  const admin = await openDatabase({ url, poolSize: 1 });
  await admin.ownerQuery(`create database ${name}`);
  await admin.close();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const first = await openDatabase({ url: target.toString(), poolSize: 2 });
  await migrate(first, { seedIfFresh: false });
  await first.close();
  return {
    url: target.toString(),
    async open() {
      const db = await openDatabase({ url: target.toString(), poolSize: 6 });
      opened.push(db);
      return db;
    },
    async drop() {
      await Promise.allSettled(opened.map((db) => db.close()));
      const cleanup = await openDatabase({ url, poolSize: 1 });
      await cleanup.ownerQuery(`drop database if exists ${name} with (force)`);
      await cleanup.close();
    },
  };
}

export { createChecklistFixture as createFixture, type ChecklistFixture as Fixture, type FixtureUser } from '@tieout/db/testing';
import type { FixtureUser } from '@tieout/db/testing';

export async function tokenFor(user: FixtureUser, options: { expiresInSeconds?: number; secret?: string; now?: number } = {}) {
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
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(db: Database, options: Partial<CollabServerOptions> = {}, port = 0): Promise<RunningServer> {
  const httpServer = createServer();
  const collab = attachCollabServer(httpServer, { db, auth: { jwtSecret: JWT_SECRET }, logger: silentLogger, ...options });
  httpServer.on('request', (request, response) => {
    if (!collab.handleHttp(request, response)) response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => httpServer.listen(port, '127.0.0.1', resolve));
  const actualPort = (httpServer.address() as AddressInfo).port;
  return {
    collab,
    httpServer,
    port: actualPort,
    url: `ws://127.0.0.1:${actualPort}/collab`,
    async close() {
      await collab.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
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
      provider.destroy();
      doc.destroy();
    },
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Loads what is stored for a checklist, as the service role, into a fresh Y.Doc. */
export async function storedDoc(db: Database, checklistId: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  await db.asService(async (sql) => {
    const { rows: snaps } = await sql.query<{ state: Uint8Array }>(`select state from public.document_snapshots where checklist_id = $1`, [checklistId]);
    const { rows } = await sql.query<{ update: Uint8Array }>(
      `select update from public.document_updates where checklist_id = $1 order by id`,
      [checklistId],
    );
    for (const row of [...snaps.map((s) => s.state), ...rows.map((r) => r.update)]) Y.applyUpdate(doc, new Uint8Array(row as Uint8Array));
  });
  return doc;
}

export async function storedAuthors(db: Database, checklistId: string): Promise<string[]> {
  const { rows } = await db.asService((sql) =>
    sql.query<{ user_id: string }>(`select distinct user_id from public.document_updates where checklist_id = $1`, [checklistId]),
  );
  return rows.map((row) => row.user_id).sort();
}

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

/** The real database, counting the transactions started through it (by kind), to check how often the server calls it. */
export function countingDatabase(real: Database): { db: Database; calls: Record<'asUser' | 'asUsers' | 'asAnon' | 'asService', number> } {
  const calls = { asUser: 0, asUsers: 0, asAnon: 0, asService: 0 };
  const db: Database = {
    kind: real.kind,
    asUser: (claims, work) => (calls.asUser++, real.asUser(claims, work)),
    asUsers: (work) => (calls.asUsers++, real.asUsers(work)),
    // The same multi-user write transaction, in one round trip: counted with asUsers.
    scriptAsUsers: (steps) => (calls.asUsers++, real.scriptAsUsers(steps)),
    asAnon: (work) => (calls.asAnon++, real.asAnon(work)),
    asService: (work) => (calls.asService++, real.asService(work)),
    execScript: (script) => real.execScript(script),
    ownerQuery: (text, params) => real.ownerQuery(text, params),
    listen: (channel, onPayload, onGap) => real.listen(channel, onPayload, onGap),
    withExclusiveLock: (name, work) => real.withExclusiveLock(name, work),
    close: () => real.close(),
  };
  return { db, calls };
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
