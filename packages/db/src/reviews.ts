/*
 * Reviews: comment threads and replies, mentions, approvals and send-backs, the review state of items, the
 * "done requires approval" setting and checklist sign-offs (supabase/migrations/20261201000400_*.sql).
 * Everything runs as the signed-in user under RLS; the database decides, and its refusals come back as a
 * ReviewError with a code the app can branch on and a message it can show. Input is checked here first so
 * that bad input gets a precise message and nothing is written.
 */
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import { z } from 'zod';
import { docFromState, readDocumentState } from './documents.ts';
import { DataAccessError, type DataAccessKind } from './errors.ts';
import { canComment, canReview, isOwner, type MemberRole } from './roles.ts';
import type { Database, JwtClaims, Sql } from './types.ts';

export type ReviewErrorCode =
  | 'forbidden'
  | 'not_found'
  | 'invalid_input'
  | 'thread_resolved'
  | 'thread_deleted'
  | 'comment_deleted'
  | 'not_a_member'
  | 'needs_comment'
  | 'not_all_approved'
  | 'changed_while_reviewed';

const REVIEW_KINDS: Record<ReviewErrorCode, DataAccessKind> = {
  forbidden: 'forbidden',
  not_found: 'not_found',
  invalid_input: 'invalid',
  thread_resolved: 'conflict',
  thread_deleted: 'conflict',
  comment_deleted: 'conflict',
  not_a_member: 'invalid',
  needs_comment: 'invalid',
  not_all_approved: 'conflict',
  changed_while_reviewed: 'conflict',
};

/** A refused comment, review decision or sign-off: a DataAccessError whose code says which (docs/decisions/015). */
export class ReviewError extends DataAccessError<ReviewErrorCode> {
  override name = 'ReviewError';
  constructor(code: ReviewErrorCode, message: string, options?: { cause?: unknown }) {
    super(REVIEW_KINDS[code], message, { ...options, code });
  }
}

/** Custom SQLSTATEs raised by the reviews migration. */
const sqlStateCodes: Record<string, ReviewErrorCode> = {
  TR001: 'thread_resolved',
  TR002: 'thread_deleted',
  TR003: 'not_a_member',
  TR004: 'not_found',
  TR005: 'needs_comment',
  TR006: 'not_all_approved',
  TR007: 'comment_deleted',
  TR008: 'changed_while_reviewed',
};

function toReviewError(error: unknown, refusal: string): unknown {
  if (error instanceof ReviewError) return error;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string') return error;
  const mapped = sqlStateCodes[code];
  if (mapped) return new ReviewError(mapped, String(message), { cause: error });
  if (code === '42501') return new ReviewError('forbidden', refusal, { cause: error });
  if (code === '23514' || code === '23502' || code === '22P02' || code === '23503') {
    return new ReviewError('invalid_input', `Invalid input: ${String(message)}`, { cause: error });
  }
  return error;
}

async function guarded<T>(work: () => Promise<T>, refusal: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toReviewError(error, refusal);
  }
}

/** The longest comment accepted (the database checks the same limit). */
export const COMMENT_MAX_LENGTH = 10_000;
export const QUOTE_MAX_LENGTH = 1_000;
export const MAX_MENTIONS = 20;

const uuid = z.uuid();
const itemIdSchema = z.string().min(1).max(64);

export function checkCommentBody(body: unknown): string {
  if (typeof body !== 'string' || body.trim().length === 0) {
    throw new ReviewError('invalid_input', 'Write something before posting: the comment is empty.');
  }
  const length = [...body].length;
  if (length > COMMENT_MAX_LENGTH) {
    throw new ReviewError(
      'invalid_input',
      `A comment can be at most ${COMMENT_MAX_LENGTH.toLocaleString('en-US')} characters; this one has ${length.toLocaleString('en-US')}.`,
    );
  }
  return body.trim();
}

/** A text range of an item's notes: two Yjs relative positions (Y.relativePositionToJSON) and the quoted text. */
export interface CommentAnchor {
  start: unknown;
  end: unknown;
}

const anchorSchema = z.object({ start: z.record(z.string(), z.unknown()), end: z.record(z.string(), z.unknown()) }).strict();

export interface CommentView {
  id: string;
  threadId: string;
  authorId: string | null;
  authorName: string;
  /** Empty once deleted. */
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  mentions: { userId: string; name: string }[];
}

export interface ThreadView {
  id: string;
  checklistId: string;
  itemId: string;
  anchor: CommentAnchor | null;
  quote: string | null;
  createdBy: string | null;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  deletedAt: string | null;
  comments: CommentView[];
}

interface ChecklistAccess {
  workspaceId: string;
  role: MemberRole | null;
}

async function checklistAccess(sql: Sql, checklistId: string): Promise<ChecklistAccess> {
  if (!uuid.safeParse(checklistId).success) throw new ReviewError('not_found', 'This checklist does not exist or you do not have access to it.');
  const { rows } = await sql.query<{ workspace_id: string; role: MemberRole | null }>(
    `select c.workspace_id, public.workspace_role(c.workspace_id)::text as role from public.checklists c where c.id = $1`,
    [checklistId],
  );
  const row = rows[0];
  if (!row) throw new ReviewError('not_found', 'This checklist does not exist or you do not have access to it.');
  return { workspaceId: row.workspace_id, role: row.role };
}

async function requireItem(sql: Sql, checklistId: string, itemId: string): Promise<void> {
  if (!itemIdSchema.safeParse(itemId).success) throw new ReviewError('not_found', 'There is no such item in this checklist.');
  const { rows } = await sql.query(`select 1 from public.checklist_items where checklist_id = $1 and item_id = $2`, [checklistId, itemId]);
  if (rows.length === 0) throw new ReviewError('not_found', 'There is no such item in this checklist.');
}

/** Mentioned user ids: distinct, each a member of the workspace (else a clear refusal naming the problem). */
async function checkMentions(sql: Sql, workspaceId: string, mentions: readonly string[] | undefined): Promise<string[]> {
  const ids = [...new Set(mentions ?? [])];
  if (ids.length > MAX_MENTIONS) throw new ReviewError('invalid_input', `A comment can mention at most ${MAX_MENTIONS} people.`);
  if (ids.some((id) => !uuid.safeParse(id).success)) throw new ReviewError('not_a_member', 'Only members of this workspace can be mentioned.');
  if (ids.length === 0) return [];
  const { rows } = await sql.query<{ user_id: string }>(
    `select user_id from public.workspace_members where workspace_id = $1 and user_id = any($2::uuid[])`,
    [workspaceId, ids],
  );
  if (rows.length !== ids.length)
    throw new ReviewError('not_a_member', 'Only members of this workspace can be mentioned: one of the people mentioned is not a member.');
  return ids;
}

function requireCommenter(access: ChecklistAccess): void {
  if (!canComment(access.role)) throw new ReviewError('forbidden', 'Viewers can read comments but not write them.');
}

async function insertComment(
  sql: Sql,
  target: { threadId: string; workspaceId: string; checklistId: string; authorId: string },
  body: string,
  mentions: string[],
): Promise<string> {
  const { rows } = await sql.query<{ id: string }>(
    `insert into public.comments (thread_id, workspace_id, checklist_id, author_id, body) values ($1, $2, $3, $4, $5) returning id`,
    [target.threadId, target.workspaceId, target.checklistId, target.authorId, body],
  );
  const commentId = rows[0]!.id;
  await addMentions(sql, { ...target, commentId }, mentions);
  return commentId;
}

async function addMentions(
  sql: Sql,
  target: { commentId: string; threadId: string; workspaceId: string; checklistId: string },
  mentions: string[],
): Promise<void> {
  if (mentions.length === 0) return;
  await sql.query(
    `insert into public.comment_mentions (comment_id, user_id, workspace_id, thread_id, checklist_id)
     select $1, unnest($2::uuid[]), $3, $4, $5 on conflict do nothing`,
    [target.commentId, mentions, target.workspaceId, target.threadId, target.checklistId],
  );
}

export interface NewThread {
  checklistId: string;
  itemId: string;
  body: string;
  mentions?: readonly string[];
  /** A range of the item's notes; `quote` is its text when the thread is opened. */
  anchor?: CommentAnchor | null;
  quote?: string | null;
}

export async function createThread(db: Database, claims: JwtClaims, input: NewThread): Promise<{ threadId: string; commentId: string }> {
  const body = checkCommentBody(input.body);
  const anchor = input.anchor ?? null;
  const quote = anchor ? (input.quote ?? '').trim() : null;
  if (anchor) {
    if (!anchorSchema.safeParse(anchor).success || JSON.stringify(anchor).length > 2_000) {
      throw new ReviewError('invalid_input', 'The selected text cannot be commented on: its position is not readable.');
    }
    if (!quote) throw new ReviewError('invalid_input', 'Select some text of the notes to comment on it.');
    if ([...quote].length > QUOTE_MAX_LENGTH) {
      throw new ReviewError('invalid_input', `Select at most ${QUOTE_MAX_LENGTH.toLocaleString('en-US')} characters to comment on.`);
    }
  }
  return db.asUser(claims, (sql) =>
    guarded(async () => {
      const access = await checklistAccess(sql, input.checklistId);
      requireCommenter(access);
      await requireItem(sql, input.checklistId, input.itemId);
      const mentions = await checkMentions(sql, access.workspaceId, input.mentions);
      const { rows } = await sql.query<{ id: string }>(
        `insert into public.comment_threads (workspace_id, checklist_id, item_id, anchor, quote, created_by)
         values ($1, $2, $3, $4, $5, $6) returning id`,
        [access.workspaceId, input.checklistId, input.itemId, anchor ? JSON.stringify(anchor) : null, quote, claims.sub],
      );
      const threadId = rows[0]!.id;
      const commentId = await insertComment(
        sql,
        { threadId, workspaceId: access.workspaceId, checklistId: input.checklistId, authorId: claims.sub },
        body,
        mentions,
      );
      return { threadId, commentId };
    }, 'Only owners, editors and reviewers can comment.'),
  );
}

async function threadAccess(sql: Sql, threadId: string) {
  if (!uuid.safeParse(threadId).success) throw new ReviewError('not_found', 'This thread does not exist or you do not have access to it.');
  const { rows } = await sql.query<{ checklist_id: string; workspace_id: string; resolved_at: string | null; deleted_at: string | null }>(
    `select checklist_id, workspace_id, resolved_at, deleted_at from public.comment_threads where id = $1`,
    [threadId],
  );
  const thread = rows[0];
  if (!thread) throw new ReviewError('not_found', 'This thread does not exist or you do not have access to it.');
  const access = await checklistAccess(sql, thread.checklist_id);
  return { thread, access };
}

export async function replyToThread(
  db: Database,
  claims: JwtClaims,
  input: { threadId: string; body: string; mentions?: readonly string[] },
): Promise<{ commentId: string }> {
  const body = checkCommentBody(input.body);
  return db.asUser(claims, (sql) =>
    guarded(async () => {
      const { thread, access } = await threadAccess(sql, input.threadId);
      requireCommenter(access);
      if (thread.deleted_at) throw new ReviewError('thread_deleted', 'This thread was deleted: it takes no more replies.');
      if (thread.resolved_at) throw new ReviewError('thread_resolved', 'This thread is resolved: reopen it to reply.');
      const mentions = await checkMentions(sql, access.workspaceId, input.mentions);
      const commentId = await insertComment(
        sql,
        { threadId: input.threadId, workspaceId: access.workspaceId, checklistId: thread.checklist_id, authorId: claims.sub },
        body,
        mentions,
      );
      return { commentId };
    }, 'Only owners, editors and reviewers can comment.'),
  );
}

async function ownComment(sql: Sql, claims: JwtClaims, commentId: string) {
  if (!uuid.safeParse(commentId).success) throw new ReviewError('not_found', 'This comment does not exist or you do not have access to it.');
  const { rows } = await sql.query<{
    thread_id: string;
    workspace_id: string;
    checklist_id: string;
    author_id: string | null;
    deleted_at: string | null;
  }>(`select thread_id, workspace_id, checklist_id, author_id, deleted_at from public.comments where id = $1`, [commentId]);
  const comment = rows[0];
  if (!comment) throw new ReviewError('not_found', 'This comment does not exist or you do not have access to it.');
  if (comment.author_id !== claims.sub) throw new ReviewError('forbidden', 'Only its author can edit or delete a comment.');
  if (comment.deleted_at) throw new ReviewError('comment_deleted', 'This comment was deleted.');
  return comment;
}

export async function editComment(
  db: Database,
  claims: JwtClaims,
  input: { commentId: string; body: string; mentions?: readonly string[] },
): Promise<void> {
  const body = checkCommentBody(input.body);
  await db.asUser(claims, (sql) =>
    guarded(async () => {
      const comment = await ownComment(sql, claims, input.commentId);
      const mentions = await checkMentions(sql, comment.workspace_id, input.mentions);
      const { rows } = await sql.query(`update public.comments set body = $2 where id = $1 returning 1`, [input.commentId, body]);
      if (rows.length === 0) throw new ReviewError('forbidden', 'Only its author can edit a comment, and viewers cannot.');
      await sql.query(`delete from public.comment_mentions where comment_id = $1 and not (user_id = any($2::uuid[]))`, [input.commentId, mentions]);
      await addMentions(
        sql,
        { commentId: input.commentId, threadId: comment.thread_id, workspaceId: comment.workspace_id, checklistId: comment.checklist_id },
        mentions,
      );
    }, 'Only its author can edit a comment.'),
  );
}

/** Soft delete: the comment stays, shown as deleted; deleting a thread's first comment deletes the thread. */
export async function deleteComment(db: Database, claims: JwtClaims, commentId: string): Promise<void> {
  await db.asUser(claims, (sql) =>
    guarded(async () => {
      await ownComment(sql, claims, commentId);
      const { rows } = await sql.query(`update public.comments set deleted_at = now() where id = $1 returning 1`, [commentId]);
      if (rows.length === 0) throw new ReviewError('forbidden', 'Only its author can delete a comment.');
    }, 'Only its author can delete a comment.'),
  );
}

export async function setThreadResolved(db: Database, claims: JwtClaims, threadId: string, resolved: boolean): Promise<void> {
  await db.asUser(claims, (sql) =>
    guarded(async () => {
      const { thread, access } = await threadAccess(sql, threadId);
      requireCommenter(access);
      if (thread.deleted_at) throw new ReviewError('thread_deleted', 'This thread was deleted.');
      const { rows } = await sql.query(
        `update public.comment_threads set resolved_at = ${resolved ? 'now()' : 'null'}, resolved_by = ${resolved ? '$2::uuid' : 'null'}
         where id = $1 ${resolved ? '' : 'and $2::uuid is not null'} returning 1`,
        [threadId, claims.sub],
      );
      if (rows.length === 0) throw new ReviewError('forbidden', 'Only owners, editors and reviewers can resolve threads.');
    }, 'Only owners, editors and reviewers can resolve threads.'),
  );
}

const iso = (value: string | Date | null): string | null => (value === null ? null : new Date(value).toISOString());

/**
 * Every thread of a checklist with its comments (oldest first). Three flat reads (threads, comments, mentions) and
 * one of the names of the people in them, assembled here: per-row subqueries and a profile join per comment would
 * each run RLS checks per row (bench/src/reviews.ts: 2,000 comments).
 */
export async function listChecklistThreads(db: Database, claims: JwtClaims, checklistId: string): Promise<ThreadView[]> {
  if (!uuid.safeParse(checklistId).success) return [];
  return db.asUser(claims, async (sql) => {
    const { rows: threads } = await sql.query<{
      id: string;
      item_id: string;
      anchor: CommentAnchor | null;
      quote: string | null;
      created_by: string | null;
      created_at: string | Date;
      resolved_at: string | Date | null;
      resolved_by: string | null;
      deleted_at: string | Date | null;
    }>(
      `select id, item_id, anchor, quote, created_by, created_at, resolved_at, resolved_by, deleted_at
         from public.comment_threads where checklist_id = $1 order by created_at, id`,
      [checklistId],
    );
    if (threads.length === 0) return [];
    const { rows: comments } = await sql.query<{
      id: string;
      thread_id: string;
      author_id: string | null;
      body: string;
      created_at: string | Date;
      edited_at: string | Date | null;
      deleted_at: string | Date | null;
    }>(
      `select id, thread_id, author_id, case when deleted_at is null then body else '' end as body, created_at, edited_at, deleted_at
         from public.comments where checklist_id = $1 order by created_at, id`,
      [checklistId],
    );
    const { rows: mentions } = await sql.query<{ comment_id: string; user_id: string }>(
      `select comment_id, user_id from public.comment_mentions where checklist_id = $1`,
      [checklistId],
    );
    const people = [...new Set([...comments.map((c) => c.author_id), ...mentions.map((m) => m.user_id)].filter((id): id is string => id !== null))];
    const { rows: names } = await sql.query<{ id: string; display_name: string }>(
      `select id, display_name from public.profiles where id = any($1::uuid[])`,
      [people],
    );
    const nameOf = new Map(names.map((row) => [row.id, row.display_name]));
    const mentionsOf = new Map<string, { userId: string; name: string }[]>();
    for (const mention of mentions) {
      const list = mentionsOf.get(mention.comment_id) ?? [];
      list.push({ userId: mention.user_id, name: nameOf.get(mention.user_id) ?? 'A former member' });
      mentionsOf.set(mention.comment_id, list);
    }
    const commentsOf = new Map<string, CommentView[]>();
    for (const comment of comments) {
      const list = commentsOf.get(comment.thread_id) ?? [];
      list.push({
        id: comment.id,
        threadId: comment.thread_id,
        authorId: comment.author_id,
        authorName: (comment.author_id && nameOf.get(comment.author_id)) || 'A former member',
        body: comment.body,
        createdAt: iso(comment.created_at)!,
        editedAt: iso(comment.edited_at),
        deletedAt: iso(comment.deleted_at),
        mentions: comment.deleted_at ? [] : (mentionsOf.get(comment.id) ?? []),
      });
      commentsOf.set(comment.thread_id, list);
    }
    return threads.map((row) => ({
      id: row.id,
      checklistId,
      itemId: row.item_id,
      anchor: row.anchor,
      quote: row.quote,
      createdBy: row.created_by,
      createdAt: iso(row.created_at)!,
      resolvedAt: iso(row.resolved_at),
      resolvedBy: row.resolved_by,
      deletedAt: iso(row.deleted_at),
      comments: commentsOf.get(row.id) ?? [],
    }));
  });
}

export type ReviewState = 'approved' | 'changed_since_approval' | 'sent_back' | 'none';

export interface ItemReviewState {
  itemId: string;
  state: ReviewState;
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  /** The fingerprint the latest decision approved (null unless it is an approval). */
  approvedFingerprint: string | null;
  /** The item's fingerprint as the projection holds it now. */
  fingerprint: string | null;
}

export async function listReviewStates(db: Database, claims: JwtClaims, checklistId: string): Promise<ItemReviewState[]> {
  if (!uuid.safeParse(checklistId).success) return [];
  const { rows } = await db.asUser(claims, (sql) =>
    sql.query<{
      item_id: string;
      state: ReviewState;
      decided_by: string | null;
      name: string | null;
      decided_at: string | Date | null;
      approved_fingerprint: string | null;
      content_fingerprint: string | null;
    }>(
      `select s.item_id, s.state, s.decided_by, p.display_name as name, s.decided_at, s.approved_fingerprint, s.content_fingerprint
         from public.item_review_states s left join public.profiles p on p.id = s.decided_by
        where s.checklist_id = $1`,
      [checklistId],
    ),
  );
  return rows.map((row) => ({
    itemId: row.item_id,
    state: row.state,
    decidedBy: row.decided_by,
    decidedByName: row.name,
    decidedAt: iso(row.decided_at),
    approvedFingerprint: row.approved_fingerprint,
    fingerprint: row.content_fingerprint,
  }));
}

export interface ItemDecision {
  checklistId: string;
  itemId: string;
  decision: 'approved' | 'sent_back';
  /** Required to send back: it opens a thread on the item saying why. */
  comment?: string;
  mentions?: readonly string[];
  /**
   * doc-model itemFingerprint of the item as the reviewer was shown it. When given, the decision is refused
   * ('changed_while_reviewed') unless the stored item has exactly that content (decision 133).
   */
  seenFingerprint?: string;
}

const fingerprintSchema = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * Approve an item or send it back with a comment. The database records the fingerprint of the item as stored
 * (and, given the one the reviewer saw, refuses a decision on content other than that).
 */
export async function decideItem(db: Database, claims: JwtClaims, input: ItemDecision): Promise<{ approvalId: number; threadId: string | null }> {
  if (input.decision !== 'approved' && input.decision !== 'sent_back') throw new ReviewError('invalid_input', 'Approve the item or send it back.');
  const comment = input.comment?.trim() ? checkCommentBody(input.comment) : null;
  if (input.decision === 'sent_back' && !comment) {
    throw new ReviewError('needs_comment', 'Say why you send the item back: a comment is required.');
  }
  if (input.seenFingerprint !== undefined && !fingerprintSchema.safeParse(input.seenFingerprint).success) {
    throw new ReviewError('invalid_input', 'The reviewed content is not identified: its fingerprint must be 64 hexadecimal digits.');
  }
  const seen = input.seenFingerprint ?? null;
  return db.asUser(claims, (sql) =>
    guarded(async () => {
      const access = await checklistAccess(sql, input.checklistId);
      if (!canReview(access.role))
        throw new ReviewError('forbidden', 'Only reviewers and owners can approve items or send them back in this checklist.');
      await requireItem(sql, input.checklistId, input.itemId);
      let threadId: string | null = null;
      let commentId: string | null = null;
      if (comment) {
        const mentions = await checkMentions(sql, access.workspaceId, input.mentions);
        const { rows } = await sql.query<{ id: string }>(
          `insert into public.comment_threads (workspace_id, checklist_id, item_id, created_by) values ($1, $2, $3, $4) returning id`,
          [access.workspaceId, input.checklistId, input.itemId, claims.sub],
        );
        threadId = rows[0]!.id;
        commentId = await insertComment(
          sql,
          { threadId, workspaceId: access.workspaceId, checklistId: input.checklistId, authorId: claims.sub },
          comment,
          mentions,
        );
      }
      const { rows } = await sql.query<{ id: number }>(
        `insert into public.item_approvals (workspace_id, checklist_id, item_id, decision, comment_id, decided_by, fingerprint)
         values ($1, $2, $3, $4, $5, $6, $7) returning id`,
        [access.workspaceId, input.checklistId, input.itemId, input.decision, commentId, claims.sub, seen],
      );
      return { approvalId: Number(rows[0]!.id), threadId };
    }, 'Only reviewers and owners can approve items or send them back.'),
  );
}

export interface ReviewSettings {
  doneRequiresApproval: boolean;
}

export async function getReviewSettings(db: Database, claims: JwtClaims, checklistId: string): Promise<ReviewSettings> {
  if (!uuid.safeParse(checklistId).success) return { doneRequiresApproval: false };
  const { rows } = await db.asUser(claims, (sql) =>
    sql.query<{ done_requires_approval: boolean }>(`select done_requires_approval from public.checklist_review_settings where checklist_id = $1`, [
      checklistId,
    ]),
  );
  return { doneRequiresApproval: rows[0]?.done_requires_approval ?? false };
}

export async function setDoneRequiresApproval(db: Database, claims: JwtClaims, checklistId: string, on: boolean): Promise<void> {
  await db.asUser(claims, (sql) =>
    guarded(async () => {
      const access = await checklistAccess(sql, checklistId);
      if (!isOwner(access.role)) throw new ReviewError('forbidden', 'Only owners decide whether done requires an approval.');
      await sql.query(
        `insert into public.checklist_review_settings (checklist_id, workspace_id, done_requires_approval, updated_by)
         values ($1, $2, $3, $4)
         on conflict (checklist_id) do update set done_requires_approval = excluded.done_requires_approval,
           updated_by = excluded.updated_by, updated_at = now()`,
        [checklistId, access.workspaceId, on, claims.sub],
      );
    }, 'Only owners decide whether done requires an approval.'),
  );
}

/**
 * What the collaboration server's review rule needs for one checklist: the setting and, per item, the
 * fingerprint of its latest approval (items whose latest decision is a send-back or nothing are absent).
 * Read as service_role: the server holds it for every session of the room.
 */
export async function loadApprovalRule(
  db: Database,
  checklistId: string,
): Promise<{ doneRequiresApproval: boolean; approved: Map<string, string | null> }> {
  return db.asService(async (sql) => {
    const { rows: settings } = await sql.query<{ done_requires_approval: boolean }>(
      `select done_requires_approval from public.checklist_review_settings where checklist_id = $1`,
      [checklistId],
    );
    const { rows } = await sql.query<{ item_id: string; fingerprint: string | null }>(
      `select distinct on (item_id) item_id, decision, fingerprint from public.item_approvals
        where checklist_id = $1 order by item_id, id desc`,
      [checklistId],
    );
    const approved = new Map<string, string | null>();
    for (const row of rows as { item_id: string; decision?: string; fingerprint: string | null }[]) {
      if (row.decision === 'approved') approved.set(row.item_id, row.fingerprint);
    }
    return { doneRequiresApproval: settings[0]?.done_requires_approval ?? false, approved };
  });
}

export interface Signoff {
  id: number;
  signedBy: string | null;
  signedByName: string | null;
  signedAt: string;
  stateHash: string;
  lastUpdateId: number;
  itemCount: number;
}

/**
 * An owner signs the whole checklist off once every item's current state is approved. The sign-off records the
 * stored document it covers: its state vector, the sha256 of its full state, and the last update-log id.
 */
export async function signOffChecklist(db: Database, claims: JwtClaims, checklistId: string): Promise<Signoff> {
  return db.asUser(claims, (sql) =>
    guarded(async () => {
      const access = await checklistAccess(sql, checklistId);
      if (!isOwner(access.role)) throw new ReviewError('forbidden', 'Only owners can sign a checklist off.');
      const { rows: states } = await sql.query<{ items: number; unapproved: number }>(
        `select count(*)::int as items, (count(*) filter (where state <> 'approved'))::int as unapproved
           from public.item_review_states where checklist_id = $1`,
        [checklistId],
      );
      const { items, unapproved } = states[0]!;
      if (items === 0) throw new ReviewError('not_all_approved', 'This checklist has no items to sign off.');
      if (unapproved > 0) {
        throw new ReviewError(
          'not_all_approved',
          `${unapproved} of ${items} items are not approved yet: every item needs a current approval before sign-off.`,
        );
      }
      const stored = await readDocumentState(sql, checklistId);
      const doc = docFromState(stored);
      const stateVector = Y.encodeStateVector(doc);
      const stateHash = createHash('sha256').update(Y.encodeStateAsUpdate(doc)).digest('hex');
      doc.destroy();
      const { rows } = await sql.query<{ id: number; signed_at: string | Date; item_count: number }>(
        `insert into public.checklist_signoffs (workspace_id, checklist_id, state_vector, state_hash, last_update_id, item_count, signed_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning id, signed_at, item_count`,
        [access.workspaceId, checklistId, stateVector, stateHash, stored.lastUpdateId, items, claims.sub],
      );
      return {
        id: Number(rows[0]!.id),
        signedBy: claims.sub,
        signedByName: null,
        signedAt: iso(rows[0]!.signed_at)!,
        stateHash,
        lastUpdateId: stored.lastUpdateId,
        itemCount: rows[0]!.item_count,
      };
    }, 'Only owners can sign a checklist off.'),
  );
}

export async function listSignoffs(db: Database, claims: JwtClaims, checklistId: string): Promise<Signoff[]> {
  if (!uuid.safeParse(checklistId).success) return [];
  const { rows } = await db.asUser(claims, (sql) =>
    sql.query<{
      id: number;
      signed_by: string | null;
      name: string | null;
      signed_at: string | Date;
      state_hash: string;
      last_update_id: number;
      item_count: number;
    }>(
      `select s.id, s.signed_by, p.display_name as name, s.signed_at, s.state_hash, s.last_update_id, s.item_count
         from public.checklist_signoffs s left join public.profiles p on p.id = s.signed_by
        where s.checklist_id = $1 order by s.id desc`,
      [checklistId],
    ),
  );
  return rows.map((row) => ({
    id: Number(row.id),
    signedBy: row.signed_by,
    signedByName: row.name,
    signedAt: iso(row.signed_at)!,
    stateHash: row.state_hash,
    lastUpdateId: Number(row.last_update_id),
    itemCount: row.item_count,
  }));
}
