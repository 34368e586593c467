import { addSection } from '@tieout/doc-model';
import { openDatabase, type Database } from '@tieout/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../src/index.ts';
import {
  connectClient,
  createFixture,
  createTestDatabase,
  getJson,
  rawClient,
  startServer,
  storedAuthors,
  storedDoc,
  tokenFor,
  waitFor,
  withOutage,
  type TestDatabase,
} from './support.ts';

let storage: TestDatabase;
let db: Database;

beforeAll(async () => {
  storage = await createTestDatabase();
  db = await storage.open();
});
afterAll(async () => storage?.drop());

describe('database unavailability', () => {
  it('keeps serving from memory, reports not ready, retries, and writes everything once the database is back', async () => {
    const fx = await createFixture(db);
    const outage = withOutage(db);
    const server = await startServer(outage.db, { timing: { persistWindowMs: 10, persistRetryMinMs: 50, persistRetryMaxMs: 200 } });
    const http = `http://127.0.0.1:${server.port}/collab`;
    const editor = connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor));
    const viewer = connectClient(server.url, fx.checklistId, await tokenFor(fx.users.viewer));
    await Promise.all([editor.synced(), viewer.synced()]);
    expect((await getJson(`${http}/readyz`)).status).toBe(200);

    outage.setDown(true);
    const sections = ['Cooling retrofit', 'Substation upgrade', 'Fibre diversity'].map((title) => addSection(editor.doc, { title }));
    await waitFor(() => sections.every((id) => viewer.doc.getMap('sections').has(id)), 5000, 'edits served from memory');
    await waitFor(async () => (await getJson(`${http}/readyz`)).body.failingDocuments === 1, 5000, 'readyz to report the failing document');
    const down = await getJson(`${http}/readyz`);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ ready: false, database: false, pendingUpdates: expect.any(Number) });
    expect(down.body.pendingUpdates).toBeGreaterThan(0);
    expect((await getJson(`${http}/healthz`)).status).toBe(200);

    // New sessions cannot be authorized meanwhile: told to try again later (the provider retries).
    const late = rawClient(`${server.url}/${fx.checklistId}?token=${await tokenFor(fx.users.owner)}`);
    expect((await late.closed).code).toBe(CloseCode.tryAgainLater);
    expect(await storedAuthors(db, fx.checklistId)).toEqual([]);

    outage.setDown(false);
    await waitFor(async () => (await getJson(`${http}/readyz`)).status === 200, 10_000, 'readyz to recover');
    const stored = await storedDoc(db, fx.checklistId);
    for (const id of sections) expect(stored.getMap('sections').has(id)).toBe(true);
    expect(await storedAuthors(db, fx.checklistId)).toEqual([fx.users.editor.id]);

    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(metrics).toMatch(/collab_errors_total\{kind="persist_failed"\} [1-9]/);
    editor.destroy();
    viewer.destroy();
    await server.close();
  });

  it('on shutdown writes what is pending, then closes clients with 1001', async () => {
    const fx = await createFixture(db);
    const server = await startServer(db, { timing: { persistWindowMs: 60_000, persistMaxBatchBytes: 10_000_000 } });
    const editor = connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor));
    await editor.synced();
    const id = addSection(editor.doc, { title: 'Written on shutdown' });
    await waitFor(() => server.collab.loadedDocument(fx.checklistId)?.getMap('sections').has(id) === true);
    expect(await storedAuthors(db, fx.checklistId)).toEqual([]);
    await server.close();
    expect((await editor.closed).code).toBe(CloseCode.goingAway);
    expect((await storedDoc(db, fx.checklistId)).getMap('sections').has(id)).toBe(true);
    editor.destroy();
  });

  it.runIf(Boolean(process.env.DATABASE_URL))('survives real connection losses on Postgres, mid-transaction and while writing', async () => {
    const fx = await createFixture(db);
    const server = await startServer(db, { timing: { persistWindowMs: 10, persistRetryMinMs: 50, persistRetryMaxMs: 200 } });
    const { rows } = await db.ownerQuery<{ name: string }>(`select current_database() as name`);
    const dbName = rows[0]!.name;
    // Kill every backend of this test's own database (and only this one), from a separate connection.
    const killAll = async () => {
      const admin = await openDatabase({ url: process.env.DATABASE_URL, poolSize: 1 });
      await admin.ownerQuery(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [dbName]);
      await admin.close();
    };

    // A checked-out client losing its server must reject that transaction, not crash the process.
    const inFlight = db.asUser(fx.users.editor.claims, async (sql) => {
      await sql.query('select 1');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sql.query('select 1');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await killAll();
    await expect(inFlight).rejects.toThrow();

    const editor = connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor));
    await editor.synced();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(addSection(editor.doc, { title: `Section ${i}` }));
      await killAll();
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await waitFor(async () => {
      const stored = await storedDoc(db, fx.checklistId).catch(() => null);
      return stored !== null && ids.every((id) => stored.getMap('sections').has(id));
    }, 15_000, 'every edit to be stored after the connection losses');
    expect(await storedAuthors(db, fx.checklistId)).toEqual([fx.users.editor.id]);
    editor.destroy();
    await server.close();
  });
});
