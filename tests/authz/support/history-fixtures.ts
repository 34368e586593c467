import type { Sql } from '@tieout/db';
import * as Y from 'yjs';
import type { FixtureUser } from './fixtures.ts';

/** One audit row and one version in a workspace (issue 12), written as service_role like the rest of the world. */
export interface HistoryFixture {
  auditId: number;
  /** The audit row the colleague's approval (review fixtures) wrote through its trigger (issue 12). */
  reviewAuditId: number;
  versionId: string;
}

export async function insertHistoryRows(
  sql: Sql,
  target: { id: string; dealId: string; checklistId: string; itemId: string; updateId: number; colleague: FixtureUser },
): Promise<HistoryFixture> {
  const { rows: audit } = await sql.query<{ id: unknown }>(
    `insert into public.audit_trail (workspace_id, deal_id, checklist_id, item_id, kind, field, old_value, new_value, user_id, update_id)
     values ($1, $2, $3, $4, 'item_field', 'status', '"not_started"', '"in_progress"', $5, $6) returning id`,
    [target.id, target.dealId, target.checklistId, target.itemId, target.colleague.id, target.updateId],
  );
  const doc = new Y.Doc();
  const { rows: versions } = await sql.query<{ id: string }>(
    `insert into public.document_versions (checklist_id, workspace_id, state, state_vector, kind, editors, last_update_id)
     values ($1, $2, $3, $4, 'auto', array[$5]::uuid[], $6) returning id`,
    [target.checklistId, target.id, Y.encodeStateAsUpdate(doc), Y.encodeStateVector(doc), target.colleague.id, target.updateId],
  );
  // The audit writer's cursor for the checklist (decision 121): the server's alone.
  await sql.query(`insert into public.audit_cursors (checklist_id, audited_update_id) values ($1, $2)`, [target.checklistId, target.updateId]);
  const { rows: review } = await sql.query<{ id: unknown }>(
    `select id from public.audit_trail where checklist_id = $1 and item_id = $2 and kind = 'item_approved' order by id limit 1`,
    [target.checklistId, target.itemId],
  );
  if (!review[0]) throw new Error('the review fixtures approve an item first: its audit row is missing');
  return { auditId: Number(audit[0]!.id), reviewAuditId: Number(review[0].id), versionId: versions[0]!.id };
}
