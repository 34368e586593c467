import { addSection, readChecklist, sectionsOf } from '@tieout/doc-model';
import type { Database } from '@tieout/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../src/index.ts';
import {
  connectClient,
  countingDatabase,
  createFixture,
  createTestDatabase,
  metricValue,
  startServer,
  storedAuthors,
  storedDoc,
  tokenFor,
  waitFor,
  type Client,
  type TestDatabase,
} from './support.ts';

let storage: TestDatabase;
let db: Database;
const clients: Client[] = [];
const track = (client: Client) => (clients.push(client), client);

beforeAll(async () => {
  storage = await createTestDatabase();
  db = await storage.open();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await storage?.drop();
});

async function storedRows(checklistId: string) {
  const { rows } = await db.asService((sql) =>
    sql.query<{ user_id: string; tx: string }>(
      `select user_id, xmin::text as tx from public.document_updates where checklist_id = $1 order by id`,
      [checklistId],
    ),
  );
  return rows;
}

describe('one write per document per window', () => {
  it('writes every author\'s edits of a window in one transaction, one row per author, each inserted as its author', async () => {
    const fx = await createFixture(db);
    const counting = countingDatabase(db);
    const server = await startServer(counting.db, { timing: { persistWindowMs: 1000 } });
    const owner = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.owner)));
    const editor = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor)));
    const editorAgain = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor)));
    await Promise.all([owner.synced(), editor.synced(), editorAgain.synced()]);
    const writesBefore = counting.calls.asUsers;

    const ids = [
      addSection(owner.doc, { title: 'Interconnect' }),
      addSection(editor.doc, { title: 'Hosting contracts' }),
      addSection(owner.doc, { title: 'Cooling' }),
      addSection(editorAgain.doc, { title: 'Miner fleet' }),
    ];
    const serverDoc = server.collab.loadedDocument(fx.checklistId)!;
    await waitFor(() => ids.every((id) => serverDoc.getMap('sections').has(id)), 5000, 'the edits to reach the server');
    await waitFor(async () => (await storedRows(fx.checklistId)).length > 0, 5000, 'the window to be written');

    expect(counting.calls.asUsers - writesBefore).toBe(1);
    const rows = await storedRows(fx.checklistId);
    expect(rows.map((row) => row.user_id).sort()).toEqual([fx.users.owner.id, fx.users.editor.id].sort());
    expect(new Set(rows.map((row) => row.tx)).size).toBe(1);
    const stored = await storedDoc(db, fx.checklistId);
    for (const id of ids) expect(stored.getMap('sections').has(id)).toBe(true);
    for (const client of [owner, editor, editorAgain]) client.destroy();
    await server.close();
  });

  it('makes one transaction per window on a busy document, not one per author or per round trip', async () => {
    const fx = await createFixture(db);
    const counting = countingDatabase(db);
    const windowMs = 200;
    const server = await startServer(counting.db, { timing: { persistWindowMs: windowMs } });
    const owner = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.owner)));
    const editor = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor)));
    await Promise.all([owner.synced(), editor.synced()]);
    const writesBefore = counting.calls.asUsers;

    const started = performance.now();
    for (let i = 0; i < 30; i++) {
      addSection(owner.doc, { title: `owner ${i}` });
      addSection(editor.doc, { title: `editor ${i}` });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const serverDoc = server.collab.loadedDocument(fx.checklistId)!;
    await waitFor(() => sectionsOf(serverDoc).size === 60, 5000, 'every edit to reach the server');
    const elapsed = performance.now() - started;
    await server.collab.flush();

    const writes = counting.calls.asUsers - writesBefore;
    // Each window of pending edits is one write; a flush at the end can add one.
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(Math.ceil(elapsed / windowMs) + 1);
    expect(readChecklist(await storedDoc(db, fx.checklistId))).toEqual(readChecklist(serverDoc));
    expect(await storedAuthors(db, fx.checklistId)).toEqual([fx.users.owner.id, fx.users.editor.id].sort());
    owner.destroy();
    editor.destroy();
    await server.close();
  });

  it('drops only the refused author\'s share of a window, writes the others\' and re-checks that author', async () => {
    const fx = await createFixture(db);
    const server = await startServer(db, { timing: { persistWindowMs: 500, membershipRecheckMs: 600_000 } });
    const owner = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.owner)));
    const editor = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor)));
    await Promise.all([owner.synced(), editor.synced()]);

    // Demoted in the database; the open session does not know yet (no periodic re-check in this test).
    await db.asService((sql) =>
      sql.query(`update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2`, [fx.workspaceId, fx.users.editor.id]),
    );
    const refused = addSection(editor.doc, { title: 'Written after demotion' });
    const kept = addSection(owner.doc, { title: 'Owner edit in the same window' });
    const serverDoc = server.collab.loadedDocument(fx.checklistId)!;
    await waitFor(() => serverDoc.getMap('sections').has(refused) && serverDoc.getMap('sections').has(kept), 5000, 'both edits in memory');

    await waitFor(async () => (await storedAuthors(db, fx.checklistId)).length > 0, 5000, 'the owner\'s share to be written');
    expect(await storedAuthors(db, fx.checklistId)).toEqual([fx.users.owner.id]);
    const stored = await storedDoc(db, fx.checklistId);
    expect(stored.getMap('sections').has(kept)).toBe(true);
    expect(stored.getMap('sections').has(refused)).toBe(false);
    const metrics = await (await fetch(`http://127.0.0.1:${server.port}/collab/metrics`)).text();
    expect(metricValue(metrics, 'collab_errors_total{kind="persist_rejected"}')).toBe(1);

    // The refusal re-checked the author at once: the session is read-only now, its next edit goes nowhere.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const afterRecheck = addSection(editor.doc, { title: 'After the re-check' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(serverDoc.getMap('sections').has(afterRecheck)).toBe(false);
    expect(owner.doc.getMap('sections').has(afterRecheck)).toBe(false);
    owner.destroy();
    editor.destroy();
    await server.close();
  });
});

describe('membership re-check', () => {
  it('re-checks every open session of every document with one read per interval, and applies what it finds', async () => {
    const a = await createFixture(db);
    const b = await createFixture(db);
    const counting = countingDatabase(db);
    const recheckMs = 150;
    const server = await startServer(counting.db, { timing: { membershipRecheckMs: recheckMs } });
    const connect = async (fixture: typeof a, who: 'owner' | 'editor' | 'reviewer' | 'viewer') =>
      track(connectClient(server.url, fixture.checklistId, await tokenFor(fixture.users[who])));
    const sessions = {
      aOwner: await connect(a, 'owner'),
      aEditor: await connect(a, 'editor'),
      aViewer: await connect(a, 'viewer'),
      bOwner: await connect(b, 'owner'),
      bReviewer: await connect(b, 'reviewer'),
    };
    await Promise.all(Object.values(sessions).map((client) => client.synced()));

    const before = { ...counting.calls };
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, recheckMs * 5));
    const elapsed = performance.now() - started;
    expect(counting.calls.asUser - before.asUser).toBe(0);
    const reads = counting.calls.asService - before.asService;
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(Math.ceil(elapsed / recheckMs) + 1);

    await db.asService(async (sql) => {
      await sql.query(`delete from public.workspace_members where workspace_id = $1 and user_id = $2`, [a.workspaceId, a.users.viewer.id]);
      await sql.query(`delete from public.checklists where id = $1`, [b.checklistId]);
    });
    expect(await sessions.aViewer.closed).toEqual({ code: CloseCode.forbidden, reason: 'membership revoked' });
    expect(await sessions.bOwner.closed).toEqual({ code: CloseCode.notFound, reason: 'checklist deleted' });
    expect(await sessions.bReviewer.closed).toEqual({ code: CloseCode.notFound, reason: 'checklist deleted' });
    expect(sessions.aOwner.provider.wsconnected).toBe(true);
    expect(sessions.aEditor.provider.wsconnected).toBe(true);
    for (const client of Object.values(sessions)) client.destroy();
    await server.close();
  });
});
