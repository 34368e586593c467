import * as Y from 'yjs';
import { itemsOf, metaOf, sectionsOf } from './checklist.ts';

/**
 * What transactions of a document touched, read off their `changed` types (no values are read): the items, with the
 * keys of each item's map that changed below it ('status', 'title' for an edit of its text, 'notes' for any change
 * inside the notes, 'figures' for one of a figure), the sections and whether the checklist's meta did.
 */
export interface DocumentTouches {
  /** Per item, the keys of its map that changed, or null when the item itself was added, replaced or removed. */
  items: Map<string, Set<string> | null>;
  sections: Set<string>;
  meta: boolean;
}

export const noTouches = (): DocumentTouches => ({ items: new Map(), sections: new Set(), meta: false });

function touchItem(into: DocumentTouches, itemId: string, key: string | null): void {
  if (key === null) {
    into.items.set(itemId, null);
    return;
  }
  const keys = into.items.get(itemId);
  if (keys === undefined) into.items.set(itemId, new Set([key]));
  else keys?.add(key);
}

/** Adds what `transaction` of `doc` touched to `into`. The root maps must have been typed before the transaction. */
export function addTouches(doc: Y.Doc, transaction: Y.Transaction, into: DocumentTouches): void {
  const items: Y.AbstractType<any> = itemsOf(doc);
  const sections: Y.AbstractType<any> = sectionsOf(doc);
  const meta: Y.AbstractType<any> = metaOf(doc);
  transaction.changed.forEach((keys, type) => {
    if (type === items) {
      for (const key of keys) if (key !== null) touchItem(into, key, null);
      return;
    }
    if (type === sections) {
      for (const key of keys) if (key !== null) into.sections.add(key);
      return;
    }
    if (type === meta) {
      into.meta = true;
      return;
    }
    // Up to the entry of `items` or `sections`; `fieldKey` is the key, in that entry's map, of the level below it.
    let fieldKey: string | null = null;
    for (let current: Y.AbstractType<any> = type; current._item;) {
      const parent = current._item.parent;
      if (!(parent instanceof Y.AbstractType)) break;
      if (parent === items || parent === sections) {
        const id = current._item.parentSub;
        if (id === null) break;
        if (parent === sections) into.sections.add(id);
        else if (current !== type) touchItem(into, id, fieldKey);
        else for (const key of keys) touchItem(into, id, key);
        break;
      }
      fieldKey = current._item.parentSub;
      current = parent;
    }
  });
}
