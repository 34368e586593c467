import { addItem, addSection, itemNotes, itemsOf, updateItem } from '@tieout/doc-model';
import { listAuditTrail, listVersions } from '@tieout/db';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { auditTrailExtension, projectionExtension, versionRecorderExtension, type RecorderClock } from '../src/index.ts';
import { createFixture, useCollabServer, waitFor } from '../src/testing.ts';

const t = useCollabServer({ server: false });

/** A clock whose time only moves when the test says so; due timers fire on `advance`. */
function fakeClock(): RecorderClock & { advance(ms: number): void; pending(): number } {
  let now = 1_000_000;
  let timers: { at: number; run: () => void; id: number }[] = [];
  let next = 1;
  return {
    now: () => now,
    setTimeout(run, ms) {
      const id = next++;
      timers.push({ at: now + ms, run, id });
      return id;
    },
    clearTimeout(handle) {
      timers = timers.filter((timer) => timer.id !== handle);
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((timer) => timer.at <= now);
      timers = timers.filter((timer) => timer.at > now);
      for (const timer of due) timer.run();
    },
    pending: () => timers.length,
  };
}

const atServer = (server: { collab: { loadedDocument(id: string): Y.Doc | undefined } }, checklistId: string, check: (doc: Y.Doc) => boolean) =>
  waitFor(() => {
    const doc = server.collab.loadedDocument(checklistId);
    return doc !== undefined && check(doc);
  }, 'the change at the server');

describe('audit writer', () => {
  it('attributes concurrent edits by two users to each of them, item by item and field by field', async () => {
    const fx = await createFixture(t.db);
    const server = await t.startServer(t.db, { timing: { persistWindowMs: 200 }, extensions: [auditTrailExtension(t.db)] });
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    const owner = await t.connect(server, fx.checklistId, fx.users.owner);
    await Promise.all([editor.synced(), owner.synced()]);
    const sectionId = addSection(editor.doc, { title: 'Power' });
    const a = addItem(editor.doc, { sectionId, title: 'Interconnection agreement' });
    const b = addItem(editor.doc, { sectionId, title: 'Substation capacity' });
    await waitFor(() => itemsOf(owner.doc).has(b), 'the items at the owner');
    await server.collab.flush();

    // Both edit at once, within one persistence window: the same item (different fields) and another item.
    updateItem(editor.doc, a, { status: 'done' });
    updateItem(owner.doc, a, { risk: 'high' });
    updateItem(owner.doc, b, { title: 'Substation capacity (150 MVA)' });
    await atServer(server, fx.checklistId, (doc) => {
      const items = itemsOf(doc);
      return items.get(a)?.get('status') === 'done' && items.get(a)?.get('risk') === 'high';
    });
    // Then the owner changes what the editor just set: a second row, the owner's, from the editor's value.
    await waitFor(() => itemsOf(owner.doc).get(a)?.get('status') === 'done', 'the editor’s status at the owner');
    updateItem(owner.doc, a, { status: 'blocked' });
    await atServer(server, fx.checklistId, (doc) => itemsOf(doc).get(a)?.get('status') === 'blocked');
    await server.collab.flush();

    const rows = () => listAuditTrail(t.db, fx.users.viewer.claims, { checklistId: fx.checklistId, kinds: ['item_field'] });
    await waitFor(async () => (await rows()).length >= 4, 'the audit rows');
    const fields = (await rows()).map(({ itemId, field, oldValue, newValue, userId }) => ({ itemId, field, oldValue, newValue, userId })).reverse();
    expect(new Set(fields.map((row) => JSON.stringify(row)))).toEqual(
      new Set(
        [
          { itemId: a, field: 'status', oldValue: 'not_started', newValue: 'done', userId: fx.users.editor.id },
          { itemId: a, field: 'risk', oldValue: null, newValue: 'high', userId: fx.users.owner.id },
          { itemId: b, field: 'title', oldValue: 'Substation capacity', newValue: 'Substation capacity (150 MVA)', userId: fx.users.owner.id },
          { itemId: a, field: 'status', oldValue: 'done', newValue: 'blocked', userId: fx.users.owner.id },
        ].map((row) => JSON.stringify(row)),
      ),
    );
    // The editor's status row comes before the owner's change of it.
    const order = fields.filter((row) => row.field === 'status').map((row) => row.userId);
    expect(order).toEqual([fx.users.editor.id, fx.users.owner.id]);
    const created = await listAuditTrail(t.db, fx.users.viewer.claims, { checklistId: fx.checklistId, kinds: ['item_created', 'section_created'] });
    expect(created.map((row) => [row.kind, row.userId])).toEqual(
      expect.arrayContaining([
        ['section_created', fx.users.editor.id],
        ['item_created', fx.users.editor.id],
        ['item_created', fx.users.editor.id],
      ]),
    );
    await server.close();
  });

  it('merges a person’s typing in the notes and records who deleted an item', async () => {
    const fx = await createFixture(t.db);
    const server = await t.startServer(t.db, { timing: { persistWindowMs: 20 }, extensions: [auditTrailExtension(t.db)] });
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    await editor.synced();
    const sectionId = addSection(editor.doc, { title: 'Power' });
    const item = addItem(editor.doc, { sectionId, title: 'Interconnection agreement' });
    const paragraph = new Y.XmlElement('paragraph');
    const text = new Y.XmlText('');
    paragraph.insert(0, [text]);
    itemNotes(editor.doc, item).insert(0, [paragraph]);
    const words = 'Signed by the utility on 3 March'.split(' ');
    for (const [index, word] of words.entries()) text.insert(text.length, index === 0 ? word : ` ${word}`);
    await atServer(server, fx.checklistId, (doc) => JSON.stringify(doc.toJSON()).includes('3 March'));
    await server.collab.flush();
    itemsOf(editor.doc).delete(item);
    await atServer(server, fx.checklistId, (doc) => !itemsOf(doc).has(item));
    await server.collab.flush();

    await waitFor(
      async () => (await listAuditTrail(t.db, fx.users.owner.claims, { checklistId: fx.checklistId, kinds: ['item_deleted'] })).length === 1,
      'the deletion row',
    );
    const notes = await listAuditTrail(t.db, fx.users.owner.claims, { checklistId: fx.checklistId, itemId: item, field: 'notes' });
    expect(notes.length).toBeGreaterThan(0);
    expect(notes.length).toBeLessThan(words.length);
    expect(notes.every((row) => row.userId === fx.users.editor.id)).toBe(true);
    expect(notes[0]!.newValue).toBe('Signed by the utility on 3 March');
    const [deleted] = await listAuditTrail(t.db, fx.users.owner.claims, { checklistId: fx.checklistId, kinds: ['item_deleted'] });
    expect(deleted).toMatchObject({ itemId: item, userId: fx.users.editor.id, oldValue: { title: 'Interconnection agreement', sectionId } });
    await server.close();
  });

  it('keeps no live shadow of a document nobody edits, and audits an edit after a rest from the shadow it rebuilds', async () => {
    const fx = await createFixture(t.db);
    const audit = auditTrailExtension(t.db, { shadowIdleMs: 50 });
    const server = await t.startServer(t.db, { timing: { persistWindowMs: 20 }, extensions: [audit] });
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    await editor.synced();
    // Loaded, not edited: the shadow is one encoded update, no second copy of the document.
    expect(audit.shadows()).toEqual({ live: 0, resting: 1 });
    const sectionId = addSection(editor.doc, { title: 'Power' });
    const item = addItem(editor.doc, { sectionId, title: 'Interconnection agreement' });
    await atServer(server, fx.checklistId, (doc) => itemsOf(doc).has(item));
    await server.collab.flush();
    const rows = () => listAuditTrail(t.db, fx.users.owner.claims, { checklistId: fx.checklistId, itemId: item, kinds: ['item_field'] });
    await waitFor(
      async () => (await listAuditTrail(t.db, fx.users.owner.claims, { checklistId: fx.checklistId, kinds: ['item_created'] })).length === 1,
      'the created row',
    );
    // The run made the shadow live; without further runs it goes back to rest.
    await waitFor(() => audit.shadows().live === 0 && audit.shadows().resting === 1, 'the shadow at rest');

    // Edits after the rest are diffed against the rebuilt shadow: old values as they were, nothing else reported.
    updateItem(editor.doc, item, { status: 'done', title: 'Interconnection agreement (signed)' });
    await atServer(server, fx.checklistId, (doc) => itemsOf(doc).get(item)?.get('status') === 'done');
    await server.collab.flush();
    await waitFor(async () => (await rows()).length >= 2, 'the rows of the edit after the rest');
    const fields = (await rows()).map(({ field, oldValue, newValue, userId }) => ({ field, oldValue, newValue, userId }));
    expect(fields.sort((a, b) => String(a.field).localeCompare(String(b.field)))).toEqual([
      { field: 'status', oldValue: 'not_started', newValue: 'done', userId: fx.users.editor.id },
      { field: 'title', oldValue: 'Interconnection agreement', newValue: 'Interconnection agreement (signed)', userId: fx.users.editor.id },
    ]);
    expect(await listAuditTrail(t.db, fx.users.owner.claims, { checklistId: fx.checklistId, kinds: ['item_created'] })).toHaveLength(1);
    await waitFor(() => audit.shadows().live === 0, 'the shadow at rest again');
    await server.close();
    expect(audit.shadows()).toEqual({ live: 0, resting: 0 });
  });
});

describe('version recorder', () => {
  it('records a version when a burst settles, at most every interval while editing goes on, and when the document unloads', async () => {
    const fx = await createFixture(t.db);
    const clock = fakeClock();
    const server = await t.startServer(t.db, {
      timing: { persistWindowMs: 10, unloadDelayMs: 10 },
      // Runs after every persistence window: this tests the recorder's clock, not the spacing of runs (decision 178).
      afterPersist: { afterPersistIntervalMs: 0, afterPersistMaxIntervalMs: 0 },
      extensions: [projectionExtension(t.db), versionRecorderExtension({ db: t.db, quietMs: 5 * 60_000, maxIntervalMs: 60 * 60_000, clock })],
    });
    const versions = () => listVersions(t.db, fx.users.viewer.claims, fx.checklistId);
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    const owner = await t.connect(server, fx.checklistId, fx.users.owner);
    await Promise.all([editor.synced(), owner.synced()]);

    const sectionId = addSection(editor.doc, { title: 'Power' });
    await atServer(server, fx.checklistId, (doc) => doc.getMap('sections').has(sectionId));
    await waitFor(() => clock.pending() === 1, 'the quiet timer');
    clock.advance(4 * 60_000);
    expect(await versions()).toEqual([]);
    // More editing within the quiet period pushes the version back.
    await waitFor(() => owner.doc.getMap('sections').has(sectionId), 'the section at the owner');
    const item = addItem(owner.doc, { sectionId, title: 'Interconnection agreement' });
    await atServer(server, fx.checklistId, (doc) => itemsOf(doc).has(item));
    await server.collab.flush();
    await waitFor(() => clock.pending() === 1, 'the quiet timer again');
    clock.advance(4 * 60_000);
    expect(await versions()).toEqual([]);
    clock.advance(60_000);
    await waitFor(async () => (await versions()).length === 1, 'the automatic version');
    expect((await versions())[0]).toMatchObject({ kind: 'auto', editors: [fx.users.editor.id, fx.users.owner.id].sort() });

    // Continuous editing: never 5 minutes of quiet, yet a version after an hour.
    const recorderRuns = async () =>
      (await server.collab.metrics.afterPersistRuns.get()).values.find((value) => value.labels.extension === 'version-recorder')?.value ?? 0;
    let runsSoFar = await recorderRuns();
    for (let minute = 0; minute <= 64; minute += 4) {
      updateItem(editor.doc, item, { title: `Interconnection agreement, draft ${minute}` });
      await atServer(server, fx.checklistId, (doc) => String(itemsOf(doc).get(item)?.get('title') ?? '').includes(`draft ${minute}`));
      await server.collab.flush();
      const before = runsSoFar;
      await waitFor(async () => (runsSoFar = await recorderRuns()) > before, 'the recorder run');
      clock.advance(4 * 60_000);
    }
    await waitFor(async () => (await versions()).length === 2, 'the hourly version');
    expect((await versions())[0]!.editors).toEqual([fx.users.editor.id]);

    // Everyone leaves with edits since the last version: one more version as the document unloads.
    updateItem(owner.doc, item, { status: 'done' });
    await atServer(server, fx.checklistId, (doc) => itemsOf(doc).get(item)?.get('status') === 'done');
    editor.destroy();
    owner.destroy();
    await waitFor(() => server.collab.documentCount === 0, 'the unload');
    const all = await versions();
    expect(all).toHaveLength(3);
    expect(all[0]!.editors).toContain(fx.users.owner.id);
    await server.close();
  });
});
