import { addItem, addSection, itemsOf, readItem, updateItem } from '@tieout/doc-model';
import { decideItem, setDoneRequiresApproval, writeProjection } from '@tieout/db';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { defaultExtensions } from '../src/extensions/index.ts';
import { doneRequiresApprovalVerdict, reviewRuleExtension } from '../src/extensions/review-rule.ts';
import { itemFingerprint } from '@tieout/doc-model';
import { createFixture, storedDoc, useCollabServer, waitFor } from '../src/testing.ts';

const t = useCollabServer({ server: false });

function checklist() {
  const doc = new Y.Doc();
  const section = addSection(doc, { title: 'Power' });
  const itemId = addItem(doc, { sectionId: section, title: 'Interconnection' });
  return { doc, itemId };
}

function remoteEdit(doc: Y.Doc, edit: (copy: Y.Doc) => void): Uint8Array {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const before = Y.encodeStateVector(copy);
  edit(copy);
  return Y.encodeStateAsUpdate(copy, before);
}

describe('doneRequiresApprovalVerdict', () => {
  it('lets done through only with an approval of the content the item has after the update', () => {
    const { doc, itemId } = checklist();
    const fingerprint = itemFingerprint(itemsOf(doc).get(itemId) as Y.Map<unknown>, itemId);
    const setDone = remoteEdit(doc, (copy) => updateItem(copy, itemId, { status: 'done' }));
    const off = { doneRequiresApproval: false, approved: new Map() };
    expect(doneRequiresApprovalVerdict(off, doc, setDone)).toBeNull();
    const none = { doneRequiresApproval: true, approved: new Map() };
    expect(doneRequiresApprovalVerdict(none, doc, setDone)).toBe('done requires approval: "Interconnection" has no approval');
    const approved = { doneRequiresApproval: true, approved: new Map([[itemId, fingerprint]]) };
    expect(doneRequiresApprovalVerdict(approved, doc, setDone)).toBeNull();
    const editAndDone = remoteEdit(doc, (copy) => updateItem(copy, itemId, { status: 'done', title: 'Interconnection (rewritten)' }));
    expect(doneRequiresApprovalVerdict(approved, doc, editAndDone)).toBe('done requires approval: "Interconnection" has changed since its approval');
    const otherEdit = remoteEdit(doc, (copy) => updateItem(copy, itemId, { status: 'blocked' }));
    expect(doneRequiresApprovalVerdict(none, doc, otherEdit)).toBeNull();
  });
});

describe('the review-rule extension, with a stock y-websocket client', () => {
  it('is installed by defaultExtensions (both the embedded and the standalone server)', () => {
    expect(defaultExtensions({ db: t.db, versions: { quietMs: 60_000, maxIntervalMs: 3_600_000 } }).map((extension) => extension.name)).toContain(
      'review-rule',
    );
  });

  it('notifies each new owner once, however many other edits the item gets, and again when reassigned', async () => {
    const db = t.db;
    const fx = await createFixture(db);
    const server = await t.startServer(db, { timing: { persistWindowMs: 10 }, extensions: [reviewRuleExtension(db)] });
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    await editor.synced();
    const sectionId = addSection(editor.doc, { title: 'Power' });
    const itemId = addItem(editor.doc, { sectionId, title: 'Interconnection' });
    const notices = async (userId: string) => {
      const { rows } = await db.ownerQuery(`select 1 from public.notifications where user_id = $1 and kind = 'assigned' and actor_id = $2`, [
        userId,
        fx.users.editor.id,
      ]);
      return rows.length;
    };
    const edited = async (title: string) => {
      updateItem(editor.doc, itemId, { title });
      await waitFor(
        () => readItem(itemsOf(server.collab.loadedDocument(fx.checklistId)!).get(itemId) as Y.Map<unknown>, itemId).title === title,
        title,
      );
      await server.collab.flush();
    };
    updateItem(editor.doc, itemId, { ownerId: fx.users.reviewer.id });
    await waitFor(async () => (await notices(fx.users.reviewer.id)) === 1, 'the first notice');
    await edited('Interconnection agreement');
    await edited('Interconnection agreement (signed)');
    updateItem(editor.doc, itemId, { ownerId: fx.users.owner.id });
    await waitFor(async () => (await notices(fx.users.owner.id)) === 1, 'the notice to the second owner');
    updateItem(editor.doc, itemId, { ownerId: fx.users.reviewer.id });
    await waitFor(async () => (await notices(fx.users.reviewer.id)) === 2, 'the notice of the reassignment');
    await edited('Interconnection agreement (countersigned)');
    await server.close();
    expect(await notices(fx.users.reviewer.id)).toBe(2);
    expect(await notices(fx.users.owner.id)).toBe(1);
  });

  it('refuses done without a current approval, accepts it once approved, and notifies a new owner', async () => {
    const db = t.db;
    const fx = await createFixture(db);
    const { rows } = await db.ownerQuery<{ deal_id: string }>(`select deal_id from public.checklists where id = $1`, [fx.checklistId]);
    const target = { checklistId: fx.checklistId, workspaceId: fx.workspaceId, dealId: rows[0]!.deal_id };
    await setDoneRequiresApproval(db, fx.users.owner.claims, fx.checklistId, true);
    const extension = reviewRuleExtension(db);
    const server = await t.startServer(db, { timing: { persistWindowMs: 10 }, extensions: [extension] });
    const connect = () => t.connect(server, fx.checklistId, fx.users.editor);

    const editor = await connect();
    await editor.synced();
    const sectionId = addSection(editor.doc, { title: 'Power' });
    const itemId = addItem(editor.doc, { sectionId, title: 'Interconnection' });
    await waitFor(() => itemsOf(server.collab.loadedDocument(fx.checklistId)!).has(itemId), 'the item at the server');
    await server.collab.flush();
    await writeProjection(db, target, await storedDoc(db, fx.checklistId), null);

    // Assigning the reviewer notifies them, as from the editor.
    updateItem(editor.doc, itemId, { ownerId: fx.users.reviewer.id });
    await waitFor(async () => {
      const { rows: notes } = await db.ownerQuery(`select 1 from public.notifications where user_id = $1 and kind = 'assigned' and actor_id = $2`, [
        fx.users.reviewer.id,
        fx.users.editor.id,
      ]);
      return notes.length === 1;
    }, 'the assignment notice');

    updateItem(editor.doc, itemId, { status: 'done' });
    expect(await editor.closed).toEqual({ code: 4403, reason: 'done requires approval: "Interconnection" has no approval' });
    await server.collab.flush();
    expect((itemsOf(await storedDoc(db, fx.checklistId)).get(itemId) as Y.Map<unknown>).get('status')).toBe('not_started');

    await writeProjection(db, target, await storedDoc(db, fx.checklistId), null);
    await decideItem(db, fx.users.reviewer.claims, { checklistId: fx.checklistId, itemId, decision: 'approved' });
    await waitFor(() => extension.cachedRule(fx.checklistId)?.approved.has(itemId) === true, 'the approval at the server');

    const again = await connect();
    await again.synced();
    updateItem(again.doc, itemId, { status: 'done' });
    await waitFor(async () => {
      await server.collab.flush();
      return (itemsOf(await storedDoc(db, fx.checklistId)).get(itemId) as Y.Map<unknown>).get('status') === 'done';
    }, 'done, stored');
  });
});
