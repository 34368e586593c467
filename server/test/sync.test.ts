import { addItem, addSection, itemsOf, readChecklist, updateItem } from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectClient, storedAuthors, storedDoc, tokenFor, useCollabServer, waitFor } from '../src/testing.ts';

// On disk, so the database can be closed and opened again as a new process would.
const t = useCollabServer({ server: false, persistent: true });

describe('sync between stock y-websocket clients', () => {
  it('propagates edits both ways, persists them attributed to their authors, and keeps them across a restart', async () => {
    const server = await t.startServer(t.db, { timing: { persistWindowMs: 20 } });
    const owner = await t.connect(server, t.fx.checklistId, t.fx.users.owner);
    const editor = await t.connect(server, t.fx.checklistId, t.fx.users.editor);
    await Promise.all([owner.synced(), editor.synced()]);

    const sectionId = addSection(owner.doc, { title: 'Power' });
    const itemId = addItem(owner.doc, { sectionId, title: 'Confirm 1.3 GW interconnect capacity' });
    await waitFor(() => itemsOf(editor.doc).has(itemId), 'the item to reach the editor');

    updateItem(editor.doc, itemId, { status: 'in_progress', risk: 'high' });
    await waitFor(() => itemsOf(owner.doc).get(itemId)?.get('status') === 'in_progress', 'the status to reach the owner');

    await server.collab.flush();
    expect(await storedAuthors(t.db, t.fx.checklistId)).toEqual([t.fx.users.owner.id, t.fx.users.editor.id].sort());
    const expected = readChecklist(owner.doc);
    expect(readChecklist(await storedDoc(t.db, t.fx.checklistId))).toEqual(expected);

    owner.destroy();
    editor.destroy();
    await server.close();
    await t.db.close();

    // A new process: new Database on the same storage, new server.
    t.db = await t.scratch.open();
    const restarted = await t.startServer(t.db);
    const reader = await t.connect(restarted, t.fx.checklistId, t.fx.users.viewer);
    await reader.synced();
    await waitFor(() => itemsOf(reader.doc).has(itemId), 'the stored document to reach a new client');
    expect(readChecklist(reader.doc)).toEqual(expected);
    reader.destroy();
    await restarted.close();
  });

  it('loads a document once when many clients connect at the same time', async () => {
    const server = await t.startServer(t.db);
    const seed = new Y.Doc();
    addSection(seed, { title: 'Seeded before anyone connects' });
    const { appendUpdates } = await import('@tieout/db');
    await appendUpdates(t.db, t.fx.users.editor.claims, t.fx.checklistId, t.fx.workspaceId, [Y.encodeStateAsUpdate(seed)]);

    const tokens = await Promise.all([t.fx.users.owner, t.fx.users.editor, t.fx.users.reviewer, t.fx.users.viewer].map((u) => tokenFor(u)));
    const many = tokens.flatMap((token) => [token, token]).map((token) => t.track(connectClient(server.url, t.fx.checklistId, token)));
    await Promise.all(many.map((client) => client.synced()));
    expect(server.collab.documentCount).toBe(1);
    const serverDoc = server.collab.loadedDocument(t.fx.checklistId)!;
    // Loaded once: the seeded section is there exactly once and every client sees the same document.
    expect(readChecklist(serverDoc).sections.filter((s) => s.title === 'Seeded before anyone connects')).toHaveLength(1);
    for (const client of many) expect(readChecklist(client.doc)).toEqual(readChecklist(serverDoc));
    for (const client of many) client.destroy();
    await server.close();
  });

  it('unloads an idle document after the delay, writing a snapshot, and serves it again afterwards', async () => {
    const server = await t.startServer(t.db, { timing: { unloadDelayMs: 100, persistWindowMs: 10 } });
    const editor = await t.connect(server, t.fx.checklistId, t.fx.users.editor);
    await editor.synced();
    const sectionId = addSection(editor.doc, { title: 'Before unload' });
    await waitFor(() => server.collab.loadedDocument(t.fx.checklistId)?.getMap('sections').has(sectionId) === true);
    editor.destroy();
    await waitFor(() => server.collab.documentCount === 0, 'the idle document to unload');
    const { rows } = await t.db.asService((sql) => sql.query(`select 1 from public.document_snapshots where checklist_id = $1`, [t.fx.checklistId]));
    expect(rows).toHaveLength(1);

    const again = await t.connect(server, t.fx.checklistId, t.fx.users.viewer);
    await again.synced();
    await waitFor(() => again.doc.getMap('sections').has(sectionId), 'the reloaded document');
    again.destroy();
    await server.close();
  });
});
