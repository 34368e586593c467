import { projectionTargetOf, writeProjection, writeProjectionChanges, type Database, type ProjectionTarget } from '@tieout/db';
import type * as Y from 'yjs';
import type { CollabExtension } from '../lifecycle.ts';

interface RoomState {
  target: ProjectionTarget | null;
  /** The first run after a load writes every row (catches up with anything a crash left unprojected). */
  full: boolean;
  /** Changes of a run that failed, written with the next run. */
  carriedItems: Set<string>;
  carriedSections: Set<string>;
}

/**
 * Keeps public.checklist_items (progress on the home and deal pages) in step with the documents
 * (docs/decisions/032-projection-writer.md). After each persisted batch it upserts or deletes only the rows of the items
 * that changed (and of the items of changed sections); the first run after a document is loaded rewrites the whole
 * projection once. Updates from other server processes are projected there, not here. The writes go through `writes`
 * (default `db`; the default extensions share them across documents, decision 175), the load's read through `db`.
 */
export function projectionExtension(db: Database, { writes = db }: { writes?: Database } = {}): CollabExtension {
  const rooms = new WeakMap<Y.Doc, RoomState>();
  return {
    name: 'projection',
    async afterLoadDocument({ checklistId, doc }) {
      rooms.set(doc, { target: await projectionTargetOf(db, checklistId), full: true, carriedItems: new Set(), carriedSections: new Set() });
    },
    async afterPersist({ doc, updates, changes }) {
      const room = rooms.get(doc);
      if (!room?.target) return;
      if (!updates.some((update) => update.source === 'persisted')) return;
      const items = new Set([...room.carriedItems, ...changes.items]);
      const sections = new Set([...room.carriedSections, ...changes.sections]);
      try {
        if (room.full) await writeProjection(writes, room.target, doc, null);
        else await writeProjectionChanges(writes, room.target, doc, { items, sections });
        room.full = false;
        room.carriedItems.clear();
        room.carriedSections.clear();
      } catch (error) {
        room.carriedItems = items;
        room.carriedSections = sections;
        throw error;
      }
    },
  };
}
