import { addSection } from '@tieout/doc-model';
import { openDatabase } from '@tieout/db';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../src/index.ts';
import { createFixture, getJson, rawClient, storedAuthors, storedDoc, tokenFor, useCollabServer, waitFor, withOutage } from '../src/testing.ts';

const t = useCollabServer({ server: false });

describe('database unavailability', () => {
  it('keeps serving from memory, reports not ready, retries, and writes everything once the database is back', async () => {
    const fx = await createFixture(t.db);
    const outage = withOutage(t.db);
    const server = await t.startServer(outage.db, { timing: { persistWindowMs: 10, persistRetryMinMs: 50, persistRetryMaxMs: 200 } });
    const http = `http://127.0.0.1:${server.port}/collab`;
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    const viewer = await t.connect(server, fx.checklistId, fx.users.viewer);
    await Promise.all([editor.synced(), viewer.synced()]);
    expect((await getJson(`${http}/readyz`)).status).toBe(200);

    outage.setDown(true);
    const sections = ['Cooling retrofit', 'Substation upgrade', 'Fibre diversity'].map((title) => addSection(editor.doc, { title }));
    await waitFor(() => sections.every((id) => viewer.doc.getMap('sections').has(id)), 'edits served from memory');
    await waitFor(async () => (await getJson(`${http}/readyz`)).body.failingDocuments === 1, 'readyz to report the failing document');
    const down = await getJson(`${http}/readyz`);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ ready: false, database: false, pendingUpdates: expect.any(Number) });
    expect(down.body.pendingUpdates).toBeGreaterThan(0);
    expect((await getJson(`${http}/healthz`)).status).toBe(200);

    // New sessions cannot be authorized meanwhile: told to try again later (the provider retries).
    const late = rawClient(`${server.url}/${fx.checklistId}?token=${await tokenFor(fx.users.owner)}`);
    expect((await late.closed).code).toBe(CloseCode.tryAgainLater);
    expect(await storedAuthors(t.db, fx.checklistId)).toEqual([]);

    outage.setDown(false);
    await waitFor(async () => (await getJson(`${http}/readyz`)).status === 200, 'readyz to recover');
    const stored = await storedDoc(t.db, fx.checklistId);
    for (const id of sections) expect(stored.getMap('sections').has(id)).toBe(true);
    expect(await storedAuthors(t.db, fx.checklistId)).toEqual([fx.users.editor.id]);

    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(metrics).toMatch(/collab_errors_total\{kind="persist_failed"\} [1-9]/);
    editor.destroy();
    viewer.destroy();
    await server.close();
  });

  it('on shutdown writes what is pending, then closes clients with 1001', async () => {
    const fx = await createFixture(t.db);
    const server = await t.startServer(t.db, { timing: { persistWindowMs: 60_000, persistMaxBatchBytes: 10_000_000 } });
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    await editor.synced();
    const id = addSection(editor.doc, { title: 'Written on shutdown' });
    await waitFor(() => server.collab.loadedDocument(fx.checklistId)?.getMap('sections').has(id) === true);
    expect(await storedAuthors(t.db, fx.checklistId)).toEqual([]);
    await server.close();
    expect((await editor.closed).code).toBe(CloseCode.goingAway);
    expect((await storedDoc(t.db, fx.checklistId)).getMap('sections').has(id)).toBe(true);
    editor.destroy();
  });

  it.runIf(Boolean(process.env.DATABASE_URL))('survives real connection losses on Postgres, mid-transaction and while writing', async () => {
    const fx = await createFixture(t.db);
    const server = await t.startServer(t.db, { timing: { persistWindowMs: 10, persistRetryMinMs: 50, persistRetryMaxMs: 200 } });
    const { rows } = await t.db.ownerQuery<{ name: string }>(`select current_database() as name`);
    const dbName = rows[0]!.name;
    // Kill every backend of this test's own database (and only this one), from a separate connection.
    const killAll = async () => {
      const admin = await openDatabase({ url: process.env.DATABASE_URL, poolSize: 1 });
      await admin.ownerQuery(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [dbName]);
      await admin.close();
    };

    // A checked-out client losing its server must reject that transaction, not crash the process.
    // Its connection is killed between its two statements.
    let checkedOut!: () => void;
    let killed!: () => void;
    const firstStatementDone = new Promise<void>((resolve) => (checkedOut = resolve));
    const connectionKilled = new Promise<void>((resolve) => (killed = resolve));
    const inFlight = t.db.asUser(fx.users.editor.claims, async (sql) => {
      await sql.query('select 1');
      checkedOut();
      await connectionKilled;
      await sql.query('select 1');
    });
    await firstStatementDone;
    await killAll();
    killed();
    await expect(inFlight).rejects.toThrow();

    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    await editor.synced();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(addSection(editor.doc, { title: `Section ${i}` }));
      await killAll();
    }
    await waitFor(async () => {
      const stored = await storedDoc(t.db, fx.checklistId).catch(() => null);
      return stored !== null && ids.every((id) => stored.getMap('sections').has(id));
    }, 'every edit to be stored after the connection losses');
    expect(await storedAuthors(t.db, fx.checklistId)).toEqual([fx.users.editor.id]);
    editor.destroy();
    await server.close();
  });
});
