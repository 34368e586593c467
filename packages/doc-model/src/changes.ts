import * as Y from 'yjs';
import { itemsOf, readItem, readSections } from './checklist.ts';
import { projectItems, type ProjectedItem } from './projection.ts';
import type { ItemView, SectionView } from './schema.ts';

/**
 * The projection of only some items: those named in `itemIds` and every item now in one of `sectionIds` (a section
 * renamed, moved or deleted changes its items' rows). Rows are exactly what `projectItems(readChecklist(doc))` gives for
 * those items; `absent` lists the named items that project to no row (deleted, or their section is gone), whose rows
 * must go. Cost: the named items, the items of the named sections and one pass over the sections (not the document).
 */
export function projectSomeItems(
  doc: Y.Doc,
  itemIds: Iterable<string>,
  sectionIds: Iterable<string> = [],
): { rows: ProjectedItem[]; absent: string[] } {
  const sections = new Map<string, SectionView>(readSections(doc).map((section) => [section.id, { ...section, items: [] as ItemView[] }]));
  const items = itemsOf(doc);
  const candidates = new Set(itemIds);
  const wantedSections = new Set([...sectionIds]);
  if (wantedSections.size > 0) {
    items.forEach((value, id) => {
      if (value instanceof Y.Map && wantedSections.has(value.get('sectionId') as string)) candidates.add(id);
    });
  }
  const absent: string[] = [];
  for (const id of candidates) {
    const value: unknown = items.get(id);
    const section = value instanceof Y.Map ? sections.get(value.get('sectionId') as string) : undefined;
    if (!section) absent.push(id);
    else section.items.push(readItem(value as Y.Map<unknown>, id));
  }
  const rows = projectItems({ title: '', sections: [...sections.values()].filter((section) => section.items.length > 0) });
  return { rows, absent };
}
