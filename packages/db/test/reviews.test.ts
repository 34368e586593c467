import { addItem, addSection, itemFingerprint, itemsOf, setFigure, updateItem } from '@tieout/doc-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  COMMENT_MAX_LENGTH,
  ReviewError,
  createThread,
  decideItem,
  deleteComment,
  editComment,
  getReviewSettings,
  listChecklistThreads,
  listReviewStates,
  listSignoffs,
  loadApprovalRule,
  replyToThread,
  setDoneRequiresApproval,
  setThreadResolved,
  signOffChecklist,
  writeProjection,
  type Database,
} from '../src/index.ts';
import { createChecklistFixture, openScratchDatabase, type ChecklistFixture, type ScratchDatabase } from '../src/testing.ts';

let scratch: ScratchDatabase;
let db: Database;
let f: ChecklistFixture;
let dealId: string;
const doc = new Y.Doc();
let itemA: string;
let itemB: string;

async function project() {
  await db.asService(async (sql) => {
    await sql.query(
      `insert into public.document_snapshots (checklist_id, workspace_id, state) values ($1, $2, $3)
       on conflict (checklist_id) do update set state = excluded.state`,
      [f.checklistId, f.workspaceId, Y.encodeStateAsUpdate(doc)],
    );
  });
  await writeProjection(db, { checklistId: f.checklistId, workspaceId: f.workspaceId, dealId }, doc, f.users.editor.id);
}

async function refusal(work: Promise<unknown>): Promise<ReviewError> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ReviewError);
  return error as ReviewError;
}

async function count(table: string): Promise<number> {
  const { rows } = await db.ownerQuery<{ n: number }>(`select count(*)::int as n from public.${table}`);
  return rows[0]!.n;
}

beforeAll(async () => {
  scratch = await openScratchDatabase({ label: 'reviews' });
  db = scratch.db;
  f = await createChecklistFixture(db);
  const { rows } = await db.ownerQuery<{ deal_id: string }>(`select deal_id from public.checklists where id = $1`, [f.checklistId]);
  dealId = rows[0]!.deal_id;
  const section = addSection(doc, { title: 'Power' });
  itemA = addItem(doc, { sectionId: section, title: 'Interconnection', notes: ['Capacity is 1.3 GW at the substation.'] });
  itemB = addItem(doc, { sectionId: section, title: 'Cooling' });
  updateItem(doc, itemA, { ownerId: f.users.editor.id });
  await project();
}, 60_000);
afterAll(async () => scratch?.dispose());

describe('comment threads', () => {
  it('opens a thread on a notes range, replies, edits, deletes and resolves, with mentions', async () => {
    const anchor = {
      start: { type: null, tname: null, item: { client: 1, clock: 2 }, assoc: 0 },
      end: { type: null, tname: null, item: { client: 1, clock: 8 }, assoc: -1 },
    };
    const { threadId, commentId } = await createThread(db, f.users.reviewer.claims, {
      checklistId: f.checklistId,
      itemId: itemA,
      body: 'Is this the firm capacity? @Editor',
      mentions: [f.users.editor.id],
      anchor,
      quote: '1.3 GW',
    });
    const { commentId: replyId } = await replyToThread(db, f.users.editor.claims, { threadId, body: 'Yes, firm.' });
    await editComment(db, f.users.editor.claims, { commentId: replyId, body: 'Yes, firm: see the agreement.' });
    let [thread] = await listChecklistThreads(db, f.users.viewer.claims, f.checklistId);
    expect(thread).toMatchObject({ id: threadId, itemId: itemA, quote: '1.3 GW', anchor, resolvedAt: null });
    expect(thread!.comments.map((c) => [c.body, c.authorId, c.editedAt !== null])).toEqual([
      ['Is this the firm capacity? @Editor', f.users.reviewer.id, false],
      ['Yes, firm: see the agreement.', f.users.editor.id, true],
    ]);
    expect(thread!.comments[0]!.mentions.map((m) => m.userId)).toEqual([f.users.editor.id]);

    // Mention and reply reached the inbox: the editor was mentioned, the reviewer got the reply.
    const { rows } = await db.ownerQuery<{ user_id: string; kind: string }>(
      `select user_id, kind from public.notifications where thread_id = $1 order by id`,
      [threadId],
    );
    expect(rows).toEqual([
      { user_id: f.users.editor.id, kind: 'mention' },
      { user_id: f.users.reviewer.id, kind: 'reply' },
    ]);

    await deleteComment(db, f.users.editor.claims, replyId);
    await setThreadResolved(db, f.users.owner.claims, threadId, true);
    [thread] = await listChecklistThreads(db, f.users.owner.claims, f.checklistId);
    expect(thread!.resolvedBy).toBe(f.users.owner.id);
    expect(thread!.comments[1]).toMatchObject({ body: '', deletedAt: expect.any(String) });
    expect(thread!.deletedAt).toBeNull();

    expect((await refusal(replyToThread(db, f.users.editor.claims, { threadId, body: 'One more thing' }))).code).toBe('thread_resolved');
    await setThreadResolved(db, f.users.editor.claims, threadId, false);
    await replyToThread(db, f.users.editor.claims, { threadId, body: 'Reopened: one more thing' });

    // Deleting the first comment deletes the thread: no replies after that.
    await deleteComment(db, f.users.reviewer.claims, commentId);
    [thread] = await listChecklistThreads(db, f.users.owner.claims, f.checklistId);
    expect(thread!.deletedAt).not.toBeNull();
    const before = await count('comments');
    expect((await refusal(replyToThread(db, f.users.editor.claims, { threadId, body: 'Hello?' }))).message).toMatch(/deleted/);
    expect(await count('comments')).toBe(before);
  });

  it('refuses bad input with a clear message and writes nothing', async () => {
    const threads = await count('comment_threads');
    const comments = await count('comments');
    const base = { checklistId: f.checklistId, itemId: itemB };
    const empty = await refusal(createThread(db, f.users.editor.claims, { ...base, body: '   ' }));
    expect(empty.message).toBe('Write something before posting: the comment is empty.');
    const long = await refusal(createThread(db, f.users.editor.claims, { ...base, body: 'x'.repeat(20_000) }));
    expect(long.message).toBe(`A comment can be at most 10,000 characters; this one has 20,000.`);
    expect(COMMENT_MAX_LENGTH).toBe(10_000);
    const outsider = await refusal(createThread(db, f.users.editor.claims, { ...base, body: 'FYI', mentions: [f.users.outsider.id] }));
    expect(outsider.code).toBe('not_a_member');
    const viewer = await refusal(createThread(db, f.users.viewer.claims, { ...base, body: 'I have a view' }));
    expect(viewer.code).toBe('forbidden');
    const stranger = await refusal(createThread(db, f.users.outsider.claims, { ...base, body: 'Hi' }));
    expect(stranger.code).toBe('not_found');
    const noItem = await refusal(createThread(db, f.users.editor.claims, { ...base, itemId: 'no-such-item', body: 'Hi' }));
    expect(noItem.code).toBe('not_found');
    expect(await count('comment_threads')).toBe(threads);
    expect(await count('comments')).toBe(comments);
  });

  it('lets only the author edit or delete a comment', async () => {
    const { commentId } = await createThread(db, f.users.editor.claims, { checklistId: f.checklistId, itemId: itemB, body: 'Mine' });
    expect((await refusal(editComment(db, f.users.owner.claims, { commentId, body: 'Theirs now' }))).code).toBe('forbidden');
    expect((await refusal(deleteComment(db, f.users.reviewer.claims, commentId))).code).toBe('forbidden');
    const { rows } = await db.ownerQuery<{ body: string; deleted_at: unknown }>(`select body, deleted_at from public.comments where id = $1`, [
      commentId,
    ]);
    expect(rows[0]).toEqual({ body: 'Mine', deleted_at: null });
  });
});

describe('approvals, review states and sign-off', () => {
  it('approves, marks an item changed after approval, and sends back only with a comment', async () => {
    await decideItem(db, f.users.reviewer.claims, { checklistId: f.checklistId, itemId: itemA, decision: 'approved' });
    let states = await listReviewStates(db, f.users.viewer.claims, f.checklistId);
    expect(states.find((s) => s.itemId === itemA)).toMatchObject({ state: 'approved', decidedBy: f.users.reviewer.id });
    expect(states.find((s) => s.itemId === itemB)).toMatchObject({ state: 'none' });
    expect((await loadApprovalRule(db, f.checklistId)).approved.has(itemA)).toBe(true);

    // Status is not reviewed content; a figure is.
    updateItem(doc, itemA, { status: 'done' });
    await project();
    states = await listReviewStates(db, f.users.viewer.claims, f.checklistId);
    expect(states.find((s) => s.itemId === itemA)!.state).toBe('approved');
    setFigure(doc, itemA, { kind: 'mw', label: 'Firm', value: 1300 });
    await project();
    states = await listReviewStates(db, f.users.viewer.claims, f.checklistId);
    expect(states.find((s) => s.itemId === itemA)!.state).toBe('changed_since_approval');

    const approvals = await count('item_approvals');
    const noComment = await refusal(
      decideItem(db, f.users.reviewer.claims, { checklistId: f.checklistId, itemId: itemA, decision: 'sent_back', comment: ' ' }),
    );
    expect(noComment).toMatchObject({ code: 'needs_comment', message: 'Say why you send the item back: a comment is required.' });
    const editor = await refusal(decideItem(db, f.users.editor.claims, { checklistId: f.checklistId, itemId: itemA, decision: 'approved' }));
    expect(editor.message).toBe('Only reviewers and owners can approve items or send them back in this checklist.');
    const outsider = await refusal(decideItem(db, f.users.outsider.claims, { checklistId: f.checklistId, itemId: itemA, decision: 'approved' }));
    expect(outsider.code).toBe('not_found');
    expect(await count('item_approvals')).toBe(approvals);

    const { threadId } = await decideItem(db, f.users.reviewer.claims, {
      checklistId: f.checklistId,
      itemId: itemA,
      decision: 'sent_back',
      comment: 'The firm figure needs a source.',
    });
    expect(threadId).not.toBeNull();
    states = await listReviewStates(db, f.users.viewer.claims, f.checklistId);
    expect(states.find((s) => s.itemId === itemA)!.state).toBe('sent_back');
    const { rows } = await db.ownerQuery<{ kind: string }>(
      `select kind from public.notifications where user_id = $1 and kind in ('sent_back', 'approved') order by id`,
      [f.users.editor.id],
    );
    expect(rows.map((r) => r.kind)).toEqual(['approved', 'sent_back']);
  });

  it('keeps "done requires approval" for owners to set', async () => {
    expect((await getReviewSettings(db, f.users.editor.claims, f.checklistId)).doneRequiresApproval).toBe(false);
    expect((await refusal(setDoneRequiresApproval(db, f.users.editor.claims, f.checklistId, true))).code).toBe('forbidden');
    await setDoneRequiresApproval(db, f.users.owner.claims, f.checklistId, true);
    expect((await getReviewSettings(db, f.users.viewer.claims, f.checklistId)).doneRequiresApproval).toBe(true);
    expect((await loadApprovalRule(db, f.checklistId)).doneRequiresApproval).toBe(true);
  });

  it('refuses a sign-off while items are unapproved, then records the state it covers', async () => {
    const unapproved = await refusal(signOffChecklist(db, f.users.owner.claims, f.checklistId));
    expect(unapproved).toMatchObject({
      code: 'not_all_approved',
      message: '2 of 2 items are not approved yet: every item needs a current approval before sign-off.',
    });
    expect(await count('checklist_signoffs')).toBe(0);
    for (const itemId of [itemA, itemB]) {
      await decideItem(db, f.users.reviewer.claims, { checklistId: f.checklistId, itemId, decision: 'approved' });
    }
    expect((await refusal(signOffChecklist(db, f.users.reviewer.claims, f.checklistId))).code).toBe('forbidden');
    const signoff = await signOffChecklist(db, f.users.owner.claims, f.checklistId);
    expect(signoff).toMatchObject({ itemCount: 2, stateHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const [listed] = await listSignoffs(db, f.users.viewer.claims, f.checklistId);
    expect(listed).toMatchObject({ id: signoff.id, stateHash: signoff.stateHash, signedBy: f.users.owner.id });
    const { rows } = await db.ownerQuery<{ state_vector: Uint8Array }>(`select state_vector from public.checklist_signoffs where id = $1`, [
      signoff.id,
    ]);
    expect(Y.decodeStateVector(new Uint8Array(rows[0]!.state_vector)).size).toBeGreaterThan(0);
    expect(itemsOf(doc).size).toBe(2);
  });

  it('approves what the reviewer saw: refused while the stored item differs from it, recorded once they match', async () => {
    const fingerprintOf = (id: string) => itemFingerprint(itemsOf(doc).get(id) as Y.Map<unknown>, id);
    const stored = fingerprintOf(itemB);
    // The reviewer's page shows an edit the projection does not hold yet.
    setFigure(doc, itemB, { kind: 'usd', label: 'Lease obligations', value: 10_000_000_000 });
    const seen = fingerprintOf(itemB);
    expect(seen).not.toBe(stored);
    const approvals = await count('item_approvals');
    const early = await refusal(
      decideItem(db, f.users.reviewer.claims, { checklistId: f.checklistId, itemId: itemB, decision: 'approved', seenFingerprint: seen }),
    );
    expect(early.code).toBe('changed_while_reviewed');
    expect(early.message).toMatch(/still being saved/);
    const malformed = await refusal(
      decideItem(db, f.users.reviewer.claims, { checklistId: f.checklistId, itemId: itemB, decision: 'approved', seenFingerprint: 'not-a-hash' }),
    );
    expect(malformed.code).toBe('invalid_input');
    expect(await count('item_approvals')).toBe(approvals);

    await project();
    await decideItem(db, f.users.reviewer.claims, { checklistId: f.checklistId, itemId: itemB, decision: 'approved', seenFingerprint: seen });
    const state = (await listReviewStates(db, f.users.viewer.claims, f.checklistId)).find((s) => s.itemId === itemB);
    expect(state).toMatchObject({ state: 'approved', approvedFingerprint: seen, fingerprint: seen });
    expect((await loadApprovalRule(db, f.checklistId)).approved.get(itemB)).toBe(seen);
  });
});
