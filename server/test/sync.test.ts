import { addItem, addSection, itemsOf, readChecklist, updateItem } from '@tieout/doc-model';
import type { Database } from '@tieout/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  connectClient,
  createFixture,
  createTestDatabase,
  startServer,
  storedAuthors,
  storedDoc,
  tokenFor,
  waitFor,
  type Client,
  type Fixture,
  type TestDatabase,
} from './support.ts';

let storage: TestDatabase;
let db: Database;
let fx: Fixture;
const clients: Client[] = [];
const track = (client: Client) => (clients.push(client), client);

beforeAll(async () => {
  storage = await createTestDatabase({ reopenable: true });
  db = await storage.open();
  fx = await createFixture(db);
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await storage?.drop();
});

describe('sync between stock y-websocket clients', () => {
  it('propagates edits both ways, persists them attributed to their authors, and keeps them across a restart', async () => {
    const server = await startServer(db, { timing: { persistWindowMs: 20 } });
    const owner = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.owner)));
    const editor = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor)));
    await Promise.all([owner.synced(), editor.synced()]);

    const sectionId = addSection(owner.doc, { title: 'Power' });
    const itemId = addItem(owner.doc, { sectionId, title: 'Confirm 1.3 GW interconnect capacity' });
    await waitFor(() => itemsOf(editor.doc).has(itemId), 5000, 'the item to reach the editor');

    updateItem(editor.doc, itemId, { status: 'in_progress', risk: 'high' });
    await waitFor(() => itemsOf(owner.doc).get(itemId)?.get('status') === 'in_progress', 5000, 'the status to reach the owner');

    await server.collab.flush();
    expect(await storedAuthors(db, fx.checklistId)).toEqual([fx.users.owner.id, fx.users.editor.id].sort());
    const expected = readChecklist(owner.doc);
    expect(readChecklist(await storedDoc(db, fx.checklistId))).toEqual(expected);

    owner.destroy();
    editor.destroy();
    await server.close();
    await db.close();

    // A new process: new Database on the same storage, new server.
    db = await storage.open();
    const restarted = await startServer(db);
    const reader = track(connectClient(restarted.url, fx.checklistId, await tokenFor(fx.users.viewer)));
    await reader.synced();
    await waitFor(() => itemsOf(reader.doc).has(itemId), 5000, 'the stored document to reach a new client');
    expect(readChecklist(reader.doc)).toEqual(expected);
    reader.destroy();
    await restarted.close();
  });

  it('loads a document once when many clients connect at the same time', async () => {
    const server = await startServer(db);
    const seed = new Y.Doc();
    addSection(seed, { title: 'Seeded before anyone connects' });
    const { appendUpdates } = await import('@tieout/db');
    await appendUpdates(db, fx.users.editor.claims, fx.checklistId, fx.workspaceId, [Y.encodeStateAsUpdate(seed)]);

    const tokens = await Promise.all([fx.users.owner, fx.users.editor, fx.users.reviewer, fx.users.viewer].map((u) => tokenFor(u)));
    const many = tokens.flatMap((token) => [token, token]).map((token) => track(connectClient(server.url, fx.checklistId, token)));
    await Promise.all(many.map((client) => client.synced()));
    expect(server.collab.documentCount).toBe(1);
    const serverDoc = server.collab.loadedDocument(fx.checklistId)!;
    // Loaded once: the seeded section is there exactly once and every client sees the same document.
    expect(readChecklist(serverDoc).sections.filter((s) => s.title === 'Seeded before anyone connects')).toHaveLength(1);
    for (const client of many) expect(readChecklist(client.doc)).toEqual(readChecklist(serverDoc));
    for (const client of many) client.destroy();
    await server.close();
  });

  it('unloads an idle document after the delay, writing a snapshot, and serves it again afterwards', async () => {
    const server = await startServer(db, { timing: { unloadDelayMs: 100, persistWindowMs: 10 } });
    const editor = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor)));
    await editor.synced();
    const sectionId = addSection(editor.doc, { title: 'Before unload' });
    await waitFor(() => server.collab.loadedDocument(fx.checklistId)?.getMap('sections').has(sectionId) === true);
    editor.destroy();
    await waitFor(() => server.collab.documentCount === 0, 5000, 'the idle document to unload');
    const { rows } = await db.asService((sql) =>
      sql.query(`select 1 from public.document_snapshots where checklist_id = $1`, [fx.checklistId]),
    );
    expect(rows).toHaveLength(1);

    const again = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.viewer)));
    await again.synced();
    await waitFor(() => again.doc.getMap('sections').has(sectionId), 5000, 'the reloaded document');
    again.destroy();
    await server.close();
  });
});
