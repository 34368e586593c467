import { auditRestore, checklistAccess, DataAccessError, getVersion, loadDocument, recordVersion, type Database, type JwtClaims } from '@tieout/db';
import { canEdit } from '@tieout/db/roles';
import { diffChecklists, restoreChecklist, restoreItem, snapshotItem, stateToDoc, type ChecklistDiff } from '@tieout/doc-model';
import type * as Y from 'yjs';
import { changeLive } from './live-append.server.ts';

/** A refusal the page shows as it is (nothing was changed); a LiveAppendError (unavailable, 503) passes through as it is. */
export class HistoryError extends DataAccessError {
  override name = 'HistoryError';
}

const NO_VERSION = 'There is no such version of this checklist.';

/** A version's document, or the stored document now ('now'); null when the user may not see it. */
async function stateOf(db: Database, claims: JwtClaims, checklistId: string, ref: string): Promise<Y.Doc | null> {
  if (ref === 'now') return loadDocument(db, claims, checklistId);
  const version = await getVersion(db, claims, checklistId, ref);
  return version ? stateToDoc(version.state) : null;
}

/** The item-level diff from one version to another (or to 'now'). */
export async function diffVersions(db: Database, claims: JwtClaims, checklistId: string, from: string, to: string): Promise<ChecklistDiff> {
  const [before, after] = await Promise.all([stateOf(db, claims, checklistId, from), stateOf(db, claims, checklistId, to)]);
  try {
    if (!before || !after) throw new HistoryError('not_found', NO_VERSION);
    return diffChecklists(before, after);
  } finally {
    before?.destroy();
    after?.destroy();
  }
}

export interface RestoreInput {
  db: Database;
  claims: JwtClaims;
  accessToken: string;
  collabBaseUrl: string;
  checklistId: string;
  versionId: string;
  /** Restore only this item; the whole checklist when absent. */
  itemId?: string | null;
}

/**
 * Restores a version (or one item of it) as a new change on top of the current document, through the collaboration
 * server as the user (so everyone connected sees it and the log attributes it), then records a 'restore' version and
 * an audit event. Another checklist's or workspace's version, an unknown id, an item the version lacks, or a role that
 * cannot edit: a clear error, and nothing is changed.
 */
export async function restoreVersion(input: RestoreInput): Promise<{ restoreVersionId: string | null }> {
  const { db, claims, checklistId, versionId } = input;
  const itemId = input.itemId?.trim() || null;
  const access = await checklistAccess(db, claims, checklistId);
  if (!access) throw new HistoryError('not_found', 'This checklist does not exist or you do not have access to it.');
  const version = await getVersion(db, claims, checklistId, versionId);
  if (!version) throw new HistoryError('not_found', NO_VERSION);
  if (!canEdit(access.role)) throw new HistoryError('forbidden', 'Only owners and editors can restore a version.');
  const from = stateToDoc(version.state);
  try {
    if (itemId && !snapshotItem(from, itemId)) throw new HistoryError('not_found', 'This version has no such item.');
    await changeLive(
      {
        db,
        claims,
        accessToken: input.accessToken,
        collabBaseUrl: input.collabBaseUrl,
        checklistId,
        unconfirmedMessage: 'The collaboration server did not confirm the restore. Open the checklist to check before restoring again.',
      },
      (doc) => (itemId ? restoreItem(doc, from, itemId) : restoreChecklist(doc, from)),
    );
  } finally {
    from.destroy();
  }
  const restored = await recordVersion(db, { checklistId, kind: 'restore', createdBy: claims.sub, restoredFrom: versionId, restoredItemId: itemId });
  await auditRestore(db, claims, { workspaceId: access.workspaceId, checklistId, versionId, itemId, restoreVersionId: restored?.id ?? null });
  return { restoreVersionId: restored?.id ?? null };
}
