import {
  addItem,
  addSection,
  itemNotes,
  itemNotesText,
  itemsOf,
  notesDepth,
  NOTES_MAX_DEPTH,
  readChecklist,
  renameSection,
  sectionsOf,
  updateItem,
} from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../src/index.ts';
import { updateMessage as syncUpdateFrame } from '../src/protocol.ts';
import { createFixture, metricValue, rawClient, storedDoc, tokenFor, useCollabServer, waitFor, type Fixture } from '../src/testing.ts';

/*
 * The server refuses a well-formed Yjs update that breaks the checklist schema before applying it: nothing of it
 * reaches the document in memory, the other sessions or the database, and the session that sent it is closed
 * with 4400. Readers tolerating such content (decision 062) stays the second line, for logs stored before this.
 */

const t = useCollabServer({ server: { timing: { persistWindowMs: 10 } } });

async function storedRowCount(checklistId: string): Promise<number> {
  const { rows } = await t.db.asService((sql) =>
    sql.query<{ count: string | number }>(`select count(*) as count from public.document_updates where checklist_id = $1`, [checklistId]),
  );
  return Number(rows[0]!.count);
}

async function schemaViolations(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${t.server.port}/collab/metrics`)).text();
  return metricValue(text, 'collab_errors_total{kind="schema_violation"}') || 0;
}

/** A checklist with content, a connected owner, and what the server and the database hold for it. */
async function checklistWithOwner() {
  const checklist = await createFixture(t.db);
  const owner = await t.connect(t.server, checklist.checklistId, checklist.users.owner);
  await owner.synced();
  const sectionId = addSection(owner.doc, { title: 'Power' });
  const itemId = addItem(owner.doc, { sectionId, title: 'Substation capacity', notes: ['Utility letter received.'] });
  const live = t.server.collab.loadedDocument(checklist.checklistId)!;
  await waitFor(() => itemsOf(live).has(itemId), 'the owner edits on the server');
  await t.server.collab.flush();
  return { checklist, owner, sectionId, itemId, live };
}

describe('schema-breaking updates', () => {
  const cases: [string, (doc: Y.Doc, ids: { sectionId: string; itemId: string }) => void, RegExp][] = [
    [
      'an item that is a string',
      (doc) => (itemsOf(doc) as Y.Map<unknown>).set('not-a-map', 'just a string'),
      /an item entry is a string, not a Y.Map/,
    ],
    ['a new root map', (doc) => doc.getMap('evil').set('payload', 1), /unknown root "evil"/],
    ['a status outside the enum', (doc, { itemId }) => itemsOf(doc).get(itemId)!.set('status', 'archived'), /item "status"/],
    ['notes replaced by a string', (doc, { itemId }) => itemsOf(doc).get(itemId)!.set('notes', 'plain text'), /item "notes" is a string/],
  ];

  for (const [what, write, reason] of cases) {
    it(`closes a stock client that sends ${what} with 4400; the document, the log and the other sessions are untouched`, async () => {
      const { checklist, owner, sectionId, itemId, live } = await checklistWithOwner();
      const expected = readChecklist(live);
      const stateBefore = Y.encodeStateVector(live);
      const rowsBefore = await storedRowCount(checklist.checklistId);
      const violationsBefore = await schemaViolations();

      const mallory = await t.connect(t.server, checklist.checklistId, checklist.users.editor);
      await mallory.synced();
      write(mallory.doc, { sectionId, itemId });
      const closed = await mallory.closed;
      expect(closed.code).toBe(CloseCode.malformed);
      expect(closed.reason).toMatch(/^update breaks the checklist schema: /);
      expect(closed.reason).toMatch(reason);
      expect(await schemaViolations()).toBe(violationsBefore + 1);

      // The owner's session goes on: it never saw the update, and its next edit reaches a new reader.
      const next = addSection(owner.doc, { title: 'After the refusal' });
      const reader = await t.connect(t.server, checklist.checklistId, checklist.users.viewer);
      await reader.synced();
      await waitFor(() => sectionsOf(reader.doc).has(next), "the owner's next edit to reach a reader");
      expect(owner.provider.wsconnected).toBe(true);
      expect(readChecklist(owner.doc)).toEqual(readChecklist(reader.doc));
      expect(owner.doc.share.has('evil')).toBe(false);
      expect(itemsOf(owner.doc).has('not-a-map')).toBe(false);

      // Nothing of it in memory (not even pending) nor in the database: only the owner's later edit was added.
      expect(live.store.pendingStructs).toBeNull();
      expect(live.share.has('evil')).toBe(false);
      await t.server.collab.flush();
      expect(await storedRowCount(checklist.checklistId)).toBe(rowsBefore + 1);
      const stored = await storedDoc(t.db, checklist.checklistId);
      expect(stored.share.has('evil')).toBe(false);
      expect(readChecklist(stored)).toEqual(readChecklist(live));
      const withoutNext = readChecklist(live);
      withoutNext.sections = withoutNext.sections.filter((section) => section.id !== next);
      expect(withoutNext).toEqual(expected);
      // Every client id the server has, it had before, except the owner's own next edit.
      const before = Y.decodeStateVector(stateBefore);
      for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(live))) {
        if (client !== owner.doc.clientID) expect(clock).toBe(before.get(client));
      }
    });
  }

  it('refuses a bad write hidden in a transaction with good ones: none of it is applied', async () => {
    const { checklist, itemId, live } = await checklistWithOwner();
    const expected = readChecklist(live);
    const mallory = await t.connect(t.server, checklist.checklistId, checklist.users.editor);
    await mallory.synced();
    mallory.doc.transact(() => {
      updateItem(mallory.doc, itemId, { title: 'Looks harmless' });
      itemsOf(mallory.doc).get(itemId)!.set('owner', 'mallory');
    });
    expect((await mallory.closed).reason).toMatch(/an item has no field "owner"/);
    expect(readChecklist(live)).toEqual(expected);
    await t.server.collab.flush();
    expect(readChecklist(await storedDoc(t.db, checklist.checklistId))).toEqual(expected);
  });
});

/** `update` with the length-prefixed JSON text `from` (as Yjs writes an embed) replaced by `to`. */
function withJsonReplaced(update: Uint8Array, from: string, to: string): Uint8Array {
  const varuint = (n: number) => {
    const bytes: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes.push((n & 0x7f) | 0x80);
    bytes.push(n);
    return bytes;
  };
  const needle = [...varuint(Buffer.byteLength(from)), ...Buffer.from(from)];
  const at = Buffer.from(update).indexOf(Buffer.from(needle));
  if (at < 0) throw new Error('the JSON text is not in the update');
  return new Uint8Array([...update.subarray(0, at), ...varuint(Buffer.byteLength(to)), ...Buffer.from(to), ...update.subarray(at + needle.length)]);
}

describe('poisoned and deep content (issue 10)', () => {
  it('refuses a deeply nested embed before applying any of it; new sessions keep syncing', async () => {
    const { checklist, itemId, live } = await checklistWithOwner();
    const expected = readChecklist(live);
    // An embed in the notes whose JSON nests 20,000 levels: Yjs would take it in and then fail to encode the document.
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(live));
    const before = Y.encodeStateVector(copy);
    const paragraph = new Y.XmlElement('paragraph');
    const text = new Y.XmlText();
    paragraph.insert(0, [text]);
    itemNotes(copy, itemId).push([paragraph]);
    text.insertEmbed(0, { embed: 'PLACEHOLDER' });
    const poisoned = withJsonReplaced(
      Y.encodeStateAsUpdate(copy, before),
      '{"embed":"PLACEHOLDER"}',
      '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000),
    );

    const mallory = rawClient(`${t.server.url}/${checklist.checklistId}?token=${await tokenFor(checklist.users.editor)}`);
    await mallory.opened;
    mallory.ws.send(syncUpdateFrame(poisoned));
    expect(await mallory.closed).toEqual({
      code: CloseCode.malformed,
      reason: 'update breaks the checklist schema: a value nested deeper than 32 levels',
    });
    expect(readChecklist(live)).toEqual(expected);
    expect(() => Y.encodeStateAsUpdate(live)).not.toThrow();
    // Every new session of the checklist still syncs.
    const reader = await t.connect(t.server, checklist.checklistId, checklist.users.viewer);
    await reader.synced();
    expect(readChecklist(reader.doc)).toEqual(expected);
    await t.server.collab.flush();
    expect(readChecklist(await storedDoc(t.db, checklist.checklistId))).toEqual(expected);
  });

  it('counts the nesting already in the document: notes deepened a little per edit stop at the limit', async () => {
    const { checklist, itemId, owner, live } = await checklistWithOwner();
    const mallory = await t.connect(t.server, checklist.checklistId, checklist.users.editor);
    await mallory.synced();
    let deepest: Y.XmlFragment | Y.XmlElement = itemNotes(mallory.doc, itemId);
    // Twenty levels per edit, each edit shallow on its own, until the server closes the session.
    for (let round = 0; round < 10 && mallory.provider.wsconnected; round += 1) {
      mallory.doc.transact(() => {
        for (let level = 0; level < 20; level += 1) {
          const child = new Y.XmlElement('blockquote');
          deepest.push([child]);
          deepest = child;
        }
      });
      const depth = notesDepth(mallory.doc, itemId, 1000);
      await waitFor(() => notesDepth(live, itemId, 1000) === depth || !mallory.provider.wsconnected, 'the edit to be judged');
    }
    const closed = await mallory.closed;
    expect(closed).toEqual({ code: CloseCode.malformed, reason: 'update breaks the checklist schema: nested too deeply' });
    expect(notesDepth(live, itemId)).toBeLessThanOrEqual(NOTES_MAX_DEPTH);
    await waitFor(() => notesDepth(owner.doc, itemId) === notesDepth(live, itemId), 'the accepted levels at the owner');
    expect(itemNotesText(owner.doc, itemId)).toBe('Utility letter received.');
  });
});

describe('updates that build on content the session has not sent yet', () => {
  it('holds an edit made while reconnecting on top of offline edits, then applies it after the sync (stock client)', async () => {
    const { checklist, owner, itemId, live } = await checklistWithOwner();
    owner.provider.disconnect();
    updateItem(owner.doc, itemId, { title: 'Edited offline' });
    const offline = addSection(owner.doc, { title: 'Made offline' });
    // The socket is open, the sync step 2 with the offline edits is not sent yet: the user types on.
    let typedWhileReconnecting = false;
    owner.provider.on('status', ({ status }: { status: string }) => {
      if (status !== 'connected' || typedWhileReconnecting) return;
      typedWhileReconnecting = true;
      updateItem(owner.doc, itemId, { title: 'Edited while reconnecting' });
      renameSection(owner.doc, offline, 'Renamed while reconnecting');
    });
    const closes: { code: number; reason: string }[] = [];
    owner.provider.on('connection-close', (event) => event && closes.push({ code: event.code, reason: event.reason }));
    owner.provider.connect();
    await waitFor(() => owner.provider.synced || closes.length > 0, 'the reconnect to sync or close');
    expect(closes).toEqual([]);
    await waitFor(() => readChecklist(live).sections.some((section) => section.title === 'Renamed while reconnecting'), 'the held edits');
    expect(typedWhileReconnecting).toBe(true);
    expect(owner.provider.wsconnected).toBe(true);
    expect(readChecklist(live)).toEqual(readChecklist(owner.doc));
    expect(readChecklist(live).sections[0]!.items[0]!.title).toBe('Edited while reconnecting');
    expect(live.store.pendingStructs).toBeNull();
    await t.server.collab.flush();
    expect(readChecklist(await storedDoc(t.db, checklist.checklistId))).toEqual(readChecklist(owner.doc));
  });

  /** An author's two edits: one the server does not get first, and one that builds on it. */
  function twoEdits(base: Y.Doc, first: (doc: Y.Doc) => string, second: (doc: Y.Doc, id: string) => void) {
    const author = new Y.Doc();
    Y.applyUpdate(author, Y.encodeStateAsUpdate(base));
    const start = Y.encodeStateVector(author);
    const id = first(author);
    const firstUpdate = Y.encodeStateAsUpdate(author, start);
    const middle = Y.encodeStateVector(author);
    second(author, id);
    return { first: firstUpdate, second: Y.encodeStateAsUpdate(author, middle) };
  }

  async function rawEditor(checklist: Fixture) {
    const client = rawClient(`${t.server.url}/${checklist.checklistId}?token=${await tokenFor(checklist.users.editor)}`);
    await client.opened;
    // The server's sync step 1 comes once the session is authorized: frames sent before would be queued (and bounded).
    await waitFor(() => client.frames.length > 0, 'the session to open');
    return client;
  }

  it('applies a held update once the content it builds on arrives in a later frame', async () => {
    const { checklist, live } = await checklistWithOwner();
    const edits = twoEdits(
      live,
      (doc) => addSection(doc, { title: 'First' }),
      (doc, id) => renameSection(doc, id, 'Second'),
    );
    const client = await rawEditor(checklist);
    client.ws.send(syncUpdateFrame(edits.second));
    client.ws.send(syncUpdateFrame(edits.first));
    await waitFor(() => readChecklist(live).sections.some((section) => section.title === 'Second'), 'both edits');
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.ws.close();
    await client.closed;
  });

  it('refuses a held update that breaks the schema once the content it builds on arrives', async () => {
    const { checklist, live } = await checklistWithOwner();
    const edits = twoEdits(
      live,
      (doc) => addSection(doc, { title: 'Made first' }),
      (doc, id) => (sectionsOf(doc).get(id) as Y.Map<unknown>).set('status', 'done'),
    );
    const client = await rawEditor(checklist);
    client.ws.send(syncUpdateFrame(edits.second));
    client.ws.send(syncUpdateFrame(edits.first));
    const closed = await client.closed;
    expect(closed.code).toBe(CloseCode.malformed);
    expect(closed.reason).toMatch(/a section has no field "status"/);
    // The first edit was valid and stays; the second never got in.
    const section = readChecklist(live).sections.find((s) => s.title === 'Made first');
    expect(section).toBeDefined();
    expect((sectionsOf(live).get(section!.id) as Y.Map<unknown>).has('status')).toBe(false);
  });

  it('closes a session whose held updates pile up without the content they build on, and applies none of them', async () => {
    const { checklist, live, itemId } = await checklistWithOwner();
    const expected = readChecklist(live);
    const author = new Y.Doc();
    Y.applyUpdate(author, Y.encodeStateAsUpdate(live));
    const withheld = addSection(author, { title: 'Never sent' });
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 201; i++) {
      const before = Y.encodeStateVector(author);
      renameSection(author, withheld, `Rename ${i}`);
      updateItem(author, itemId, { title: `Title ${i}` });
      frames.push(syncUpdateFrame(Y.encodeStateAsUpdate(author, before)));
    }
    const client = await rawEditor(checklist);
    for (const frame of frames) client.ws.send(frame);
    const closed = await client.closed;
    expect(closed.code).toBe(CloseCode.malformed);
    expect(closed.reason).toMatch(/refer to content that was never sent/);
    expect(readChecklist(live)).toEqual(expected);
    expect(live.store.pendingStructs).toBeNull();
  });
});
