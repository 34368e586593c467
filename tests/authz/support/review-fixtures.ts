import type { Sql } from '@tieout/db';
import type { FixtureUser, WorkspaceRole } from './fixtures.ts';

/** One of every review row in a workspace (issue 13), written as service_role like the rest of the world. */
export interface ReviewFixture {
  /** An open thread on the item, opened by the colleague. */
  threadId: string;
  /** The colleague's first comment in it. */
  commentId: string;
  /** A comment by each member (and the colleague) in the thread, each mentioning the colleague (the colleague's: the editor). */
  commentBy: Record<WorkspaceRole | 'colleague', string>;
  /** A notification for each member and the colleague. */
  notificationFor: Record<WorkspaceRole | 'colleague', number>;
  approvalId: number;
  signoffId: number;
  outboxId: number;
}

export async function insertReviewRows(
  sql: Sql,
  target: { id: string; checklistId: string; itemId: string; updateId: number; members: Record<WorkspaceRole, FixtureUser>; colleague: FixtureUser },
): Promise<ReviewFixture> {
  const people = { ...target.members, colleague: target.colleague };
  const { rows: threads } = await sql.query<{ id: string }>(
    `insert into public.comment_threads (workspace_id, checklist_id, item_id, created_by) values ($1, $2, $3, $4) returning id`,
    [target.id, target.checklistId, target.itemId, target.colleague.id],
  );
  const threadId = threads[0]!.id;
  const commentBy = {} as ReviewFixture['commentBy'];
  for (const key of ['colleague', 'owner', 'editor', 'reviewer', 'viewer'] as const) {
    const { rows } = await sql.query<{ id: string }>(
      `insert into public.comments (thread_id, workspace_id, checklist_id, author_id, body) values ($1, $2, $3, $4, $5) returning id`,
      [threadId, target.id, target.checklistId, people[key].id, `A comment by the ${key}`],
    );
    commentBy[key] = rows[0]!.id;
    await sql.query(`insert into public.comment_mentions (comment_id, user_id, workspace_id, thread_id, checklist_id) values ($1, $2, $3, $4, $5)`, [
      rows[0]!.id,
      key === 'colleague' ? target.members.editor.id : target.colleague.id,
      target.id,
      threadId,
      target.checklistId,
    ]);
  }
  await sql.query(
    `insert into public.checklist_review_settings (checklist_id, workspace_id, done_requires_approval, updated_by) values ($1, $2, true, $3)`,
    [target.checklistId, target.id, target.members.owner.id],
  );
  const { rows: approvals } = await sql.query<{ id: number }>(
    `insert into public.item_approvals (workspace_id, checklist_id, item_id, decision, decided_by) values ($1, $2, $3, 'approved', $4) returning id`,
    [target.id, target.checklistId, target.itemId, target.members.reviewer.id],
  );
  const { rows: signoffs } = await sql.query<{ id: number }>(
    `insert into public.checklist_signoffs (workspace_id, checklist_id, state_vector, state_hash, last_update_id, item_count, signed_by)
     values ($1, $2, decode('00', 'hex'), repeat('b', 64), $3, 1, $4) returning id`,
    [target.id, target.checklistId, target.updateId, target.members.owner.id],
  );
  const notificationFor = {} as ReviewFixture['notificationFor'];
  for (const key of Object.keys(people) as (keyof typeof people)[]) {
    const { rows } = await sql.query<{ id: number }>(
      `insert into public.notifications (user_id, workspace_id, kind, checklist_id, item_id, dedupe_key) values ($1, $2, 'assigned', $3, $4, $5) returning id`,
      [people[key].id, target.id, target.checklistId, target.itemId, `authz:${target.id}:${key}`],
    );
    notificationFor[key] = rows[0]!.id;
    await sql.query(`insert into public.notification_preferences (user_id, email) values ($1, 'immediately') on conflict do nothing`, [
      people[key].id,
    ]);
  }
  const { rows: outbox } = await sql.query<{ id: number }>(`select id from public.email_outbox where user_id = $1 order by id limit 1`, [
    target.colleague.id,
  ]);
  return {
    threadId,
    commentId: commentBy.colleague,
    commentBy,
    notificationFor,
    approvalId: approvals[0]!.id,
    signoffId: signoffs[0]!.id,
    outboxId: outbox[0]!.id,
  };
}
