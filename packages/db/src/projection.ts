import {
  itemFingerprint,
  itemsOf,
  projectItems,
  projectSomeItems,
  readChecklist,
  type Figure,
  type ItemStatus,
  type ProjectedItem,
  type RiskLevel,
  type Sha256Hex,
} from '@tieout/doc-model';
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import { z } from 'zod';
import { readDocumentState } from './documents.ts';
import { jsonLiteral, sqlLiteral } from './database.ts';
import { encodeLiveEvent } from './live-events.ts';
import type { Database, Row } from './types.ts';

const uuid = z.uuid();

/*
 * The relational projection (public.checklist_items) is derived from the checklist documents and can be
 * rebuilt from them at any time. It is written as service_role: the writer records what the document says,
 * it does not act for a user (RLS on the table only lets members read).
 */

export class ProjectionError extends Error {
  override name = 'ProjectionError';
}

export interface ProjectionTarget {
  checklistId: string;
  workspaceId: string;
  dealId: string;
}

/** One row of public.checklist_items, minus the keys and bookkeeping columns. */
export interface ProjectionRow {
  item_id: string;
  section_id: string | null;
  section_title: string | null;
  position: string;
  title: string;
  reference: string | null;
  status: ItemStatus;
  owner_id: string | null;
  due_date: string | null;
  risk: RiskLevel | null;
  figures: Figure[];
  /** doc-model itemFingerprint: what an approval is checked against (public.item_review_states). */
  content_fingerprint: string;
}

/**
 * The rows a document projects to. The doc model's reader already reads invalid values a client may have
 * written as neutral ones (no owner, no date, 'not_started'), so one bad write never blocks the rest.
 */
export function projectionRows(doc: Y.Doc): ProjectionRow[] {
  return projectItems(readChecklist(doc)).map((item) => toRow(doc, item));
}

/** doc-model's sha256Hex, natively: the projection fingerprints every changed item of every run (decision 179). */
export const nativeSha256Hex: Sha256Hex = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

function toRow(doc: Y.Doc, item: ProjectedItem): ProjectionRow {
  return {
    item_id: item.itemId,
    section_id: item.sectionId,
    section_title: item.sectionTitle,
    position: item.position,
    title: item.title,
    reference: item.reference,
    status: item.status,
    owner_id: item.ownerId,
    due_date: item.dueDate,
    risk: item.risk,
    figures: item.figures,
    content_fingerprint: itemFingerprint(itemsOf(doc).get(item.itemId) as Y.Map<unknown>, item.itemId, { view: item, hash: nativeSha256Hex }),
  };
}

export interface ProjectionResult {
  checklistId: string;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

/**
 * Replaces a checklist's rows in public.checklist_items with what `doc` says, in one transaction.
 * Rows that did not change keep their updated_at/updated_by; changed and new rows get now() and `updatedBy`.
 */
export async function writeProjection(db: Database, target: ProjectionTarget, doc: Y.Doc, updatedBy: string | null): Promise<ProjectionResult> {
  if (updatedBy !== null && !uuid.safeParse(updatedBy).success) {
    throw new ProjectionError(`updatedBy must be a user id (uuid) or null, got ${JSON.stringify(updatedBy)}`);
  }
  const rows = projectionRows(doc);
  return writeRows(db, target, rows, updatedBy);
}

/** What changed in a document since its last projection (the collaboration server's afterPersist `changes`). */
export interface ProjectionChanges {
  items: Iterable<string>;
  sections?: Iterable<string>;
}

/**
 * Writes only what changed: the rows of `changes.items` and of every item in `changes.sections` are upserted (or
 * deleted when the item, or its section, is gone), in one transaction. Checks and locking as writeProjection;
 * the cost follows the size of the change, not of the document (a 30,000-item checklist costs as much as a small one).
 */
export async function writeProjectionChanges(
  db: Database,
  target: ProjectionTarget,
  doc: Y.Doc,
  changes: ProjectionChanges,
  updatedBy: string | null = null,
): Promise<ProjectionResult> {
  if (updatedBy !== null && !uuid.safeParse(updatedBy).success) {
    throw new ProjectionError(`updatedBy must be a user id (uuid) or null, got ${JSON.stringify(updatedBy)}`);
  }
  const sections = [...(changes.sections ?? [])];
  const { rows: projected, absent } = projectSomeItems(doc, changes.items, sections);
  const rows = projected.map((item) => toRow(doc, item));
  if (rows.length === 0 && absent.length === 0 && sections.length === 0) {
    return { checklistId: target.checklistId, inserted: 0, updated: 0, deleted: 0, unchanged: 0 };
  }
  return writeRows(db, target, rows, updatedBy, { absent, sections });
}

/** A projection write refused by public.write_projection (no such checklist, or filed elsewhere), as a ProjectionError. */
function asProjectionError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'TP001' || code === 'TP002' ? new ProjectionError((error as Error).message) : error;
}

/**
 * Writes `rows` (and, with `partial`, deletes only `absent` and the other rows of `sections`; else every row not in
 * `rows`) in ONE statement, public.write_projection (decision 178): the lock, the checks, the write and the live event.
 * As a script statement it shares a round trip with whatever other service-role scripts are waiting (the batcher).
 */
async function writeRows(
  db: Database,
  target: ProjectionTarget,
  rows: ProjectionRow[],
  updatedBy: string | null,
  partial?: { absent: string[]; sections: string[] },
): Promise<ProjectionResult> {
  const { checklistId } = target;
  for (const [what, id] of [
    ['checklist', checklistId],
    ['workspace', target.workspaceId],
    ['deal', target.dealId],
  ] as const) {
    if (!uuid.safeParse(id).success) throw new ProjectionError(`Not a ${what} id: ${JSON.stringify(id)}`);
  }
  const event = encodeLiveEvent({ topic: 'items', workspaceId: target.workspaceId, dealId: target.dealId, checklistId });
  const statement = `select deleted, written, inserted from public.write_projection(
      ${sqlLiteral(checklistId)}::uuid, ${sqlLiteral(target.workspaceId)}::uuid, ${sqlLiteral(target.dealId)}::uuid,
      ${jsonLiteral(rows)}, ${updatedBy === null ? 'null' : `${sqlLiteral(updatedBy)}::uuid`},
      ${jsonLiteral(rows.map((row) => row.item_id))}, ${partial ? jsonLiteral(partial.absent) : 'null'},
      ${partial ? jsonLiteral(partial.sections) : 'null'}, ${jsonLiteral(event)} #>> '{}')`;
  let results: Row[][];
  try {
    results = await db.scriptAsService([statement]);
  } catch (error) {
    throw asProjectionError(error);
  }
  const { deleted, written, inserted } = results[0]![0] as { deleted: number; written: number; inserted: number };
  return {
    checklistId,
    inserted,
    updated: written - inserted,
    deleted,
    unchanged: rows.length - written,
  };
}

/** The workspace and deal a checklist's rows are filed under; null when the checklist does not exist (service role). */
export async function projectionTargetOf(db: Database, checklistId: string): Promise<ProjectionTarget | null> {
  if (!uuid.safeParse(checklistId).success) return null;
  const { rows } = await db.asService((sql) =>
    sql.query<{ workspace_id: string; deal_id: string }>('select workspace_id, deal_id from public.checklists where id = $1', [checklistId]),
  );
  const row = rows[0];
  return row ? { checklistId, workspaceId: row.workspace_id, dealId: row.deal_id } : null;
}

/** A checklist's stored document: its snapshot, then every logged update after the snapshot, in log order. */
export async function loadStoredDocument(db: Database, checklistId: string): Promise<Y.Doc> {
  const state = await db.asService((sql) => readDocumentState(sql, checklistId));
  const hasSnapshot = state.updates.length > state.tailLength;
  const doc = new Y.Doc();
  state.updates.forEach((update, index) => {
    try {
      Y.applyUpdate(doc, update);
    } catch (error) {
      const what = hasSnapshot && index === 0 ? 'the snapshot' : `update ${index + (hasSnapshot ? 0 : 1)} after the snapshot`;
      throw new ProjectionError(`Checklist ${checklistId}: ${what} cannot be read (${(error as Error).message})`);
    }
  });
  return doc;
}

export interface RebuildResult {
  checklists: number;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
  /** Checklists whose document could not be read or written; their rows were left as they were. */
  failures: { checklistId: string; error: string }[];
}

/** Rewrites the projection of every checklist from its stored document (one transaction per checklist). */
export async function rebuildProjection(db: Database): Promise<RebuildResult> {
  const { rows: checklists } = await db.asService((sql) =>
    sql.query<{ id: string; workspace_id: string; deal_id: string }>(
      `select id, workspace_id, deal_id from public.checklists order by created_at, id`,
    ),
  );
  const result: RebuildResult = { checklists: 0, inserted: 0, updated: 0, deleted: 0, unchanged: 0, failures: [] };
  for (const checklist of checklists) {
    try {
      const doc = await loadStoredDocument(db, checklist.id);
      const written = await writeProjection(
        db,
        { checklistId: checklist.id, workspaceId: checklist.workspace_id, dealId: checklist.deal_id },
        doc,
        null,
      );
      doc.destroy();
      result.checklists += 1;
      result.inserted += written.inserted;
      result.updated += written.updated;
      result.deleted += written.deleted;
      result.unchanged += written.unchanged;
    } catch (error) {
      result.failures.push({ checklistId: checklist.id, error: (error as Error).message });
    }
  }
  return result;
}
