import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  EDITABLE_ITEM_FIELDS,
  ITEM_FIELDS,
  META_FIELDS,
  ROOTS,
  SECTION_FIELDS,
  addEvidence,
  addItem,
  addSection,
  applyTemplate,
  checkUpdate,
  itemNotes,
  itemsOf,
  metaOf,
  readChecklist,
  sectionsOf,
  setFigure,
  setTitle,
  updateItem,
  type ChecklistTemplate,
} from '../src/index.ts';

/** The roots and the keys of meta, of section entries and of item entries that `write` leaves in a new document. */
function keysWritten(doc: Y.Doc, write: () => void) {
  write();
  const keysOf = (map: Y.Map<any>) => new Set([...map.values()].flatMap((entry) => (entry instanceof Y.Map ? [...entry.keys()] : [])));
  return {
    roots: new Set(doc.share.keys()),
    meta: new Set(metaOf(doc).keys()),
    section: keysOf(sectionsOf(doc)),
    item: keysOf(itemsOf(doc)),
  };
}

describe('the checklist schema declaration (layout.ts)', () => {
  it('every declared field has a writer: the exported writers, run once each, write every field of meta, sections and items', () => {
    const doc = new Y.Doc();
    const written = keysWritten(doc, () => {
      setTitle(doc, 'Site retrofits');
      const section = addSection(doc, { title: 'Power' });
      const item = addItem(doc, { sectionId: section, title: 'Substation' });
      updateItem(doc, item, {
        title: 'Substation capacity',
        reference: '1.2.3',
        status: 'in_progress',
        ownerId: '3f1c2a4e-8b9d-4c1e-9f2a-5b6c7d8e9f01',
        dueDate: '2026-12-31',
        risk: 'high',
      });
      setFigure(doc, item, { kind: 'mw', label: 'Deliverable', value: 120 });
      addEvidence(doc, item, { url: 'https://example.com/letter.pdf' });
      itemNotes(doc, item).insert(0, [new Y.XmlElement('paragraph')]);
    });
    expect([...written.roots].sort()).toEqual(Object.keys(ROOTS).sort());
    expect([...written.meta].sort()).toEqual(Object.keys(META_FIELDS).sort());
    expect([...written.section].sort()).toEqual(Object.keys(SECTION_FIELDS).sort());
    expect([...written.item].sort()).toEqual(Object.keys(ITEM_FIELDS).sort());
  });

  it('the reader returns every declared item field but the rich-text notes, and the editable ones are plain values or text', () => {
    const doc = new Y.Doc();
    const section = addSection(doc, { title: 'Power' });
    addItem(doc, { sectionId: section, title: 'Substation', reference: '4.1' });
    const item = readChecklist(doc).sections[0]!.items[0]!;
    const declared = Object.entries(ITEM_FIELDS)
      .filter(([, field]) => field.kind !== 'rich-text')
      .map(([key]) => key);
    expect(Object.keys(item).sort()).toEqual(['id', ...declared].sort());
    expect(item.reference).toBe('4.1');
    for (const field of EDITABLE_ITEM_FIELDS) expect(['value', 'text']).toContain(ITEM_FIELDS[field].kind);
  });

  it('templates take every editable item field, and the guard accepts what they write', () => {
    const template: ChecklistTemplate = {
      key: 'mini',
      name: 'Mini',
      workstream: 'custom',
      sections: [
        {
          title: 'Power',
          items: [{ title: 'Substation', reference: '1.1', status: 'blocked', risk: 'low', dueDate: '2027-01-15', ownerId: null }],
        },
      ],
    };
    const doc = new Y.Doc();
    const mirror = new Y.Doc();
    const verdicts: (string | null)[] = [];
    doc.on('update', (update: Uint8Array) => {
      verdicts.push(checkUpdate(mirror, update));
      Y.applyUpdate(mirror, update);
    });
    applyTemplate(doc, template);
    expect(verdicts).toEqual([null]);
    const item = readChecklist(doc).sections[0]!.items[0]!;
    expect(item).toMatchObject({ title: 'Substation', reference: '1.1', status: 'blocked', risk: 'low', dueDate: '2027-01-15' });
  });

  it('refuses implausible due dates when they are written, with a plain message, but reads one stored before the rule', () => {
    const doc = new Y.Doc();
    const section = addSection(doc, { title: 'Power' });
    const item = addItem(doc, { sectionId: section, title: 'Substation' });
    expect(() => updateItem(doc, item, { dueDate: '1999-12-31' })).toThrow(/between the years 2000 and 2100/);
    expect(() => updateItem(doc, item, { dueDate: '2101-01-01' })).toThrow(/between the years 2000 and 2100/);
    itemsOf(doc).get(item)!.set('dueDate', '1990-05-01');
    expect(readChecklist(doc).sections[0]!.items[0]!.dueDate).toBe('1990-05-01');
    expect(() => addSection(doc, { title: '  ' })).toThrow(/A section needs a name/);
  });
});
