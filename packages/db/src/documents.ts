import * as Y from 'yjs';
import type { MemberRole } from './roles.ts';
import { DOCUMENT_WRITER_ROLE, type Database, type JwtClaims, type Row, type Sql } from './types.ts';

/*
 * Storage of checklist Yjs documents: a compacted snapshot (document_snapshots) plus the append-only
 * update log (document_updates). Reads and appends run as the user, so RLS decides; compaction runs as
 * service_role because no user is doing it (docs/decisions/021-document-storage-locking.md).
 *
 * Appends and compaction of one document are ordered by a transaction-scoped advisory lock: appends take
 * it shared, compaction exclusive. Once compaction holds it, every update id the sequence handed out
 * before is committed, so "all rows with id <= N" is a stable set and the snapshot never skips one.
 */

export interface ChecklistAccess {
  workspaceId: string;
  role: MemberRole;
}

export interface DocumentState {
  /** Snapshot first (when there is one), then every logged update after it, oldest first. */
  updates: Uint8Array[];
  /** The log id the snapshot covers (0 without a snapshot). */
  snapshotUpdateId: number;
  /** The highest log id included in `updates` (or the snapshot's). */
  lastUpdateId: number;
  /** How many log rows follow the snapshot: a hint for when to compact. */
  tailLength: number;
}

export interface AppendedUpdates {
  ids: number[];
}

export interface CompactionResult {
  /** False when a snapshot at or beyond `upToUpdateId` was already stored. */
  written: boolean;
  lastUpdateId: number;
  bytes: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const lockKey = (checklistId: string) => `tieout.document:${checklistId}`;

/** Bytea comes back as a Buffer from node-postgres and as a Uint8Array from PGlite. */
export function toUint8Array(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) {
    return value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  throw new TypeError(`Expected bytea, got ${typeof value}`);
}

const asId = (value: unknown): number => (typeof value === 'bigint' ? Number(value) : Number(value ?? 0));

/** The caller's role in the checklist's workspace, or null when the checklist is invisible to them (RLS). */
export async function checklistAccess(db: Database, claims: JwtClaims, checklistId: string): Promise<ChecklistAccess | null> {
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{ workspace_id: string; role: MemberRole | null }>(
      `select c.workspace_id, public.workspace_role(c.workspace_id)::text as role
         from public.checklists c where c.id = $1`,
      [checklistId],
    );
    const row = rows[0];
    return row && row.role ? { workspaceId: row.workspace_id, role: row.role } : null;
  });
}

export interface SessionRef {
  checklistId: string;
  userId: string;
}

export interface SessionAccess extends SessionRef {
  /** False when the checklist was deleted. */
  checklistExists: boolean;
  /** The user's role in the checklist's workspace now, or null (not a member, or no such checklist). */
  access: ChecklistAccess | null;
}

/**
 * The current access of many open sessions in one read, as service_role: what `checklistAccess` would
 * answer for each user (a workspace member sees the checklist with their role, anyone else nothing), plus
 * whether the checklist still exists. Only for re-checking sessions the server authorized as the user
 * (docs/decisions/011 and 025); never to grant access.
 */
export async function sessionAccess(db: Database, sessions: SessionRef[]): Promise<SessionAccess[]> {
  if (sessions.length === 0) return [];
  // Ids that are not UUIDs match nothing (null), rather than failing the read for every session.
  const uuidOrNull = (id: string) => (UUID.test(id) ? id : null);
  const { rows } = await db.asService((sql) =>
    sql.query<{ workspace_id: string | null; role: MemberRole | null }>(
      `select c.workspace_id, m.role::text as role
         from unnest($1::uuid[], $2::uuid[]) with ordinality as s(checklist_id, user_id, n)
         left join public.checklists c on c.id = s.checklist_id
         left join public.workspace_members m on m.workspace_id = c.workspace_id and m.user_id = s.user_id
        order by s.n`,
      [sessions.map((s) => uuidOrNull(s.checklistId)), sessions.map((s) => uuidOrNull(s.userId))],
    ),
  );
  return sessions.map((session, index) => {
    const row = rows[index];
    const workspaceId = row?.workspace_id ?? null;
    return {
      ...session,
      checklistExists: workspaceId !== null,
      access: workspaceId !== null && row?.role ? { workspaceId, role: row.role } : null,
    };
  });
}

/**
 * The first snapshot of a new checklist's document, written in the caller's transaction together with the
 * checklist row (decision 091), so a checklist never exists without its document.
 */
export async function storeInitialDocument(sql: Sql, input: { checklistId: string; workspaceId: string; state: Uint8Array }): Promise<void> {
  // `authenticated` cannot write document bytes (decision 101): this insert runs as the document writer, with the
  // same claims and RLS, then the transaction is back in the caller's role.
  const { rows } = await sql.query<{ role: string }>(`select current_setting('role') as role, set_config('role', '${DOCUMENT_WRITER_ROLE}', true)`);
  await sql.query(`insert into public.document_snapshots (checklist_id, workspace_id, state, last_update_id) values ($1, $2, $3, 0)`, [
    input.checklistId,
    input.workspaceId,
    input.state,
  ]);
  await sql.query(`select set_config('role', $1, true)`, [rows[0]!.role]);
}

/** A checklist's stored document as a Y.Doc, read as the user (empty when they cannot see it). The caller destroys it. */
export async function loadDocument(db: Database, claims: JwtClaims, checklistId: string): Promise<Y.Doc> {
  return docFromState(await loadDocumentState(db, claims, checklistId));
}

/** The document a stored state describes (snapshot and log merged). */
export function docFromState(state: Pick<DocumentState, 'updates'>): Y.Doc {
  const doc = new Y.Doc();
  if (state.updates.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(state.updates));
  return doc;
}

/** The highest log id of a document that the user can see (0 when none). */
export async function latestVisibleUpdateId(db: Database, claims: JwtClaims, checklistId: string): Promise<number> {
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{ id: unknown }>(`select coalesce(max(id), 0) as id from public.document_updates where checklist_id = $1`, [
      checklistId,
    ]);
    return asId(rows[0]?.id);
  });
}

/** The updates the user themselves wrote to a document after log id `afterId`, in order. */
export async function ownUpdatesSince(db: Database, claims: JwtClaims, checklistId: string, afterId: number): Promise<Uint8Array[]> {
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{ update: unknown }>(
      `select update from public.document_updates where checklist_id = $1 and id > $2 and user_id = auth.uid() order by id`,
      [checklistId, afterId],
    );
    return rows.map((row) => toUint8Array(row.update));
  });
}

/** Snapshot plus the update log after it, read as the user (RLS applies: a non-member reads nothing). */
export async function loadDocumentState(db: Database, claims: JwtClaims, checklistId: string): Promise<DocumentState> {
  return db.asUser(claims, (sql) => readDocumentState(sql, checklistId));
}

/** The one reader of a stored document (snapshot, then the log after it), in the caller's transaction and role. */
export async function readDocumentState(sql: Sql, checklistId: string): Promise<DocumentState> {
  const { rows: snapshots } = await sql.query<{ state: unknown; last_update_id: unknown }>(
    `select state, last_update_id from public.document_snapshots where checklist_id = $1`,
    [checklistId],
  );
  const snapshot = snapshots[0];
  const snapshotUpdateId = snapshot ? asId(snapshot.last_update_id) : 0;
  const { rows } = await sql.query<{ id: unknown; update: unknown }>(
    `select id, update from public.document_updates where checklist_id = $1 and id > $2 order by id`,
    [checklistId, snapshotUpdateId],
  );
  const updates = rows.map((row) => toUint8Array(row.update));
  if (snapshot) updates.unshift(toUint8Array(snapshot.state));
  const last = rows[rows.length - 1];
  return { updates, snapshotUpdateId, lastUpdateId: last ? asId(last.id) : snapshotUpdateId, tailLength: rows.length };
}

/**
 * Appends Yjs updates to the log AS THE USER: RLS ("editors append as themselves") refuses anyone who
 * cannot edit the workspace, and user_id defaults to auth.uid(), so every row is attributed to its author.
 */
export async function appendUpdates(
  db: Database,
  claims: JwtClaims,
  checklistId: string,
  workspaceId: string,
  updates: Uint8Array[],
): Promise<AppendedUpdates> {
  if (updates.length === 0) return { ids: [] };
  try {
    const [appended] = await appendUpdatesAsUsers(db, checklistId, workspaceId, [{ claims, updates }]);
    return appended!;
  } catch (error) {
    throw error instanceof AppendUpdatesError ? error.cause : error;
  }
}

export interface UserUpdates {
  claims: JwtClaims;
  updates: Uint8Array[];
}

/** A user's share of a multi-user append failed: the whole transaction was rolled back. */
export class AppendUpdatesError extends Error {
  override name = 'AppendUpdatesError';
  /** The failing statement's SQLSTATE (or Node error code), as on the original error. */
  readonly code: string | undefined;

  constructor(
    /** Whose updates the database refused or failed on (the `sub` of their claims). */
    readonly userId: string,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/**
 * Appends several users' updates in ONE transaction, each user's rows inserted AS THAT USER (the
 * transaction switches claims between them, so RLS and the user_id default apply to each in turn) with
 * one multi-row insert per user, in order. Returns the new ids per entry. If any share fails nothing is
 * stored, and the error is an AppendUpdatesError naming the user whose statement failed, so a caller can
 * drop that user's updates and write the others again.
 */
export async function appendUpdatesAsUsers(
  db: Database,
  checklistId: string,
  workspaceId: string,
  entries: UserUpdates[],
): Promise<AppendedUpdates[]> {
  const [result] = await appendToDocuments(db, [{ checklistId, workspaceId, entries }]);
  if (result!.status === 'rejected') throw result!.reason;
  return result!.value;
}

/** One document's share of a group write: every author's pending updates, as for appendUpdatesAsUsers. */
export interface DocumentAppend {
  checklistId: string;
  workspaceId: string;
  entries: UserUpdates[];
}

/**
 * Appends to several documents in ONE round trip and one transaction (group commit: see append-batcher.ts),
 * each author's rows inserted as that author, as appendUpdatesAsUsers does. Each document's request settles on
 * its own: a script's error does not say whose statement failed, so on any error every request is written
 * again on its own, statement by statement, which names a refused author (AppendUpdatesError) and fails only
 * that request. Transient errors are retried once that way, harmlessly: the failed script was rolled back.
 */
export async function appendToDocuments(db: Database, requests: DocumentAppend[]): Promise<PromiseSettledResult<AppendedUpdates[]>[]> {
  const plans = requests.map((request) => {
    const work = request.entries.filter((entry) => entry.updates.length > 0);
    // Ids that cannot be inlined (not UUIDs) go the parameterised way, where Postgres refuses them itself.
    const scriptable = UUID.test(request.checklistId) && UUID.test(request.workspaceId);
    return { request, work, scriptable };
  });
  const stepByStep = ({ request, work }: (typeof plans)[number]) =>
    appendUpdatesStepByStep(db, request.checklistId, request.workspaceId, request.entries, work);
  const scripted = plans.filter((plan) => plan.scriptable && plan.work.length > 0);
  const steps = scripted.flatMap(({ request, work }) =>
    work.map((entry, index) => ({
      claims: entry.claims,
      // Document bytes are written as the document writer: `authenticated` alone may not (decision 101).
      role: DOCUMENT_WRITER_ROLE,
      // The shared lock orders appends against compaction (see the top of this file); once per document.
      sharedAdvisoryLock: index === 0 ? lockKey(request.checklistId) : undefined,
      statement: appendStatement(request.checklistId, request.workspaceId, entry.updates),
    })),
  );
  let rows: Row[][] | null = null;
  if (steps.length > 0) {
    try {
      rows = await db.scriptAsUsers(steps);
    } catch {
      rows = null;
    }
  }
  const written = new Map<(typeof plans)[number], AppendedUpdates[]>();
  if (rows) {
    let next = 0;
    for (const plan of scripted) {
      const ids = new Map(plan.work.map((entry) => [entry, rows[next++]!.map((row) => asId(row.id)).sort((a, b) => a - b)]));
      written.set(
        plan,
        plan.request.entries.map((entry) => ({ ids: ids.get(entry) ?? [] })),
      );
    }
  }
  return Promise.allSettled(
    plans.map(async (plan) => {
      if (plan.work.length === 0) return plan.request.entries.map(() => ({ ids: [] }));
      return written.get(plan) ?? stepByStep(plan);
    }),
  );
}

/** The multi-row insert of one user's updates with every value inlined: ids checked, updates as base64. */
function appendStatement(checklistId: string, workspaceId: string, updates: Uint8Array[]): string {
  if (!UUID.test(checklistId) || !UUID.test(workspaceId)) throw new Error('Checklist and workspace ids must be UUIDs');
  const encoded = updates.map((update) => `'${Buffer.from(update.buffer, update.byteOffset, update.byteLength).toString('base64')}'`);
  return `insert into public.document_updates (checklist_id, workspace_id, update)
    select '${checklistId}', '${workspaceId}', decode(u.update, 'base64')
    from unnest(array[${encoded.join(',')}]::text[]) with ordinality as u(update, n) order by u.n
    returning id`;
}

async function appendUpdatesStepByStep(
  db: Database,
  checklistId: string,
  workspaceId: string,
  entries: UserUpdates[],
  work: UserUpdates[],
): Promise<AppendedUpdates[]> {
  let failing: JwtClaims | null = null;
  try {
    const written = await db.asUsers(async (actAs) => {
      const ids = new Map<UserUpdates, number[]>();
      for (const [index, entry] of work.entries()) {
        failing = entry.claims;
        // The shared lock orders appends against compaction (see the top of this file); once is enough.
        const sql = await actAs(entry.claims, {
          role: DOCUMENT_WRITER_ROLE,
          ...(index === 0 ? { sharedAdvisoryLock: lockKey(checklistId) } : {}),
        });
        const { rows } = await sql.query<{ id: unknown }>(
          `insert into public.document_updates (checklist_id, workspace_id, update)
           select $1, $2, u.update from unnest($3::bytea[]) with ordinality as u(update, n) order by u.n
           returning id`,
          [checklistId, workspaceId, entry.updates],
        );
        // Ids come from the sequence in insertion order, which is the array's order.
        ids.set(
          entry,
          rows.map((row) => asId(row.id)).sort((a, b) => a - b),
        );
      }
      failing = null;
      return ids;
    });
    return entries.map((entry) => ({ ids: written.get(entry) ?? [] }));
  } catch (error) {
    const claims = failing as JwtClaims | null;
    throw claims ? new AppendUpdatesError(claims.sub, error) : error;
  }
}

/**
 * Writes a snapshot covering the log up to `upToUpdateId`, as service_role in one transaction. The stored
 * snapshot and every log row up to that id are merged into `mergedState`, so the snapshot holds everything
 * it claims to cover even if `mergedState` missed a row. Never moves a snapshot backwards.
 */
export async function compactDocument(db: Database, checklistId: string, mergedState: Uint8Array, upToUpdateId: number): Promise<CompactionResult> {
  return db.asService(async (sql) => {
    await sql.query(`select pg_advisory_xact_lock(hashtextextended($1, 0))`, [lockKey(checklistId)]);
    const { rows: checklists } = await sql.query<{ workspace_id: string }>(`select workspace_id from public.checklists where id = $1`, [checklistId]);
    const workspaceId = checklists[0]?.workspace_id;
    if (!workspaceId) throw new Error(`No checklist ${checklistId}`);
    // Never past the audit writer's cursor (public.audit_cursors, decision 121): after a crash it rebuilds the document
    // as of its cursor from the snapshot and the log, and audits the rows after it.
    const { rows: cursors } = await sql.query<{ bound: unknown }>(
      `select least(c.audited_update_id, (select min((h ->> 'fromUpdateId')::bigint) - 1 from jsonb_array_elements(c.held) as h)) as bound
         from public.audit_cursors c where c.checklist_id = $1`,
      [checklistId],
    );
    if (cursors[0]) upToUpdateId = Math.min(upToUpdateId, asId(cursors[0].bound));
    const { rows: snapshots } = await sql.query<{ state: unknown; last_update_id: unknown }>(
      `select state, last_update_id from public.document_snapshots where checklist_id = $1 for update`,
      [checklistId],
    );
    const current = snapshots[0];
    const currentId = current ? asId(current.last_update_id) : 0;
    if (current && currentId >= upToUpdateId) return { written: false, lastUpdateId: currentId, bytes: 0 };
    const { rows } = await sql.query<{ update: unknown }>(
      `select update from public.document_updates where checklist_id = $1 and id > $2 and id <= $3 order by id`,
      [checklistId, currentId, upToUpdateId],
    );
    const parts = [mergedState, ...rows.map((row) => toUint8Array(row.update))];
    if (current) parts.unshift(toUint8Array(current.state));
    const state = Y.mergeUpdates(parts);
    await sql.query(
      `insert into public.document_snapshots (checklist_id, workspace_id, state, last_update_id, updated_at)
       values ($1, $2, $3, $4, now())
       on conflict (checklist_id) do update
         set state = excluded.state, last_update_id = excluded.last_update_id, updated_at = now()`,
      [checklistId, workspaceId, state, upToUpdateId],
    );
    return { written: true, lastUpdateId: upToUpdateId, bytes: state.byteLength };
  });
}

/** The highest log id of a document (service_role): the bound for a compaction of everything logged so far. */
export async function latestUpdateId(db: Database, checklistId: string): Promise<number> {
  return db.asService(async (sql) => {
    const { rows } = await sql.query<{ id: unknown }>(`select coalesce(max(id), 0) as id from public.document_updates where checklist_id = $1`, [
      checklistId,
    ]);
    return asId(rows[0]?.id);
  });
}
