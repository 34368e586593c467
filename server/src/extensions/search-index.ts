import { checklistSearchEntries, projectionTargetOf, searchEntriesStatement, type Database, type ProjectionTarget } from '@tieout/db';
import type * as Y from 'yjs';
import type { CollabExtension } from '../lifecycle.ts';

interface RoomState {
  target: ProjectionTarget | null;
  /** The first run after a load rewrites the checklist's entries (catches up with anything missed). */
  full: boolean;
  /** Items of a run that failed, indexed with the next run. */
  carried: Set<string>;
}

/**
 * Keeps the search index (public.search_entries) in step with the documents: item titles and references, notes text
 * and figure labels. Runs after persistence, off the critical path and coalesced per document by the lifecycle; each
 * run rewrites only the entries of the items that changed. Files are indexed by the upload path, comments by a trigger.
 * The writes go through `writes` (default `db`; shared across documents by the default extensions, decision 175).
 */
export function searchIndexExtension(db: Database, { writes = db }: { writes?: Database } = {}): CollabExtension {
  const rooms = new WeakMap<Y.Doc, RoomState>();
  return {
    name: 'search-index',
    // Search may find an edit a few seconds late (decision 178).
    afterPersistPace: 'background',
    async afterLoadDocument({ checklistId, doc }) {
      rooms.set(doc, { target: await projectionTargetOf(db, checklistId), full: true, carried: new Set() });
    },
    async afterPersist({ doc, updates, changes }) {
      const room = rooms.get(doc);
      if (!room?.target) return;
      if (!updates.some((update) => update.source === 'persisted')) return;
      const items = new Set([...room.carried, ...changes.items]);
      if (!room.full && items.size === 0) return;
      const target = room.target;
      try {
        // The changed items' entries only, read one by one: a run costs the change, not the document (decision 175).
        const entries = checklistSearchEntries(doc, room.full ? null : items);
        // One inlined statement: it shares the tick's script, and its round trip, with the other documents' writes.
        await writes.scriptAsService([searchEntriesStatement(target, entries, room.full ? null : items)]);
        room.full = false;
        room.carried.clear();
      } catch (error) {
        room.carried = items;
        throw error;
      }
    },
  };
}
