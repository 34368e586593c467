import { writeProjection, type Database, type ProjectionTarget } from '@tieout/db';
import type * as Y from 'yjs';

/**
 * Keeps public.checklist_items (the progress on the home and deal pages) in step with the documents:
 * called by the collaboration server after each persisted batch. Service role, as the projection writer
 * acts for no particular user (the batch may hold several users' edits).
 */
export function createProjectionHook(db: Database, log: (error: unknown, checklistId: string) => void) {
  const targets = new Map<string, ProjectionTarget>();
  const targetOf = async (checklistId: string): Promise<ProjectionTarget | null> => {
    const cached = targets.get(checklistId);
    if (cached) return cached;
    const row = await db.asService(async (sql) => {
      const { rows } = await sql.query<{ workspace_id: string; deal_id: string }>(
        'select workspace_id, deal_id from public.checklists where id = $1',
        [checklistId],
      );
      return rows[0] ?? null;
    });
    if (!row) return null;
    const target = { checklistId, workspaceId: row.workspace_id, dealId: row.deal_id };
    targets.set(checklistId, target);
    return target;
  };
  return async (checklistId: string, doc: Y.Doc): Promise<void> => {
    try {
      const target = await targetOf(checklistId);
      if (target) await writeProjection(db, target, doc, null);
    } catch (error) {
      log(error, checklistId);
      throw error;
    }
  };
}
