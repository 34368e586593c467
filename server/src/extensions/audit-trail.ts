import { appendAuditRows, projectionTargetOf, type AuditRowInput, type Database, type ProjectionTarget } from '@tieout/db';
import {
  checklistTitle,
  itemChanges,
  itemsOf,
  sectionChanges,
  snapshotItem,
  snapshotSections,
  type AuditChange,
  type ItemSnapshot,
  type SectionSnapshot,
} from '@tieout/doc-model';
import * as Y from 'yjs';
import type { CollabExtension, PersistedUpdate } from '../lifecycle.ts';

/*
 * The audit writer (docs/decisions/121-audit-trail.md). It keeps a shadow copy of each loaded document and replays the
 * updates afterPersist hands it, one by one and in the order the live document applied them; each persisted update
 * is diffed item by item (only the items it touched) and attributed to its authenticated author, so two people editing
 * the same item at the same time get one row each for what each changed. Consecutive changes of the same field by
 * the same person within a run are merged (first old value, last new value; nothing if they cancel out).
 */

interface RoomState {
  target: ProjectionTarget | null;
  shadow: Y.Doc;
  /** Audited state of every item and section as of the shadow; built on the first run (off the load path). */
  items: Map<string, ItemSnapshot> | null;
  sections: Map<string, SectionSnapshot> | null;
  title: string;
  /** Rows of a run whose write failed, written with the next run. */
  unwritten: AuditRowInput[];
  /**
   * Notes rows of people still typing: held while the same person keeps changing the same item's notes run after run,
   * written at the first run that does not touch them (a pause in the typing) or when the document unloads.
   */
  typing: Map<string, AuditRowInput>;
  /** Writes the held notes rows after a short quiet, when no further run comes to do it. */
  typingTimer: NodeJS.Timeout | null;
}

/** How long a held notes row waits for more typing before it is written anyway. */
const TYPING_QUIET_MS = 3_000;

interface Touched {
  items: Set<string>;
  sections: Set<string>;
  meta: boolean;
}

/** Which items, sections and meta one transaction of `doc` touched (same rule as the room's `changes`). */
function touchedBy(doc: Y.Doc, transaction: Y.Transaction, into: Touched): void {
  const items: Y.AbstractType<any> = doc.getMap('items');
  const sections: Y.AbstractType<any> = doc.getMap('sections');
  const meta: Y.AbstractType<any> = doc.getMap('meta');
  transaction.changed.forEach((keys, type) => {
    if (type === items || type === sections) {
      for (const key of keys) if (key !== null) (type === items ? into.items : into.sections).add(key);
      return;
    }
    if (type === meta) {
      into.meta = true;
      return;
    }
    for (let current: Y.AbstractType<any> = type; current._item; ) {
      const parent = current._item.parent;
      if (!(parent instanceof Y.AbstractType)) break;
      if (parent === items || parent === sections) {
        const key = current._item.parentSub;
        if (key !== null) (parent === items ? into.items : into.sections).add(key);
        break;
      }
      current = parent;
    }
  });
}

const mergeKey = (change: AuditChange): string | null => {
  if (change.kind !== 'item_field' && change.kind !== 'section_field' && change.kind !== 'checklist_field') return null;
  const entry = (change.newValue ?? change.oldValue) as { id?: unknown; sectionId?: unknown } | null;
  const entryId = change.field === 'figure' || change.field === 'evidence' ? String(entry?.id ?? '') : '';
  const sectionId = change.kind === 'section_field' ? String(entry?.sectionId ?? '') : '';
  return `${change.kind}\u0000${change.itemId ?? ''}\u0000${change.field}\u0000${entryId}\u0000${sectionId}`;
};

export function auditTrailExtension(db: Database): CollabExtension {
  const rooms = new WeakMap<Y.Doc, RoomState>();

  const replay = (room: RoomState, update: PersistedUpdate): AuditChange[] => {
    const touched: Touched = { items: new Set(), sections: new Set(), meta: false };
    const listener = (transaction: Y.Transaction) => touchedBy(room.shadow, transaction, touched);
    room.shadow.on('afterTransaction', listener);
    try {
      Y.applyUpdate(room.shadow, update.update);
    } finally {
      room.shadow.off('afterTransaction', listener);
    }
    const changes: AuditChange[] = [];
    if (touched.sections.size > 0) {
      const after = snapshotSections(room.shadow);
      for (const id of touched.sections) changes.push(...sectionChanges(id, room.sections!.get(id), after.get(id)));
      room.sections = after;
    }
    for (const id of touched.items) {
      const after = snapshotItem(room.shadow, id);
      changes.push(...itemChanges(id, room.items!.get(id) ?? null, after));
      if (after) room.items!.set(id, after);
      else room.items!.delete(id);
    }
    if (touched.meta) {
      const title = checklistTitle(room.shadow);
      if (title !== room.title) changes.push({ kind: 'checklist_field', itemId: null, field: 'title', oldValue: room.title, newValue: title });
      room.title = title;
    }
    return changes;
  };

  return {
    name: 'audit-trail',
    async afterLoadDocument({ checklistId, doc }) {
      const shadow = new Y.Doc({ gc: true });
      // Typed before any content arrives, so transactions name these very instances.
      shadow.getMap('items');
      shadow.getMap('sections');
      shadow.getMap('meta');
      Y.applyUpdate(shadow, Y.encodeStateAsUpdate(doc));
      rooms.set(doc, { target: await projectionTargetOf(db, checklistId), shadow, items: null, sections: null, title: '', unwritten: [], typing: new Map(), typingTimer: null });
    },
    async afterPersist({ doc, updates }) {
      const room = rooms.get(doc);
      if (!room?.target) return;
      if (!room.items) {
        room.items = new Map();
        for (const id of itemsOf(room.shadow).keys()) {
          const snapshot = snapshotItem(room.shadow, id);
          if (snapshot) room.items.set(id, snapshot);
        }
        room.sections = snapshotSections(room.shadow);
        room.title = checklistTitle(room.shadow);
      }
      const target = room.target;
      const rows: AuditRowInput[] = [];
      const lastByKey = new Map<string, number>();
      for (const update of updates) {
        const changes = replay(room, update);
        // Remote updates are audited by the process that persisted them; refused ones were never stored.
        if (update.source !== 'persisted' || !update.userId) continue;
        for (const change of changes) {
          const key = mergeKey(change);
          const previousIndex = key === null ? undefined : lastByKey.get(key);
          const previous = previousIndex === undefined ? undefined : rows[previousIndex];
          if (previous && previous.userId === update.userId) {
            previous.newValue = change.newValue;
            previous.updateId = update.updateId;
            continue;
          }
          if (key !== null) lastByKey.set(key, rows.length);
          rows.push({
            workspaceId: target.workspaceId,
            dealId: target.dealId,
            checklistId: target.checklistId,
            itemId: change.itemId,
            kind: change.kind,
            field: change.field,
            oldValue: change.oldValue,
            newValue: change.newValue,
            userId: update.userId,
            updateId: update.updateId,
          });
        }
      }
      const written: AuditRowInput[] = [];
      const typedNow = new Set<string>();
      for (const row of rows) {
        if (row.kind !== 'item_field' || row.field !== 'notes') {
          written.push(row);
          continue;
        }
        const key = `${row.itemId}\u0000${row.userId}`;
        typedNow.add(key);
        const held = room.typing.get(key);
        if (held) {
          held.newValue = row.newValue;
          held.updateId = row.updateId;
        } else room.typing.set(key, row);
      }
      for (const [key, row] of room.typing) {
        if (typedNow.has(key)) continue;
        room.typing.delete(key);
        written.push(row);
      }
      if (room.typingTimer) clearTimeout(room.typingTimer);
      room.typingTimer = null;
      if (room.typing.size > 0) {
        room.typingTimer = setTimeout(() => {
          room.typingTimer = null;
          const held = [...room.typing.values()].filter((row) => JSON.stringify(row.oldValue) !== JSON.stringify(row.newValue));
          room.typing.clear();
          if (held.length > 0) void appendAuditRows(db, held).catch(() => room.unwritten.push(...held));
        }, TYPING_QUIET_MS);
        room.typingTimer.unref?.();
      }
      const merged = written.filter((row) => row.kind !== 'item_field' || JSON.stringify(row.oldValue) !== JSON.stringify(row.newValue));
      const toWrite = [...room.unwritten, ...merged];
      if (toWrite.length === 0) return;
      room.unwritten = [];
      try {
        await appendAuditRows(db, toWrite);
      } catch (error) {
        room.unwritten = toWrite;
        throw error;
      }
    },
    async beforeUnloadDocument({ doc }) {
      const room = rooms.get(doc);
      rooms.delete(doc);
      if (!room) return;
      if (room.typingTimer) clearTimeout(room.typingTimer);
      room.shadow.destroy();
      const rest = [...room.unwritten, ...room.typing.values()].filter(
        (row) => row.kind !== 'item_field' || JSON.stringify(row.oldValue) !== JSON.stringify(row.newValue),
      );
      if (rest.length > 0) await appendAuditRows(db, rest);
    },
  };
}
