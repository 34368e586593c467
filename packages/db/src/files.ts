import { DataAccessError } from './errors.ts';
import type { Sql } from './types.ts';

/*
 * Evidence files on checklist items (public.item_files). People's reads and writes run as themselves (asUser):
 * RLS decides who may list, upload and remove. The bytes are in storage (@tieout/files); these rows are the record.
 */

export type FileExtraction = 'pending' | 'done' | 'failed' | 'none';

export interface ItemFile {
  id: string;
  fileGroup: string;
  version: number;
  workspaceId: string;
  dealId: string;
  checklistId: string;
  itemId: string;
  name: string;
  sizeBytes: number;
  contentType: string;
  sha256: string;
  storageKey: string;
  uploadedBy: string | null;
  uploaderName: string | null;
  uploadedAt: string;
  removedAt: string | null;
  extraction: FileExtraction;
}

/** A file record that cannot be read or changed by the caller. */
export class FileRecordError extends DataAccessError {
  override name = 'FileRecordError';
}

const columns = `f.id, f.file_group, f.version, f.workspace_id, f.deal_id, f.checklist_id, f.item_id, f.name, f.size_bytes,
  f.content_type, f.sha256, f.storage_key, f.uploaded_by, p.display_name as uploader_name, f.uploaded_at, f.removed_at, f.extraction`;

type FileRow = {
  id: string;
  file_group: string;
  version: number;
  workspace_id: string;
  deal_id: string;
  checklist_id: string;
  item_id: string;
  name: string;
  size_bytes: string | number;
  content_type: string;
  sha256: string;
  storage_key: string;
  uploaded_by: string | null;
  uploader_name: string | null;
  uploaded_at: string | Date;
  removed_at: string | Date | null;
  extraction: FileExtraction;
};

const iso = (value: string | Date) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString());

function toFile(row: FileRow): ItemFile {
  return {
    id: row.id,
    fileGroup: row.file_group,
    version: Number(row.version),
    workspaceId: row.workspace_id,
    dealId: row.deal_id,
    checklistId: row.checklist_id,
    itemId: row.item_id,
    name: row.name,
    sizeBytes: Number(row.size_bytes),
    contentType: row.content_type,
    sha256: row.sha256,
    storageKey: row.storage_key,
    uploadedBy: row.uploaded_by,
    uploaderName: row.uploader_name,
    uploadedAt: iso(row.uploaded_at),
    removedAt: row.removed_at ? iso(row.removed_at) : null,
    extraction: row.extraction,
  };
}

/** The workspace and deal of a checklist the caller can see (null if they cannot). */
export async function checklistPlace(sql: Sql, checklistId: string): Promise<{ workspaceId: string; dealId: string } | null> {
  const { rows } = await sql.query<{ workspace_id: string; deal_id: string }>(`select workspace_id, deal_id from public.checklists where id = $1`, [
    checklistId,
  ]);
  const row = rows[0];
  return row ? { workspaceId: row.workspace_id, dealId: row.deal_id } : null;
}

/**
 * Where files of a checklist go, and whether the caller may attach them (owners and editors, as RLS will decide when
 * the row is written): null when the checklist is not visible to the caller. Run as the caller.
 */
export async function checklistUploadPlace(
  sql: Sql,
  checklistId: string,
): Promise<{ workspaceId: string; dealId: string; canAttach: boolean } | null> {
  const place = await checklistPlace(sql, checklistId);
  if (!place) return null;
  const { rows } = await sql.query<{ can: boolean }>(`select public.can_edit_workspace($1) as can`, [place.workspaceId]);
  return { ...place, canAttach: rows[0]?.can === true };
}

export interface NewItemFile {
  id: string;
  /** Set to add a new version of an existing file. */
  fileGroup?: string | null;
  workspaceId: string;
  dealId: string;
  checklistId: string;
  itemId: string;
  name: string;
  sizeBytes: number;
  contentType: string;
  sha256: string;
  storageKey: string;
}

/** Records an uploaded file as the signed-in user (RLS: owners and editors of the workspace). */
export async function insertItemFile(sql: Sql, file: NewItemFile): Promise<ItemFile> {
  const { rows } = await sql.query<{ id: string }>(
    `insert into public.item_files (id, file_group, workspace_id, deal_id, checklist_id, item_id, name, size_bytes, content_type, sha256, storage_key)
     values ($1, coalesce($2::uuid, gen_random_uuid()), $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id`,
    [
      file.id,
      file.fileGroup ?? null,
      file.workspaceId,
      file.dealId,
      file.checklistId,
      file.itemId,
      file.name,
      file.sizeBytes,
      file.contentType,
      file.sha256,
      file.storageKey,
    ],
  );
  const inserted = await getItemFile(sql, rows[0]!.id);
  if (!inserted) throw new FileRecordError('not_found', 'The uploaded file could not be read back');
  return inserted;
}

/** One file version the caller can see, or null (not there, or not theirs to see). */
export async function getItemFile(sql: Sql, fileId: string): Promise<ItemFile | null> {
  const { rows } = await sql.query<FileRow>(
    `select ${columns} from public.item_files f left join public.profiles p on p.id = f.uploaded_by where f.id = $1`,
    [fileId],
  );
  return rows[0] ? toFile(rows[0]) : null;
}

/** Files (every version, newest first within a file) of a checklist, or of one item; removed ones left out. */
export async function listItemFiles(sql: Sql, checklistId: string, itemId?: string): Promise<ItemFile[]> {
  const { rows } = await sql.query<FileRow>(
    `select ${columns} from public.item_files f left join public.profiles p on p.id = f.uploaded_by
     where f.checklist_id = $1 and ($2::text is null or f.item_id = $2) and f.removed_at is null
     order by f.item_id, f.file_group, f.version desc`,
    [checklistId, itemId ?? null],
  );
  return rows.map(toFile);
}

/** Soft-removes a file (all its versions) as the signed-in user; returns the versions removed. */
export async function removeItemFile(sql: Sql, fileGroup: string, userId: string): Promise<ItemFile[]> {
  const { rows } = await sql.query<{ id: string }>(
    `update public.item_files set removed_at = now(), removed_by = $2 where file_group = $1 and removed_at is null returning id`,
    [fileGroup, userId],
  );
  if (!rows.length) throw new FileRecordError('not_found', 'No such file, or you may not remove it');
  const removed: ItemFile[] = [];
  for (const row of rows) {
    const file = await getItemFile(sql, row.id);
    if (file) removed.push(file);
  }
  return removed;
}

/** service_role: the extraction worker's bookkeeping. */
export async function setFileExtraction(sql: Sql, fileId: string, extraction: FileExtraction): Promise<void> {
  await sql.query(`update public.item_files set extraction = $2 where id = $1`, [fileId, extraction]);
}

/** service_role: files still waiting for text extraction (after a restart), oldest first. */
export async function pendingFileExtractions(sql: Sql, limit = 100): Promise<ItemFile[]> {
  const { rows } = await sql.query<FileRow>(
    `select ${columns} from public.item_files f left join public.profiles p on p.id = f.uploaded_by
     where f.extraction = 'pending' and f.removed_at is null order by f.uploaded_at limit $1`,
    [limit],
  );
  return rows.map(toFile);
}
