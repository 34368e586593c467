import { addItem, addSection, itemNotes, itemNotesText, itemsOf, sectionsOf, setFigure } from '@tieout/doc-model';
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

/** The items of the cold load's large document: `large-item-<n>`, in sections of LARGE_SECTION_SIZE. */
export const largeItemId = (n: number) => `large-item-${n}`;
export const largeSectionId = (s: number) => `large-section-${s}`;
export const LARGE_SECTION_SIZE = 100;

const LARGE_SECTION_TITLES = [
  'Power and interconnection',
  'Site retrofits',
  'Customer contracts',
  'Financing',
  'Tax',
  'Employees',
  'Real estate',
  'Regulatory',
];
const NOTE_SENTENCES = [
  'The utility confirmed the interconnection agreement in writing; the step-up to the full contracted capacity depends on the substation upgrade scheduled for the second half of next year.',
  'Management walked us through the retrofit plan: liquid cooling on the new halls, rebuilt power distribution, and a phased cut-over that keeps the existing hosting customers online.',
  'The data room holds the executed master services agreement, three amendments and the latest capacity schedule; the change-of-control clause needs the customer’s consent within thirty days.',
  'Outside counsel flagged the environmental permit as transferable subject to a notice filing; no open violations were found in the state registry search.',
  'The lender’s consent is required under the credit facility; the term sheet from the arrangers caps the new facility at a leverage of four times contracted EBITDA.',
  'Site visit notes: backup generation covers the critical load for 48 hours, fuel contracts are in place, and the switchgear replacement has long-lead items on order.',
  'Open question for the seller: how the curtailment credits were accounted for last year, and whether any of them are contingent on the mining operations continuing.',
  'Tax diligence found no uncertain positions above the materiality threshold; the property tax abatement runs for another seven years if headcount commitments are met.',
];

/**
 * One realistic checklist item of the large document: title, status, risk, a figure on every fourth item, and notes
 * of three paragraphs (two or three sentences each, about 900 characters in all), made with @tieout/doc-model.
 */
export function addLargeItem(doc: Y.Doc, n: number): void {
  const sentence = (k: number) => NOTE_SENTENCES[(n * 3 + k) % NOTE_SENTENCES.length]!;
  doc.transact(() => {
    const section = Math.floor(n / LARGE_SECTION_SIZE);
    if (!sectionsOf(doc).has(largeSectionId(section))) {
      addSection(doc, { id: largeSectionId(section), title: `${LARGE_SECTION_TITLES[section % LARGE_SECTION_TITLES.length]} ${section + 1}` });
    }
    addItem(doc, {
      id: largeItemId(n),
      sectionId: largeSectionId(section),
      title: `Confirm item ${n + 1}: interconnection capacity and consents at site ${(n % 40) + 1}`,
      status: n % 5 === 0 ? 'needs_review' : n % 3 === 0 ? 'in_progress' : 'not_started',
      risk: n % 7 === 0 ? 'high' : n % 2 === 0 ? 'medium' : 'low',
      notes: [`${sentence(0)} ${sentence(1)}`, `${sentence(2)} ${sentence(3)} ${sentence(4)}`, `Item ${n + 1}: ${sentence(5)}`],
    });
    if (n % 4 === 0) setFigure(doc, largeItemId(n), { label: 'Contracted capacity', kind: 'mw', value: 50 + (n % 200) });
  });
}

/** Characters of notes text of the large document's items 0 … items-1 (what a loaded document must hold). */
export function largeNotesChars(doc: Y.Doc, items: number): number {
  let chars = 0;
  for (let n = 0; n < items; n++) chars += itemNotesText(doc, largeItemId(n)).length;
  return chars;
}
