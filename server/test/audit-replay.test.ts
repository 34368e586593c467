import { addItem, addSection, itemNotes, updateItem } from '@tieout/doc-model';
import { appendUpdates, compactDocument, latestUpdateId, listAuditTrail, loadStoredDocument, type JwtClaims } from '@tieout/db';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { auditTrailExtension, type CollabExtension, type PersistedUpdate } from '../src/index.ts';
import { createFixture, useCollabServer } from '../src/testing.ts';

/*
 * The audit writer's cursor (decision 121) with the hooks called directly: one writer instance "dies" (it is dropped
 * without its unload, its notes timer never fires) while it holds a person's notes row, a later edit is logged but never
 * run, and the log is compacted as far as it may be. A second instance loading the document writes exactly the rows
 * the first one had not: the held notes row once, the unrun edit as its author, nothing twice.
 */

const t = useCollabServer({ server: false });
const logger = pino({ level: 'silent' });

describe('audit writer replay from its cursor', () => {
  it('writes the held and the unrun rows after a crash, once each, and compaction stops at the cursor', async () => {
    const fx = await createFixture(t.db);
    const { editor, owner } = fx.users;
    const live = await loadStoredDocument(t.db, fx.checklistId);
    /** Makes a change as `claims` on the live document and logs it as them; returns the update as persisted. */
    const edit = async (claims: JwtClaims, userId: string, change: (doc: Y.Doc) => void): Promise<PersistedUpdate> => {
      let update: Uint8Array | null = null;
      const capture = (u: Uint8Array) => (update = u);
      live.once('update', capture);
      live.transact(() => change(live));
      const { ids } = await appendUpdates(t.db, claims, fx.checklistId, fx.workspaceId, [update!]);
      return { source: 'persisted', userId, updateId: ids[0]!, update: update! };
    };
    const ctx = (doc: Y.Doc) => ({ checklistId: fx.checklistId, workspaceId: fx.workspaceId, doc, logger });

    const first: CollabExtension = auditTrailExtension(t.db);
    const firstDoc = await loadStoredDocument(t.db, fx.checklistId);
    await first.afterLoadDocument!(ctx(firstDoc));
    let sectionId = '';
    let item = '';
    const created = await edit(editor.claims, editor.id, (doc) => {
      sectionId = addSection(doc, { title: 'Power' });
      item = addItem(doc, { sectionId, title: 'Interconnection agreement' });
    });
    const noChanges = { items: new Set<string>(), sections: new Set<string>(), meta: false };
    await first.afterPersist!({ ...ctx(firstDoc), updates: [created], changes: noChanges, spacingMs: 0 });

    // The owner types in the notes (held while typing) as the editor sets the status (written, with the cursor).
    const text = new Y.XmlText('');
    const typed = await edit(owner.claims, owner.id, (doc) => {
      const paragraph = new Y.XmlElement('paragraph');
      paragraph.insert(0, [text]);
      itemNotes(doc, item).insert(0, [paragraph]);
      text.insert(0, 'Signed');
    });
    const status = await edit(editor.claims, editor.id, (doc) => updateItem(doc, item, { status: 'done' }));
    // The notes timer is created under fake timers and never fires: the process dies before it would.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await first.afterPersist!({ ...ctx(firstDoc), updates: [typed, status], changes: noChanges, spacingMs: 0 });
    } finally {
      vi.useRealTimers();
    }
    // Logged, never run: the owner's next word, then the editor's risk.
    await edit(owner.claims, owner.id, () => text.insert(text.length, ' on 3 March'));
    await edit(editor.claims, editor.id, (doc) => updateItem(doc, item, { risk: 'high' }));

    const rows = async () =>
      (await listAuditTrail(t.db, owner.claims, { checklistId: fx.checklistId }))
        .reverse()
        .map(({ kind, itemId, field, oldValue, newValue, userId }) => ({ kind, itemId, field, oldValue, newValue, userId }));
    const before = await rows();
    expect(before.map((row) => row.field)).toEqual([null, null, 'status']);

    // Compaction may not cover the held notes row's first update: it stops right before it.
    const compacted = await compactDocument(t.db, fx.checklistId, new Uint8Array([0, 0]), await latestUpdateId(t.db, fx.checklistId));
    expect(compacted.lastUpdateId).toBe(typed.updateId! - 1);

    const second = auditTrailExtension(t.db);
    const secondDoc = await loadStoredDocument(t.db, fx.checklistId);
    await second.afterLoadDocument!(ctx(secondDoc));
    await second.beforeUnloadDocument!(ctx(secondDoc));
    expect(await rows()).toEqual([
      ...before,
      // Each row is timed like its (last) log row: the notes row's is the owner's second word, before the risk.
      { kind: 'item_field', itemId: item, field: 'notes', oldValue: '', newValue: 'Signed on 3 March', userId: owner.id },
      { kind: 'item_field', itemId: item, field: 'risk', oldValue: null, newValue: 'high', userId: editor.id },
    ]);
  });

  it('with rooms shared across processes, leaves rows younger than the margin to their live writer and audits older ones', async () => {
    const fx = await createFixture(t.db);
    const { editor } = fx.users;
    const live = await loadStoredDocument(t.db, fx.checklistId);
    const ctx = (doc: Y.Doc) => ({ checklistId: fx.checklistId, workspaceId: fx.workspaceId, doc, logger });
    const log = async (change: (doc: Y.Doc) => void) => {
      let update: Uint8Array | null = null;
      live.once('update', (u: Uint8Array) => (update = u));
      live.transact(() => change(live));
      await appendUpdates(t.db, editor.claims, fx.checklistId, fx.workspaceId, [update!]);
    };
    // The cursor is made at the newest log row by the first load; the edit after it is logged and never run here.
    const cursorMaker = auditTrailExtension(t.db);
    const cursorDoc = await loadStoredDocument(t.db, fx.checklistId);
    await cursorMaker.afterLoadDocument!(ctx(cursorDoc));
    await cursorMaker.beforeUnloadDocument!(ctx(cursorDoc));
    let item = '';
    await log((doc) => {
      item = addItem(doc, { sectionId: addSection(doc, { title: 'Cooling' }), title: 'Chiller capacity' });
    });
    const itemRows = async () => (await listAuditTrail(t.db, editor.claims, { checklistId: fx.checklistId })).filter((row) => row.itemId === item);

    // Another process may still be about to audit a row this young: a process sharing the room leaves it alone.
    const sharing = auditTrailExtension(t.db, { replayOlderThanMs: 3_600_000 });
    const sharingDoc = await loadStoredDocument(t.db, fx.checklistId);
    await sharing.afterLoadDocument!(ctx(sharingDoc));
    await sharing.beforeUnloadDocument!(ctx(sharingDoc));
    expect(await itemRows()).toEqual([]);

    // A process alone with the room (or one for which the row is older than the margin) audits it, as its author.
    const alone = auditTrailExtension(t.db, { replayOlderThanMs: 0 });
    const aloneDoc = await loadStoredDocument(t.db, fx.checklistId);
    await alone.afterLoadDocument!(ctx(aloneDoc));
    await alone.beforeUnloadDocument!(ctx(aloneDoc));
    await vi.waitFor(async () => expect((await itemRows()).map((row) => row.userId)).toEqual([editor.id]), { timeout: 30_000 });
  });
});
