import { addItem, addSection, itemNotes, itemsOf, sectionsOf, setFigure } from '@tieout/doc-model';
import * as Y from 'yjs';

export const BENCH_SECTION_ID = 'bench-section';
export const benchItemId = (clientIndex: number) => `bench-item-${clientIndex}`;
export const HISTORY_ITEM_ID = 'bench-history';

/**
 * Gives a checklist document one section and one item per client that will edit it (each client only
 * rewrites its own item's title), plus `fillerItems` realistic items with figures and notes.
 */
export function seedChecklist(doc: Y.Doc, clientIndexes: number[], fillerItems: number): void {
  doc.transact(() => {
    if (!sectionsOf(doc).has(BENCH_SECTION_ID)) addSection(doc, { id: BENCH_SECTION_ID, title: 'Power and interconnection' });
    for (const index of clientIndexes) {
      const id = benchItemId(index);
      if (!itemsOf(doc).has(id)) addItem(doc, { id, sectionId: BENCH_SECTION_ID, title: `Bench item ${index}` });
    }
    for (let n = 0; n < fillerItems; n++) {
      const id = `bench-filler-${n}`;
      if (itemsOf(doc).has(id)) continue;
      addItem(doc, {
        id,
        sectionId: BENCH_SECTION_ID,
        title: `Confirm interconnection capacity at site ${n + 1} (MW under signed agreements)`,
        status: n % 3 === 0 ? 'in_progress' : 'not_started',
        risk: n % 4 === 0 ? 'high' : 'medium',
        notes: [
          'Utility interconnection agreement reviewed; capacity step-ups depend on substation upgrades.',
          'Retrofit from bitcoin mining to GPU hosting needs liquid cooling and new power distribution.',
        ],
      });
      setFigure(doc, id, { label: 'Contracted capacity', kind: 'mw', value: 100 + n });
    }
  });
}

/** The item whose notes receive the one-character edits of the cold-load history. */
export function ensureHistoryItem(doc: Y.Doc): Y.XmlText {
  if (!sectionsOf(doc).has(BENCH_SECTION_ID)) addSection(doc, { id: BENCH_SECTION_ID, title: 'Power and interconnection' });
  if (!itemsOf(doc).has(HISTORY_ITEM_ID)) {
    addItem(doc, { id: HISTORY_ITEM_ID, sectionId: BENCH_SECTION_ID, title: 'Typed notes history', notes: [''] });
  }
  const paragraph = itemNotes(doc, HISTORY_ITEM_ID).get(0) as Y.XmlElement;
  return paragraph.get(0) as Y.XmlText;
}
