import * as Y from 'yjs';
import { itemsOf, metaOf, readChecklist, readItem, sectionsOf } from './checklist.ts';
import type { ChecklistView, ItemView, SectionView } from './schema.ts';

/*
 * An incremental reader of a live checklist (issue 15: a cell edit must reach another browser in 100 ms with 2,000
 * items). `readChecklist` reads every item (every field through its schema) on each call; a page that re-reads on
 * every update spends most of an edit's latency re-reading 1,999 items that did not change. This reader watches the
 * document (observeDeep) and re-reads only the items an update touched. Its views equal `readChecklist(doc)`, and
 * keep the previous objects of items and sections that did not change, so memoized rows skip rendering: one edit
 * re-renders one row.
 */

const sameFigures = (a: ItemView['figures'], b: ItemView['figures']) =>
  a.length === b.length && a.every((f, i) => f.id === b[i]!.id && f.kind === b[i]!.kind && f.label === b[i]!.label && f.value === b[i]!.value);

const sameEvidence = (a: ItemView['evidence'], b: ItemView['evidence']) =>
  a.length === b.length && a.every((e, i) => e.id === b[i]!.id && e.url === b[i]!.url && e.label === b[i]!.label);

/** Whether two views of an item show the same thing. */
export function sameItemView(a: ItemView, b: ItemView): boolean {
  return (
    a.id === b.id &&
    a.sectionId === b.sectionId &&
    a.position === b.position &&
    a.title === b.title &&
    a.reference === b.reference &&
    a.status === b.status &&
    a.ownerId === b.ownerId &&
    a.dueDate === b.dueDate &&
    a.risk === b.risk &&
    sameFigures(a.figures, b.figures) &&
    sameEvidence(a.evidence, b.evidence)
  );
}

/**
 * The new view, reusing the previous objects of items and sections that did not change, so memoized rows skip
 * rendering.
 */
export function stabilizeView(previous: ChecklistView | null, next: ChecklistView): ChecklistView {
  if (!previous) return next;
  const oldItems = new Map<string, ItemView>();
  const oldSections = new Map<string, SectionView>();
  for (const section of previous.sections) {
    oldSections.set(section.id, section);
    for (const item of section.items) oldItems.set(item.id, item);
  }
  let changed = previous.title !== next.title || previous.sections.length !== next.sections.length;
  const sections = next.sections.map((section, index) => {
    const items = section.items.map((item) => {
      const old = oldItems.get(item.id);
      return old && sameItemView(old, item) ? old : item;
    });
    const old = oldSections.get(section.id);
    const same =
      old &&
      old.title === section.title &&
      old.position === section.position &&
      old.items.length === items.length &&
      old.items.every((item, i) => item === items[i]);
    if (same) {
      if (previous.sections[index] !== old) changed = true;
      return old;
    }
    changed = true;
    return { ...section, items };
  });
  return changed ? { title: next.title, sections } : previous;
}

export interface ChecklistReader {
  /** The checklist as `readChecklist` reads it; the same object as last time when nothing changed since. */
  read(): ChecklistView;
  /** How many items the last `read` re-read (for tests and benchmarks). */
  readonly lastReadItems: number;
  /** Stops watching the document. */
  destroy(): void;
}

export function createChecklistReader(doc: Y.Doc): ChecklistReader {
  const items = itemsOf(doc);
  const sections = sectionsOf(doc);
  const meta = metaOf(doc);
  let view: ChecklistView | null = null;
  /** Items whose fields changed (re-read them); `null` means read everything again. */
  let dirty: Set<string> | null = null;
  /** Whether items moved, arrived or left (sections' item lists are rebuilt), or sections or meta changed. */
  let layoutChanged = true;
  let lastReadItems = 0;
  /** The items `view` shows, by id. */
  let byId = new Map<string, ItemView>();

  const onItems = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    for (const event of events) {
      if (event.target === items) {
        // Items added, replaced or deleted.
        for (const id of event.changes.keys.keys()) dirty?.add(id);
        layoutChanged = true;
        continue;
      }
      const id = event.path[0];
      if (typeof id !== 'string') continue;
      dirty?.add(id);
      // A move changes which section lists the item, and where.
      if (event.path.length === 1 && (event.changes.keys.has('sectionId') || event.changes.keys.has('position'))) layoutChanged = true;
    }
  };
  const onLayout = () => {
    layoutChanged = true;
  };
  items.observeDeep(onItems);
  sections.observeDeep(onLayout);
  meta.observe(onLayout);

  const remember = (next: ChecklistView) => {
    byId = new Map();
    for (const section of next.sections) for (const item of section.items) byId.set(item.id, item);
  };

  return {
    get lastReadItems() {
      return lastReadItems;
    },
    read() {
      if (view && dirty && dirty.size === 0 && !layoutChanged) {
        lastReadItems = 0;
        return view;
      }
      if (!view || dirty === null || layoutChanged) {
        // First read, or items moved, arrived or left, or sections changed: everything, keeping unchanged objects.
        const next = stabilizeView(view, readChecklist(doc));
        lastReadItems = items.size;
        remember(next);
        view = next;
        dirty = new Set();
        layoutChanged = false;
        return view;
      }
      // Only fields of known items changed: re-read those, and replace them in their sections.
      lastReadItems = dirty.size;
      const replaced = new Map<string, ItemView>();
      for (const id of dirty) {
        const old = byId.get(id);
        const entry = items.get(id);
        if (!old || !(entry instanceof Y.Map)) continue; // not shown (its section is gone): nothing to replace
        const next = readItem(entry as Y.Map<unknown>, id);
        if (!sameItemView(old, next)) replaced.set(id, next);
      }
      dirty = new Set();
      if (replaced.size === 0) return view;
      const sectionsOut = view.sections.map((section): SectionView => {
        if (!section.items.some((item) => replaced.has(item.id))) return section;
        return { ...section, items: section.items.map((item) => replaced.get(item.id) ?? item) };
      });
      for (const [id, item] of replaced) byId.set(id, item);
      view = { title: view.title, sections: sectionsOut };
      return view;
    },
    destroy() {
      items.unobserveDeep(onItems);
      sections.unobserveDeep(onLayout);
      meta.unobserve(onLayout);
    },
  };
}
