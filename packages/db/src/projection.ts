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
} from '@tieout/doc-model';
import * as Y from 'yjs';
import { z } from 'zod';
import { readDocumentState } from './documents.ts';
import { publishLiveEvent } from './live-events.ts';
import type { Database, Sql } from './types.ts';

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
    content_fingerprint: itemFingerprint(itemsOf(doc).get(item.itemId) as Y.Map<unknown>, item.itemId),
  };
}

export interface ProjectionResult {
  checklistId: string;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

const PROJECTED_COLUMNS = [
  'section_id',
  'section_title',
  'position',
  'title',
  'reference',
  'status',
  'owner_id',
  'due_date',
  'risk',
  'figures',
  'content_fingerprint',
] as const;

/**
 * Replaces a checklist's rows in public.checklist_items with what `doc` says, in one transaction.
 * Rows that did not change keep their updated_at/updated_by; changed and new rows get now() and `updatedBy`.
 */
export async function writeProjection(db: Database, target: ProjectionTarget, doc: Y.Doc, updatedBy: string | null): Promise<ProjectionResult> {
  if (updatedBy !== null && !uuid.safeParse(updatedBy).success) {
    throw new ProjectionError(`updatedBy must be a user id (uuid) or null, got ${JSON.stringify(updatedBy)}`);
  }
  const rows = projectionRows(doc);
  return db.asService((sql) => writeRows(sql, target, rows, updatedBy));
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
  return db.asService((sql) => writeRows(sql, target, rows, updatedBy, { absent, sections }));
}

async function writeRows(
  sql: Sql,
  target: ProjectionTarget,
  rows: ProjectionRow[],
  updatedBy: string | null,
  /** Only these rows are written: `rows`, and the deletion of `absent` and of other rows of `sections`. Default: all. */
  partial?: { absent: string[]; sections: string[] },
): Promise<ProjectionResult> {
  const { checklistId } = target;
  if (!uuid.safeParse(checklistId).success) throw new ProjectionError(`Not a checklist id: ${JSON.stringify(checklistId)}`);
  // The checklist row (key share: it cannot be deleted under the write) and one writer per checklist at a time, so
  // two projections of the same document cannot interleave: one round trip (decision 175).
  const { rows: found } = await sql.query<{ workspace_id: string; deal_id: string }>(
    `select workspace_id, deal_id, pg_advisory_xact_lock(hashtext('tieout.projection:' || $1::text))::text as locked
       from public.checklists where id = $1::uuid for key share`,
    [checklistId],
  );
  const checklist = found[0];
  if (!checklist) throw new ProjectionError(`No checklist with id ${checklistId}`);
  if (checklist.workspace_id !== target.workspaceId || checklist.deal_id !== target.dealId) {
    throw new ProjectionError(
      `Checklist ${checklistId} belongs to workspace ${checklist.workspace_id} and deal ${checklist.deal_id}, ` +
        `not workspace ${target.workspaceId} and deal ${target.dealId}`,
    );
  }

  const ids = JSON.stringify(rows.map((row) => row.item_id));
  // The deletion and the upsert in one statement: they touch disjoint rows (the deleted ids are never among `rows`),
  // so it does not matter that neither sees the other's changes. A row the upsert inserted has no xmax.
  const deletion = partial
    ? `delete from public.checklist_items
          where checklist_id = $1
            and (item_id in (select jsonb_array_elements_text($6::jsonb))
                 or (section_id in (select jsonb_array_elements_text($7::jsonb))
                     and item_id not in (select jsonb_array_elements_text($8::jsonb))))
          returning item_id`
    : `delete from public.checklist_items
          where checklist_id = $1 and item_id not in (select jsonb_array_elements_text($6::jsonb))
          returning item_id`;
  const changedColumns = PROJECTED_COLUMNS.map((column) => `ci.${column}`).join(', ');
  const incomingColumns = PROJECTED_COLUMNS.map((column) => `excluded.${column}`).join(', ');
  const { rows: counts } = await sql.query<{ deleted: number; written: number; inserted: number }>(
    `with gone as (${deletion}), written as (
       insert into public.checklist_items as ci
         (checklist_id, item_id, workspace_id, deal_id, ${PROJECTED_COLUMNS.join(', ')}, updated_at, updated_by)
       select $1, r.item_id, $2, $3, ${PROJECTED_COLUMNS.map((column) => `r.${column}`).join(', ')}, now(), $5
         from jsonb_to_recordset($4::jsonb) as r(
           item_id text, section_id text, section_title text, position text, title text, reference text, status text,
           owner_id uuid, due_date date, risk text, figures jsonb, content_fingerprint text)
       on conflict (checklist_id, item_id) do update set
         ${PROJECTED_COLUMNS.map((column) => `${column} = excluded.${column}`).join(', ')},
         workspace_id = excluded.workspace_id, deal_id = excluded.deal_id,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by
       where (${changedColumns}, ci.workspace_id, ci.deal_id) is distinct from (${incomingColumns}, excluded.workspace_id, excluded.deal_id)
       returning (ci.xmax = 0) as inserted)
     select (select count(*) from gone)::int as deleted, (select count(*) from written)::int as written,
            (select count(*) from written where inserted)::int as inserted`,
    partial
      ? [
          checklistId,
          target.workspaceId,
          target.dealId,
          JSON.stringify(rows),
          updatedBy,
          JSON.stringify(partial.absent),
          JSON.stringify(partial.sections),
          ids,
        ]
      : [checklistId, target.workspaceId, target.dealId, JSON.stringify(rows), updatedBy, ids],
  );
  const { deleted, written, inserted } = counts[0]!;
  if (written + deleted > 0) {
    // Deal and home pages revalidate on it (sent at commit).
    await publishLiveEvent(sql, { topic: 'items', workspaceId: target.workspaceId, dealId: target.dealId, checklistId });
  }
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
