import { addSection, readChecklist, sectionsOf } from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../src/index.ts';
import {
  awarenessNames,
  countingDatabase,
  createFixture,
  metricValue,
  permissionDenials,
  storedAuthors,
  storedDoc,
  useCollabServer,
  waitFor,
} from '../src/testing.ts';

const t = useCollabServer({ server: false });

async function storedRows(checklistId: string) {
  const { rows } = await t.db.asService((sql) =>
    sql.query<{ user_id: string; tx: string }>(`select user_id, xmin::text as tx from public.document_updates where checklist_id = $1 order by id`, [
      checklistId,
    ]),
  );
  return rows;
}

describe('one write per document per window', () => {
  it("writes every author's edits of a window in one transaction, one row per author, each inserted as its author", async () => {
    const fx = await createFixture(t.db);
    const counting = countingDatabase(t.db);
    const server = await t.startServer(counting.db, { timing: { persistWindowMs: 1000 } });
    const owner = await t.connect(server, fx.checklistId, fx.users.owner);
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    const editorAgain = await t.connect(server, fx.checklistId, fx.users.editor);
    await Promise.all([owner.synced(), editor.synced(), editorAgain.synced()]);
    const writesBefore = counting.calls.asUsers;

    const ids = [
      addSection(owner.doc, { title: 'Interconnect' }),
      addSection(editor.doc, { title: 'Hosting contracts' }),
      addSection(owner.doc, { title: 'Cooling' }),
      addSection(editorAgain.doc, { title: 'Miner fleet' }),
    ];
    const serverDoc = server.collab.loadedDocument(fx.checklistId)!;
    await waitFor(() => ids.every((id) => serverDoc.getMap('sections').has(id)), 'the edits to reach the server');
    await waitFor(async () => (await storedRows(fx.checklistId)).length > 0, 'the window to be written');

    expect(counting.calls.asUsers - writesBefore).toBe(1);
    const rows = await storedRows(fx.checklistId);
    expect(rows.map((row) => row.user_id).sort()).toEqual([fx.users.owner.id, fx.users.editor.id].sort());
    expect(new Set(rows.map((row) => row.tx)).size).toBe(1);
    const stored = await storedDoc(t.db, fx.checklistId);
    for (const id of ids) expect(stored.getMap('sections').has(id)).toBe(true);
    for (const client of [owner, editor, editorAgain]) client.destroy();
    await server.close();
  });

  it('makes one transaction per window on a busy document, not one per author or per round trip', async () => {
    const fx = await createFixture(t.db);
    const counting = countingDatabase(t.db);
    const windowMs = 200;
    const server = await t.startServer(counting.db, { timing: { persistWindowMs: windowMs } });
    const owner = await t.connect(server, fx.checklistId, fx.users.owner);
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    await Promise.all([owner.synced(), editor.synced()]);
    const writesBefore = counting.calls.asUsers;

    // Thirty round trips: each pair of edits reaches the server before the next pair is made.
    const serverDoc = server.collab.loadedDocument(fx.checklistId)!;
    const started = performance.now();
    for (let i = 0; i < 30; i++) {
      addSection(owner.doc, { title: `owner ${i}` });
      addSection(editor.doc, { title: `editor ${i}` });
      await waitFor(() => sectionsOf(serverDoc).size === 2 * (i + 1), `edit pair ${i} to reach the server`);
    }
    const elapsed = performance.now() - started;
    await server.collab.flush();

    const writes = counting.calls.asUsers - writesBefore;
    // Each window of pending edits is one write; a flush at the end can add one.
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(Math.ceil(elapsed / windowMs) + 1);
    expect(readChecklist(await storedDoc(t.db, fx.checklistId))).toEqual(readChecklist(serverDoc));
    expect(await storedAuthors(t.db, fx.checklistId)).toEqual([fx.users.owner.id, fx.users.editor.id].sort());
    owner.destroy();
    editor.destroy();
    await server.close();
  });

  it("drops only the refused author's share of a window, writes the others' and re-checks that author", async () => {
    const fx = await createFixture(t.db);
    const counting = countingDatabase(t.db);
    // The window is written when the test flushes it: the demotion lands between applying and writing.
    const server = await t.startServer(counting.db, { timing: { persistWindowMs: 600_000, membershipRecheckMs: 600_000 } });
    const owner = await t.connect(server, fx.checklistId, fx.users.owner);
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    await Promise.all([owner.synced(), editor.synced()]);

    const refused = addSection(editor.doc, { title: 'Applied, then its author was demoted' });
    const kept = addSection(owner.doc, { title: 'Owner edit in the same window' });
    const serverDoc = server.collab.loadedDocument(fx.checklistId)!;
    await waitFor(() => serverDoc.getMap('sections').has(refused) && serverDoc.getMap('sections').has(kept), 'both edits in memory');
    await t.db.asService((sql) =>
      sql.query(`update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2`, [fx.workspaceId, fx.users.editor.id]),
    );
    const serviceReadsBefore = counting.settled.asService;
    const denials = permissionDenials(editor);
    void server.collab.flush();

    await waitFor(async () => (await storedAuthors(t.db, fx.checklistId)).length > 0, "the owner's share to be written");
    expect(await storedAuthors(t.db, fx.checklistId)).toEqual([fx.users.owner.id]);
    const stored = await storedDoc(t.db, fx.checklistId);
    expect(stored.getMap('sections').has(kept)).toBe(true);
    expect(stored.getMap('sections').has(refused)).toBe(false);
    const metrics = await (await fetch(`http://127.0.0.1:${server.port}/collab/metrics`)).text();
    expect(metricValue(metrics, 'collab_errors_total{kind="persist_rejected"}')).toBe(1);

    // The refusal re-checked the author, and the document went back to its log (docs/decisions/111): both
    // sessions reconnect, the editor as a viewer, whose next edit is refused with a permission-denied frame;
    // the awareness update sent after it reaches the owner alone.
    await waitFor(() => counting.settled.asService > serviceReadsBefore, 'the re-check of the refused author');
    await waitFor(
      () => editor.provider.synced && owner.provider.synced && server.collab.loadedDocument(fx.checklistId) !== undefined,
      'the reconnections',
    );
    expect(server.collab.loadedDocument(fx.checklistId)!.getMap('sections').has(refused)).toBe(false);
    const afterRecheck = addSection(editor.doc, { title: 'After the re-check' });
    editor.provider.awareness.setLocalStateField('user', { name: 'after the re-check' });
    await waitFor(() => denials.length > 0, 'the permission-denied frame');
    expect(denials[0]).toMatch(/viewer.*cannot edit/);
    await waitFor(() => awarenessNames(owner).includes('after the re-check'), 'the later awareness update at the owner');
    expect(server.collab.loadedDocument(fx.checklistId)!.getMap('sections').has(afterRecheck)).toBe(false);
    expect(owner.doc.getMap('sections').has(afterRecheck)).toBe(false);
    owner.destroy();
    editor.destroy();
    await server.close();
  });
});

describe('membership re-check', () => {
  it('re-checks every open session of every document with one read per interval, and applies what it finds', async () => {
    const a = await createFixture(t.db);
    const b = await createFixture(t.db);
    const counting = countingDatabase(t.db);
    const recheckMs = 150;
    const server = await t.startServer(counting.db, { timing: { membershipRecheckMs: recheckMs } });
    const connect = async (fixture: typeof a, who: 'owner' | 'editor' | 'reviewer' | 'viewer') =>
      await t.connect(server, fixture.checklistId, fixture.users[who]);
    const sessions = {
      aOwner: await connect(a, 'owner'),
      aEditor: await connect(a, 'editor'),
      aViewer: await connect(a, 'viewer'),
      bOwner: await connect(b, 'owner'),
      bReviewer: await connect(b, 'reviewer'),
    };
    await Promise.all(Object.values(sessions).map((client) => client.synced()));

    // Several intervals' worth of re-checks, counted: at most one read per interval that passed.
    const before = { ...counting.calls };
    const started = performance.now();
    await waitFor(() => counting.settled.asService - before.asService >= 4, 'four periodic re-checks');
    const elapsed = performance.now() - started;
    expect(counting.calls.asUser - before.asUser).toBe(0);
    const reads = counting.calls.asService - before.asService;
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(Math.ceil(elapsed / recheckMs) + 1);

    await t.db.asService(async (sql) => {
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
