import { z } from 'zod';
import { jsonLiteral } from './database.ts';
import { toUint8Array } from './documents.ts';
import { LAST_CHANGES_MAX_ITEMS } from './audit-limits.ts';
import { DataAccessError } from './errors.ts';
import { encodeLiveEvent, LIVE_CHANNEL, MAX_LIVE_EVENT_BYTES, type LiveEvent } from './live-events.ts';
import type { Database, JwtClaims, Sql } from './types.ts';

/*
 * The audit trail (public.audit_trail, docs/decisions/121-audit-trail.md): append-only rows of who changed what.
 * Item-level rows come from the collaboration server's audit writer (appendAuditRows, service role); other audited
 * actions are recorded with recordAuditEvent inside the transaction that performs them; membership, invitations and
 * deletions of deals and checklists are recorded by triggers in the database itself.
 */

export type AuditErrorCode = 'invalid_event' | 'invalid_filter';

/** An audit event or a history filter that cannot be used: a DataAccessError of kind `invalid` (docs/decisions/015). */
export class AuditError extends DataAccessError<AuditErrorCode> {
  override name = 'AuditError';
  constructor(code: AuditErrorCode, message: string) {
    super('invalid', message, { code });
  }
}

const kindSchema = z.string().regex(/^[a-z][a-z_]{1,62}$/, 'a kind is lower_snake_case, 2 to 63 characters');
const fieldSchema = z.string().regex(/^[a-z][a-z_]{0,62}$/, 'a field is lower_snake_case');

export const auditEventSchema = z.object({
  workspaceId: z.uuid(),
  kind: kindSchema,
  dealId: z.uuid().nullish(),
  checklistId: z.uuid().nullish(),
  itemId: z.string().min(1).max(64).nullish(),
  field: fieldSchema.nullish(),
  oldValue: z.unknown().optional(),
  newValue: z.unknown().optional(),
  /** Who did it. A signed-in caller always records as themselves; only the service role may name someone else. */
  userId: z.uuid().nullish(),
});
export type AuditEvent = z.input<typeof auditEventSchema>;

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/**
 * Records one audited action (a sign-off, an approval, an export, a file, a restore...) in the transaction of `sql`,
 * so it is written if and only if the action is. As a signed-in user: recorded as that user, only in a workspace they
 * belong to, and never one of the kinds the collaboration server derives from documents. Returns the row id.
 */
export async function recordAuditEvent(sql: Sql, event: AuditEvent): Promise<number> {
  const parsed = auditEventSchema.safeParse(event);
  if (!parsed.success)
    throw new AuditError(
      'invalid_event',
      `Not an audit event: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  const e = parsed.data;
  const { rows } = await sql.query<{ id: unknown }>(`select tieout_audit.record_event($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9) as id`, [
    e.workspaceId,
    e.kind,
    e.dealId ?? null,
    e.checklistId ?? null,
    e.itemId ?? null,
    e.field ?? null,
    json(e.oldValue),
    json(e.newValue),
    e.userId ?? null,
  ]);
  if (e.checklistId && e.itemId)
    await publishActivity(sql, [{ workspaceId: e.workspaceId, dealId: e.dealId ?? null, checklistId: e.checklistId, itemId: e.itemId }]);
  return Number(rows[0]!.id);
}

/** The most item ids a live `activity` event names; more, and it names none (a listener re-reads every item). */
export const ACTIVITY_MAX_ITEM_IDS = 16;

/**
 * Announces, when the transaction commits, that audit rows about items of these checklists were written (live topic
 * `activity`, ids only, decision 013): open checklists re-read their "last changed by" lines. One notice per checklist,
 * naming the items (`itemIds`, sorted) when there are at most ACTIVITY_MAX_ITEM_IDS of them and they fit the event's
 * size limit, so a page re-reads just those items' lines (lastItemChanges with `onlyItems`); without `itemIds`, all.
 */
/** The live `activity` events of rows written for these scopes: one per checklist, naming its items when they fit. */
function activityEvents(scopes: readonly { workspaceId: string; dealId: string | null; checklistId: string; itemId: string | null }[]): string[] {
  const byChecklist = new Map<string, { workspaceId: string; dealId: string | null; items: Set<string> }>();
  for (const scope of scopes) {
    const entry = byChecklist.get(scope.checklistId) ?? { workspaceId: scope.workspaceId, dealId: scope.dealId, items: new Set<string>() };
    if (scope.itemId !== null) entry.items.add(scope.itemId);
    byChecklist.set(scope.checklistId, entry);
  }
  return [...byChecklist].map(([checklistId, { workspaceId, dealId, items }]) => {
    const event: LiveEvent = { topic: 'activity', workspaceId, checklistId, ...(dealId ? { dealId } : {}) };
    const named = { ...event, itemIds: [...items].sort() };
    const fits = items.size > 0 && items.size <= ACTIVITY_MAX_ITEM_IDS && Buffer.byteLength(JSON.stringify(named)) <= MAX_LIVE_EVENT_BYTES;
    return encodeLiveEvent(fits ? named : event);
  });
}

async function publishActivity(
  sql: Sql,
  scopes: readonly { workspaceId: string; dealId: string | null; checklistId: string; itemId: string | null }[],
): Promise<void> {
  for (const payload of activityEvents(scopes)) await sql.query(`select pg_notify($1, $2)`, [LIVE_CHANNEL, payload]);
}

/** A row derived from a document by the audit writer. */
export interface AuditRowInput {
  workspaceId: string;
  dealId: string | null;
  checklistId: string;
  itemId: string | null;
  kind: string;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
  userId: string;
  /** The update-log row the change came from: the row's time is that row's. */
  updateId: number | null;
}

/** A notes row the audit writer holds while its author types: item, author, and the first log id the row covers. */
export interface HeldAuditRow {
  itemId: string;
  userId: string;
  fromUpdateId: number;
}

/**
 * The audit writer's progress on one checklist (public.audit_cursors): every change of the log rows up to
 * `auditedUpdateId` has its audit rows, except the `held` notes edits (written later, as one row per typing run).
 */
export interface AuditCursor {
  checklistId: string;
  auditedUpdateId: number;
  held: readonly HeldAuditRow[];
}

/** The log row from which a replay starts: the first one that may lack audit rows. */
export const auditReplayFrom = (cursor: Pick<AuditCursor, 'auditedUpdateId' | 'held'>): number =>
  Math.min(cursor.auditedUpdateId, ...cursor.held.map((row) => row.fromUpdateId - 1));

/** The statement that moves a checklist's audit cursor, every value inlined. Never backwards (see the where clause). */
function auditCursorStatement(cursor: AuditCursor): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(cursor.checklistId)) {
    throw new AuditError('invalid_event', `Not a checklist id: ${JSON.stringify(cursor.checklistId)}`);
  }
  if (!Number.isSafeInteger(cursor.auditedUpdateId) || cursor.auditedUpdateId < 0) {
    throw new AuditError('invalid_event', `Not a log row id: ${JSON.stringify(cursor.auditedUpdateId)}`);
  }
  // Never backwards: two runs of one writer are written in order, and a cursor from an older run loses to a newer.
  return `insert into public.audit_cursors (checklist_id, audited_update_id, held)
     values ('${cursor.checklistId}'::uuid, ${cursor.auditedUpdateId}, ${jsonLiteral(cursor.held)})
     on conflict (checklist_id) do update set audited_update_id = excluded.audited_update_id, held = excluded.held, updated_at = now()
      where public.audit_cursors.audited_update_id <= excluded.audited_update_id`;
}

/** One log row the audit writer has not audited yet. */
export interface UnauditedUpdate {
  updateId: number;
  userId: string | null;
  update: Uint8Array;
  /** How long ago the row was logged, by the database's clock (server clocks may disagree). */
  ageMs: number;
}

export interface AuditReplay {
  cursor: AuditCursor;
  /**
   * The stored document as of the log row the replay starts from (snapshot first, then log rows); null when it cannot
   * be rebuilt (see auditReplay): the writer then starts from the document as loaded.
   */
  base: Uint8Array[] | null;
  /** The log rows after that one, oldest first, each with its author. */
  updates: UnauditedUpdate[];
}

/**
 * What the audit writer must replay for a checklist it loads (service role): the document as of its cursor and every
 * log row after it. A checklist without a cursor (new, or from before the cursor existed) gets one at its latest log
 * row and nothing to replay. `base` is null when the stored snapshot already covers rows after the cursor (compacted
 * before compaction respected the cursor): the state at the cursor cannot be rebuilt, and the cursor moves to the snapshot.
 */
export async function auditReplay(db: Database, checklistId: string): Promise<AuditReplay> {
  return db.asService(async (sql) => {
    await sql.query(
      `insert into public.audit_cursors (checklist_id, audited_update_id)
       select $1, coalesce((select max(id) from public.document_updates where checklist_id = $1), 0)
       on conflict (checklist_id) do nothing`,
      [checklistId],
    );
    const { rows: cursors } = await sql.query<{ audited_update_id: unknown; held: HeldAuditRow[] }>(
      `select audited_update_id, held from public.audit_cursors where checklist_id = $1`,
      [checklistId],
    );
    const cursor: AuditCursor = { checklistId, auditedUpdateId: Number(cursors[0]!.audited_update_id), held: cursors[0]!.held };
    const from = auditReplayFrom(cursor);
    const { rows: snapshots } = await sql.query<{ state: unknown; last_update_id: unknown }>(
      `select state, last_update_id from public.document_snapshots where checklist_id = $1`,
      [checklistId],
    );
    const snapshot = snapshots[0];
    const snapshotUpdateId = snapshot ? Number(snapshot.last_update_id) : 0;
    if (snapshotUpdateId > from) {
      const moved: AuditCursor = { checklistId, auditedUpdateId: Math.max(snapshotUpdateId, cursor.auditedUpdateId), held: [] };
      await sql.query(auditCursorStatement(moved));
      return { cursor: moved, base: null, updates: [] };
    }
    const { rows } = await sql.query<{ id: unknown; user_id: string | null; update: unknown; age_ms: unknown }>(
      `select id, user_id, update, (extract(epoch from (now() - created_at)) * 1000)::float8 as age_ms
         from public.document_updates where checklist_id = $1 and id > $2 order by id`,
      [checklistId, snapshotUpdateId],
    );
    const base = snapshot ? [toUint8Array(snapshot.state)] : [];
    const updates: UnauditedUpdate[] = [];
    for (const row of rows) {
      const updateId = Number(row.id);
      if (updateId <= from) base.push(toUint8Array(row.update));
      else updates.push({ updateId, userId: row.user_id, update: toUint8Array(row.update), ageMs: Number(row.age_ms) });
    }
    return { cursor, base, updates };
  });
}

/**
 * Appends the audit writer's rows in one statement, as service_role; each row is timed like its update-log row. With
 * `cursor`, the checklist's audit cursor moves in the same transaction (the rows and the progress commit together).
 * Sent as one inlined script (decision 178): behind the collaboration server's batcher, it shares the tick's round trip
 * with the other documents' after-persist writes.
 */
export async function appendAuditRows(db: Database, rows: readonly AuditRowInput[], cursor?: AuditCursor): Promise<number> {
  const statements: string[] = [];
  if (rows.length > 0) {
    const payload = rows.map((row) => ({
      workspace_id: row.workspaceId,
      deal_id: row.dealId,
      checklist_id: row.checklistId,
      item_id: row.itemId,
      kind: row.kind,
      field: row.field,
      old_value: row.oldValue ?? null,
      new_value: row.newValue ?? null,
      user_id: row.userId,
      update_id: row.updateId,
    }));
    statements.push(
      `with inserted as (
         insert into public.audit_trail (workspace_id, deal_id, checklist_id, item_id, kind, field, old_value, new_value, user_id, update_id, created_at)
         select (e.v ->> 'workspace_id')::uuid, (e.v ->> 'deal_id')::uuid, (e.v ->> 'checklist_id')::uuid, e.v ->> 'item_id',
                e.v ->> 'kind', e.v ->> 'field', e.v -> 'old_value', e.v -> 'new_value', (e.v ->> 'user_id')::uuid,
                (e.v ->> 'update_id')::bigint,
                coalesce((select u.created_at from public.document_updates u where u.id = (e.v ->> 'update_id')::bigint), now())
           from jsonb_array_elements(${jsonLiteral(payload)}) with ordinality as e(v, ordinality)
          order by e.ordinality
         returning 1)
       select count(*)::int as n from inserted`,
    );
  }
  if (cursor) statements.push(auditCursorStatement(cursor));
  const events = activityEvents(rows.filter((row) => row.itemId !== null));
  if (events.length > 0)
    statements.push(`select ${events.map((event) => `pg_notify('${LIVE_CHANNEL}', ${jsonLiteral(event)} #>> '{}')`).join(', ')}`);
  if (statements.length === 0) return 0;
  const results = await db.scriptAsService(statements);
  return rows.length > 0 ? (results[0]![0] as { n: number }).n : 0;
}

export interface AuditEntry {
  id: number;
  workspaceId: string;
  dealId: string | null;
  checklistId: string | null;
  itemId: string | null;
  kind: string;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
  userId: string | null;
  /** The user's display name (their profile), or null. */
  userName: string | null;
  createdAt: string;
  /** Title of the checklist (null when it was deleted). */
  checklistTitle: string | null;
  /** The item's title now (from the projection), or as the row recorded it when the item is gone. */
  itemTitle: string | null;
}

export const auditFilterSchema = z
  .object({
    workspaceId: z.uuid().optional(),
    dealId: z.uuid().optional(),
    checklistId: z.uuid().optional(),
    itemId: z.string().min(1).max(64).optional(),
    userId: z.uuid().optional(),
    field: fieldSchema.optional(),
    kinds: z.array(kindSchema).max(20).optional(),
    /** Inclusive lower and exclusive upper bound on created_at. */
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    /** Rows older than this id (paging, newest first). */
    beforeId: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(10_000).default(200),
  })
  .refine((filter) => filter.workspaceId || filter.dealId || filter.checklistId, 'name a workspace, a deal or a checklist');
export type AuditFilter = z.input<typeof auditFilterSchema>;

/** The audit trail as the user may read it (RLS: members of the workspace), newest first, filtered. */
export async function listAuditTrail(db: Database, claims: JwtClaims, filter: AuditFilter): Promise<AuditEntry[]> {
  const parsed = auditFilterSchema.safeParse(filter);
  if (!parsed.success) throw new AuditError('invalid_filter', parsed.error.issues.map((issue) => issue.message).join('; '));
  const f = parsed.data;
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replace('$?', `$${params.length}`));
  };
  if (f.workspaceId) add('a.workspace_id = $?', f.workspaceId);
  if (f.dealId) add('a.deal_id = $?', f.dealId);
  if (f.checklistId) add('a.checklist_id = $?', f.checklistId);
  if (f.itemId) add('a.item_id = $?', f.itemId);
  if (f.userId) add('a.user_id = $?', f.userId);
  if (f.field) add('a.field = $?', f.field);
  if (f.kinds?.length) add('a.kind = any($?::text[])', f.kinds);
  if (f.from) add('a.created_at >= $?::timestamptz', f.from);
  if (f.to) add('a.created_at < $?::timestamptz', f.to);
  if (f.beforeId) add('a.id < $?', f.beforeId);
  params.push(f.limit);
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{
      id: unknown;
      workspace_id: string;
      deal_id: string | null;
      checklist_id: string | null;
      item_id: string | null;
      kind: string;
      field: string | null;
      old_value: unknown;
      new_value: unknown;
      user_id: string | null;
      user_name: string | null;
      created_at: string;
      checklist_title: string | null;
      item_title: string | null;
    }>(
      `select a.id, a.workspace_id, a.deal_id, a.checklist_id, a.item_id, a.kind, a.field, a.old_value, a.new_value, a.user_id,
              p.display_name as user_name, to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
              c.title as checklist_title,
              coalesce(ci.title, a.old_value ->> 'title', a.new_value ->> 'title') as item_title
         from public.audit_trail a
         left join public.profiles p on p.id = a.user_id
         left join public.checklists c on c.id = a.checklist_id
         left join public.checklist_items ci on ci.checklist_id = a.checklist_id and ci.item_id = a.item_id
        where ${where.join(' and ')}
        order by a.created_at desc, a.id desc
        limit $${params.length}`,
      params,
    );
    return rows.map((row) => ({
      id: Number(row.id),
      workspaceId: row.workspace_id,
      dealId: row.deal_id,
      checklistId: row.checklist_id,
      itemId: row.item_id,
      kind: row.kind,
      field: row.field,
      oldValue: row.old_value,
      newValue: row.new_value,
      userId: row.user_id,
      userName: row.user_name,
      createdAt: row.created_at,
      checklistTitle: row.checklist_title,
      itemTitle: row.item_id ? row.item_title : null,
    }));
  });
}

export interface LastChange {
  itemId: string;
  userId: string | null;
  userName: string | null;
  at: string;
}

export { LAST_CHANGES_MAX_ITEMS };

/**
 * Who changed each item of a checklist last, and when ("last changed by … · 5 min ago"), read on every load of the
 * checklist page. Two index seeks per item on audit_trail_item_idx (checklist_id, item_id, created_at desc, id desc):
 * a loose index scan walks the distinct item ids, and each item's newest row is the first of its range. So the cost
 * follows the number of items, not of rows: a `distinct on` over 100,000 rows of one checklist took 13 s here (each row
 * read and checked by RLS), this 0.2-0.8 s on the same loaded machine.
 * With `onlyItems` (at most LAST_CHANGES_MAX_ITEMS ids, as a live `activity` event names them), only those items: one
 * seek each, so a page that follows someone's edits re-reads one line, not 2,000 (on the embedded database the full
 * read held the server's event loop, and every edit relayed meanwhile, for about 100 ms at 2,000 items). Items
 * without a row are absent from the result. A review decision (approval, send-back) is not a change of the item, so
 * it is skipped.
 */
export async function lastItemChanges(
  db: Database,
  claims: JwtClaims,
  checklistId: string,
  onlyItems?: readonly string[],
): Promise<Map<string, LastChange>> {
  if (
    onlyItems &&
    (onlyItems.length > LAST_CHANGES_MAX_ITEMS || onlyItems.some((id) => typeof id !== 'string' || id.length === 0 || id.length > 64))
  ) {
    throw new AuditError('invalid_filter', `At most ${LAST_CHANGES_MAX_ITEMS} item ids of 1 to 64 characters can be named`);
  }
  if (onlyItems && onlyItems.length === 0) return new Map();
  const ids = onlyItems
    ? `select distinct item_id from unnest($2::text[]) as named(item_id)`
    : `with recursive ids(item_id) as (
         (select a.item_id from public.audit_trail a
           where a.checklist_id = $1 and a.item_id is not null
           order by a.item_id limit 1)
         union all
         select (select a.item_id from public.audit_trail a
                  where a.checklist_id = $1 and a.item_id > ids.item_id
                  order by a.item_id limit 1)
           from ids
          where ids.item_id is not null
       )
       select item_id from ids`;
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{ item_id: string; user_id: string | null; user_name: string | null; at: string }>(
      `with item_ids as materialized (${ids})
       select item_ids.item_id, last.user_id, p.display_name as user_name,
              to_char(last.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
         from item_ids
        cross join lateral (
              select a.user_id, a.created_at from public.audit_trail a
               where a.checklist_id = $1 and a.item_id = item_ids.item_id
                 and a.kind not in ('item_approved', 'item_sent_back')
               order by a.created_at desc, a.id desc
               limit 1) last
         left join public.profiles p on p.id = last.user_id
        where item_ids.item_id is not null`,
      onlyItems ? [checklistId, [...onlyItems]] : [checklistId],
    );
    return new Map(rows.map((row) => [row.item_id, { itemId: row.item_id, userId: row.user_id, userName: row.user_name, at: row.at }]));
  });
}
