import * as Y from 'yjs';
import { z } from 'zod';
import { recordAuditEvent } from './audit.ts';
import { checklistAccess, readDocumentState, toUint8Array } from './documents.ts';
import { DataAccessError, type DataAccessKind } from './errors.ts';
import { canEdit } from './roles.ts';
import type { Database, JwtClaims, Sql } from './types.ts';

/*
 * Versions of checklist documents (public.document_versions, docs/decisions/122-document-versions.md). A version holds
 * the full Yjs state of the stored document (snapshot + log) up to a log row, who edited since the previous version,
 * and when. Written as service_role from the stored document itself; read by members under RLS.
 */

export type VersionKind = 'auto' | 'named' | 'restore';

export type VersionErrorCode = 'invalid_name' | 'not_found' | 'forbidden' | 'invalid_input';

const VERSION_KINDS: Record<VersionErrorCode, DataAccessKind> = {
  invalid_name: 'invalid',
  invalid_input: 'invalid',
  not_found: 'not_found',
  forbidden: 'forbidden',
};

/** A refused version read or write: a DataAccessError whose code says which (docs/decisions/015). */
export class VersionError extends DataAccessError<VersionErrorCode> {
  override name = 'VersionError';
  constructor(code: VersionErrorCode, message: string) {
    super(VERSION_KINDS[code], message, { code });
  }
}

export const VERSION_NAME_MAX = 200;

/** A version's name: trimmed, 1 to 200 characters. */
export const versionNameSchema = z
  .string({ error: 'Give the version a name.' })
  .trim()
  .min(1, 'Give the version a name.')
  .max(VERSION_NAME_MAX, `A version name has at most ${VERSION_NAME_MAX} characters.`);

const uuid = z.uuid();

export interface VersionSummary {
  id: string;
  checklistId: string;
  workspaceId: string;
  name: string | null;
  kind: VersionKind;
  editors: string[];
  createdBy: string | null;
  createdByName: string | null;
  createdAt: string;
  lastUpdateId: number;
  bytes: number;
  restoredFrom: string | null;
  restoredItemId: string | null;
}

export interface RecordVersionInput {
  checklistId: string;
  kind: VersionKind;
  name?: string | null;
  createdBy?: string | null;
  restoredFrom?: string | null;
  restoredItemId?: string | null;
}

const SUMMARY_COLUMNS = `v.id, v.checklist_id, v.workspace_id, v.name, v.kind, v.editors::text[] as editors, v.created_by,
  p.display_name as created_by_name, to_char(v.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
  v.last_update_id, octet_length(v.state) as bytes, v.restored_from, v.restored_item_id`;

type SummaryRow = {
  id: string;
  checklist_id: string;
  workspace_id: string;
  name: string | null;
  kind: VersionKind;
  editors: string[] | string;
  created_by: string | null;
  created_by_name: string | null;
  created_at: string;
  last_update_id: unknown;
  bytes: unknown;
  restored_from: string | null;
  restored_item_id: string | null;
};

/** PGlite returns uuid[] cast to text[] as an array; node-postgres too; a literal '{...}' is parsed just in case. */
function uuidArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  return value
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter(Boolean);
}

function summary(row: SummaryRow): VersionSummary {
  return {
    id: row.id,
    checklistId: row.checklist_id,
    workspaceId: row.workspace_id,
    name: row.name,
    kind: row.kind,
    editors: uuidArray(row.editors),
    createdBy: row.created_by,
    createdByName: row.created_by_name,
    createdAt: row.created_at,
    lastUpdateId: Number(row.last_update_id),
    bytes: Number(row.bytes),
    restoredFrom: row.restored_from,
    restoredItemId: row.restored_item_id,
  };
}

/**
 * Records a version of the stored document, as service_role, in one transaction: the state of snapshot + log, the
 * distinct authors of the log rows since the previous version, the last row included. An automatic version when
 * nothing was logged since the previous version is not recorded (null).
 */
export async function recordVersion(db: Database, input: RecordVersionInput): Promise<VersionSummary | null> {
  if (!uuid.safeParse(input.checklistId).success) throw new VersionError('not_found', 'No such checklist.');
  const name = input.kind === 'named' ? parseName(input.name) : null;
  return db.asService((sql) => recordVersionIn(sql, { ...input, name }));
}

async function recordVersionIn(sql: Sql, input: RecordVersionInput & { name: string | null }): Promise<VersionSummary | null> {
  const { rows: checklists } = await sql.query<{ workspace_id: string }>(`select workspace_id from public.checklists where id = $1 for key share`, [
    input.checklistId,
  ]);
  const checklist = checklists[0];
  if (!checklist) throw new VersionError('not_found', 'No such checklist.');
  // One version writer per checklist at a time: "since the previous version" is well defined.
  await sql.query(`select pg_advisory_xact_lock(hashtext('tieout.versions:' || $1))`, [input.checklistId]);
  const { rows: previous } = await sql.query<{ last_update_id: unknown }>(
    `select last_update_id from public.document_versions where checklist_id = $1 order by last_update_id desc, created_at desc limit 1`,
    [input.checklistId],
  );
  const since = previous[0] ? Number(previous[0].last_update_id) : 0;
  const stored = await readDocumentState(sql, input.checklistId);
  if (input.kind === 'auto' && previous[0] && stored.lastUpdateId <= since) return null;
  const doc = new Y.Doc();
  try {
    if (stored.updates.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(stored.updates));
    const state = Y.encodeStateAsUpdate(doc);
    const { rows: editors } = await sql.query<{ user_id: string }>(
      `select distinct user_id from public.document_updates where checklist_id = $1 and id > $2 and id <= $3 and user_id is not null order by user_id`,
      [input.checklistId, since, stored.lastUpdateId],
    );
    const { rows } = await sql.query<SummaryRow>(
      `with inserted as (
         insert into public.document_versions
           (checklist_id, workspace_id, state, state_vector, name, kind, editors, created_by, last_update_id, restored_from, restored_item_id)
         values ($1, $2, $3, $4, $5, $6, $7::uuid[], $8, $9, $10, $11)
         returning *)
       select ${SUMMARY_COLUMNS} from inserted v left join public.profiles p on p.id = v.created_by`,
      [
        input.checklistId,
        checklist.workspace_id,
        state,
        Y.encodeStateVector(doc),
        input.name,
        input.kind,
        editors.map((row) => row.user_id),
        input.createdBy ?? null,
        stored.lastUpdateId,
        input.restoredFrom ?? null,
        input.restoredItemId ?? null,
      ],
    );
    return summary(rows[0]!);
  } finally {
    doc.destroy();
  }
}

function parseName(name: unknown): string {
  const parsed = versionNameSchema.safeParse(name);
  if (!parsed.success) throw new VersionError('invalid_name', parsed.error.issues[0]!.message);
  return parsed.data;
}

/** A named version ("Sent to IC, 3 March"), by an owner or editor of the checklist's workspace. */
export async function createNamedVersion(db: Database, claims: JwtClaims, checklistId: string, name: unknown): Promise<VersionSummary> {
  const parsedName = parseName(name);
  if (!uuid.safeParse(checklistId).success) throw new VersionError('not_found', 'No such checklist.');
  const access = await checklistAccess(db, claims, checklistId);
  if (!access) throw new VersionError('not_found', 'No such checklist.');
  if (!canEdit(access.role)) throw new VersionError('forbidden', 'Only owners and editors can name a version.');
  const version = await recordVersion(db, { checklistId, kind: 'named', name: parsedName, createdBy: claims.sub });
  return version!;
}

/** The versions of a checklist the user may see, newest first (no state bytes). */
export async function listVersions(db: Database, claims: JwtClaims, checklistId: string): Promise<VersionSummary[]> {
  if (!uuid.safeParse(checklistId).success) return [];
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<SummaryRow>(
      `select ${SUMMARY_COLUMNS} from public.document_versions v left join public.profiles p on p.id = v.created_by
        where v.checklist_id = $1 order by v.created_at desc, v.last_update_id desc, v.id desc`,
      [checklistId],
    );
    return rows.map(summary);
  });
}

export interface VersionState extends VersionSummary {
  state: Uint8Array;
}

/**
 * One version with its state, if the user may see it and it belongs to `checklistId` (a version id of another
 * checklist, or another workspace's, reads as not found).
 */
export async function getVersion(db: Database, claims: JwtClaims, checklistId: string, versionId: string): Promise<VersionState | null> {
  if (!uuid.safeParse(versionId).success || !uuid.safeParse(checklistId).success) return null;
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<SummaryRow & { state: unknown }>(
      `select ${SUMMARY_COLUMNS}, v.state from public.document_versions v left join public.profiles p on p.id = v.created_by
        where v.id = $1 and v.checklist_id = $2`,
      [versionId, checklistId],
    );
    const row = rows[0];
    return row ? { ...summary(row), state: toUint8Array(row.state) } : null;
  });
}

/** Audits a restore (whole version or one item) as the restoring user, in the database's own transaction. */
export async function auditRestore(
  db: Database,
  claims: JwtClaims,
  input: { workspaceId: string; checklistId: string; versionId: string; itemId: string | null; restoreVersionId: string | null },
): Promise<void> {
  await db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{ deal_id: string }>(`select deal_id from public.checklists where id = $1`, [input.checklistId]);
    await recordAuditEvent(sql, {
      workspaceId: input.workspaceId,
      dealId: rows[0]?.deal_id ?? null,
      checklistId: input.checklistId,
      itemId: input.itemId,
      kind: input.itemId ? 'item_restored' : 'version_restored',
      newValue: { versionId: input.versionId, restoreVersionId: input.restoreVersionId },
    });
  });
}
