import * as Y from 'yjs';
import { itemsOf } from './checklist.ts';
import {
  checklistTitle,
  itemChanges,
  resnapshotItem,
  sectionChanges,
  snapshotItem,
  snapshotSections,
  type AuditChange,
  type ItemSnapshot,
  type SectionSnapshot,
} from './history.ts';
import { addTouches, noTouches } from './touches.ts';

/**
 * A replica of a checklist that says, update by update, what each one changed as audit rows (before they get their
 * author): the collaboration server's audit writer replays every persisted update on one, and the demo seed its story.
 * It keeps the audited state of every item and section beside the document, and re-reads only what an update touched.
 */
export interface AuditedReplica {
  readonly doc: Y.Doc;
  /** Applies `update` and returns the changes it made, in the order of itemChanges and sectionChanges. */
  apply(update: Uint8Array): AuditChange[];
}

/** A replica holding `state` (one update; null: empty). Its audited state is read once, on the first `apply`. */
export function auditedReplica(state: Uint8Array | null): AuditedReplica {
  const doc = new Y.Doc({ gc: true });
  // Typed before any content arrives, so transactions name these very instances.
  doc.getMap('items');
  doc.getMap('sections');
  doc.getMap('meta');
  if (state) Y.applyUpdate(doc, state);
  let audited: { items: Map<string, ItemSnapshot>; sections: Map<string, SectionSnapshot>; title: string } | null = null;
  const read = () => {
    const items = new Map<string, ItemSnapshot>();
    for (const id of itemsOf(doc).keys()) {
      const snapshot = snapshotItem(doc, id);
      if (snapshot) items.set(id, snapshot);
    }
    return { items, sections: snapshotSections(doc), title: checklistTitle(doc) };
  };
  return {
    doc,
    apply(update) {
      audited ??= read();
      const touched = noTouches();
      // Applied inside a transaction of our own, whose `changed` is complete once the update is in.
      doc.transact((transaction) => {
        Y.applyUpdate(doc, update);
        addTouches(doc, transaction, touched);
      });
      const changes: AuditChange[] = [];
      if (touched.sections.size > 0) {
        const after = snapshotSections(doc);
        for (const id of touched.sections) changes.push(...sectionChanges(id, audited.sections.get(id), after.get(id)));
        audited.sections = after;
      }
      for (const [id, keys] of touched.items) {
        const before = audited.items.get(id) ?? null;
        // Only the fields the update touched are read again (the item's other fields kept their audited values).
        const after = before && keys ? resnapshotItem(doc, id, before, keys) : snapshotItem(doc, id);
        changes.push(...itemChanges(id, before, after));
        if (after) audited.items.set(id, after);
        else audited.items.delete(id);
      }
      if (touched.meta) {
        const title = checklistTitle(doc);
        if (title !== audited.title)
          changes.push({ kind: 'checklist_field', itemId: null, field: 'title', oldValue: audited.title, newValue: title });
        audited.title = title;
      }
      return changes;
    },
  };
}
