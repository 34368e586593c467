import { addItem, addSection } from '@tieout/doc-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { decideItem, lastItemChanges, listAuditTrail, recordAuditEvent, signOffChecklist, writeProjection, type Database } from '../src/index.ts';
import { createChecklistFixture, openScratchDatabase, type ChecklistFixture, type ScratchDatabase } from '../src/testing.ts';

// Issue 12: approvals, send-backs and sign-offs each write one audit row (migration 20261203000300_audit_reviews).
let scratch: ScratchDatabase;
let db: Database;
let f: ChecklistFixture;
let dealId: string;
const doc = new Y.Doc();
let itemA: string;
let itemB: string;

type ReviewRow = {
  kind: string;
  item_id: string | null;
  deal_id: string | null;
  workspace_id: string;
  field: string | null;
  user_id: string | null;
  new_value: Record<string, unknown>;
};

async function reviewRows(): Promise<ReviewRow[]> {
  const { rows } = await db.ownerQuery<ReviewRow>(
    `select kind, item_id, deal_id, workspace_id, field, user_id, new_value from public.audit_trail
     where checklist_id = $1 and kind in ('item_approved', 'item_sent_back', 'checklist_signed_off') order by id`,
    [f.checklistId],
  );
  return rows;
}

beforeAll(async () => {
  scratch = await openScratchDatabase({ label: 'audit-reviews' });
  db = scratch.db;
  f = await createChecklistFixture(db);
  const { rows } = await db.ownerQuery<{ deal_id: string }>(`select deal_id from public.checklists where id = $1`, [f.checklistId]);
  dealId = rows[0]!.deal_id;
  const section = addSection(doc, { title: 'Power' });
  itemA = addItem(doc, { sectionId: section, title: 'Interconnection study' });
  itemB = addItem(doc, { sectionId: section, title: 'Cooling' });
  await db.asService(async (sql) => {
    await sql.query(
      `insert into public.document_snapshots (checklist_id, workspace_id, state) values ($1, $2, $3)
       on conflict (checklist_id) do update set state = excluded.state`,
      [f.checklistId, f.workspaceId, Y.encodeStateAsUpdate(doc)],
    );
  });
  await writeProjection(db, { checklistId: f.checklistId, workspaceId: f.workspaceId, dealId }, doc, f.users.editor.id);
}, 60_000);
afterAll(async () => scratch?.dispose());

describe('audit rows of reviews', () => {
  it('writes one row for a send-back, with the comment, and one for an approval, each as the decider', async () => {
    const { threadId } = await decideItem(db, f.users.reviewer.claims, {
      checklistId: f.checklistId,
      itemId: itemA,
      decision: 'sent_back',
      comment: 'The study is from 2019: is there a newer one?',
    });
    const { rows: comments } = await db.ownerQuery<{ id: string }>(`select id from public.comments where thread_id = $1`, [threadId]);
    let rows = await reviewRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'item_sent_back',
      item_id: itemA,
      deal_id: dealId,
      workspace_id: f.workspaceId,
      field: 'review',
      user_id: f.users.reviewer.id,
      new_value: { decision: 'sent_back', commentId: comments[0]!.id, title: 'Interconnection study', fingerprint: expect.any(String) },
    });

    await decideItem(db, f.users.reviewer.claims, { checklistId: f.checklistId, itemId: itemA, decision: 'approved' });
    rows = await reviewRows();
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      kind: 'item_approved',
      item_id: itemA,
      user_id: f.users.reviewer.id,
      new_value: { decision: 'approved', commentId: null, title: 'Interconnection study' },
    });
    // Members read them through the usual listing, filtered by the person and the 'review' field.
    const listed = await listAuditTrail(db, f.users.viewer.claims, { checklistId: f.checklistId, userId: f.users.reviewer.id, field: 'review' });
    expect(listed.map((entry) => entry.kind)).toEqual(['item_approved', 'item_sent_back']);
    expect(listed[0]!.itemTitle).toBe('Interconnection study');
  });

  it('writes one row per decision when two reviewers decide at once, each as its own decider', async () => {
    const before = (await reviewRows()).length;
    await Promise.all([
      decideItem(db, f.users.reviewer.claims, { checklistId: f.checklistId, itemId: itemB, decision: 'approved' }),
      decideItem(db, f.users.owner.claims, { checklistId: f.checklistId, itemId: itemB, decision: 'approved' }),
    ]);
    const rows = (await reviewRows()).slice(before);
    expect(rows.map((row) => [row.kind, row.item_id, row.user_id]).sort()).toEqual(
      [
        ['item_approved', itemB, f.users.owner.id],
        ['item_approved', itemB, f.users.reviewer.id],
      ].sort(),
    );
  });

  it('writes one row for a sign-off, with the item count, as the signer', async () => {
    const before = (await reviewRows()).length;
    const signoff = await signOffChecklist(db, f.users.owner.claims, f.checklistId);
    const rows = (await reviewRows()).slice(before);
    expect(rows).toEqual([
      expect.objectContaining({
        kind: 'checklist_signed_off',
        item_id: null,
        deal_id: dealId,
        user_id: f.users.owner.id,
        new_value: expect.objectContaining({ signoffId: signoff.id, items: 2, stateHash: signoff.stateHash }),
      }),
    ]);
  });

  it('keeps the rows out of reach of every role: no update, no delete', async () => {
    for (const claims of [f.users.owner.claims, f.users.reviewer.claims]) {
      await expect(
        db.asUser(claims, (sql) => sql.query(`update public.audit_trail set user_id = null where kind = 'item_approved'`)),
      ).rejects.toThrow();
      await expect(db.asUser(claims, (sql) => sql.query(`delete from public.audit_trail where kind = 'checklist_signed_off'`))).rejects.toThrow();
    }
    await expect(db.ownerQuery(`delete from public.audit_trail where kind = 'checklist_signed_off'`)).rejects.toThrow(/append-only/);
    expect((await reviewRows()).filter((row) => row.kind === 'checklist_signed_off')).toHaveLength(1);
  });
});

describe('review kinds outside the triggers', () => {
  it('are refused to a signed-in caller of recordAuditEvent, who could otherwise claim an approval never made', async () => {
    for (const kind of ['item_approved', 'item_sent_back', 'checklist_signed_off']) {
      await expect(
        db.asUser(f.users.viewer.claims, (sql) =>
          recordAuditEvent(sql, {
            workspaceId: f.workspaceId,
            dealId,
            checklistId: f.checklistId,
            itemId: itemA,
            kind,
            newValue: { decision: 'approved' },
          }),
        ),
      ).rejects.toThrow(/written when the decision is stored/);
    }
  });

  it('do not count as the last change of an item', async () => {
    const last = await lastItemChanges(db, f.users.viewer.claims, f.checklistId);
    expect(last.has(itemA)).toBe(false);
    expect(last.has(itemB)).toBe(false);
  });
});
