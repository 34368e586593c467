import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  ChecklistError,
  addEvidence,
  addItem,
  addSection,
  applyTemplate,
  deleteItem,
  deleteSection,
  itemNotes,
  itemNotesText,
  itemsOf,
  moveItem,
  moveSection,
  readChecklist,
  readItem,
  readItemField,
  setFigure,
  updateItem,
} from '../src/index.ts';

function connectedPair() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  return { a, b, sync: () => syncDocs(a, b) };
}

function syncDocs(a: Y.Doc, b: Y.Doc) {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

function titles(doc: Y.Doc) {
  return readChecklist(doc).sections.map((section) => [section.title, section.items.map((item) => item.title)]);
}

describe('checklist document', () => {
  it('keeps sections and items in the order they were added', () => {
    const doc = new Y.Doc();
    const power = addSection(doc, { title: 'Power' });
    const cooling = addSection(doc, { title: 'Cooling' });
    addItem(doc, { sectionId: power, title: 'Deliverable MW per site' });
    addItem(doc, { sectionId: power, title: 'Substation ratings' });
    addItem(doc, { sectionId: cooling, title: 'Direct-to-chip conversion' });
    expect(titles(doc)).toEqual([
      ['Power', ['Deliverable MW per site', 'Substation ratings']],
      ['Cooling', ['Direct-to-chip conversion']],
    ]);
  });

  it('inserts before a sibling and moves items within and across sections', () => {
    const doc = new Y.Doc();
    const power = addSection(doc, { title: 'Power' });
    const cooling = addSection(doc, { title: 'Cooling' });
    const first = addItem(doc, { sectionId: power, title: 'first' });
    const third = addItem(doc, { sectionId: power, title: 'third' });
    addItem(doc, { sectionId: power, title: 'second', beforeId: third });
    expect(titles(doc)[0]).toEqual(['Power', ['first', 'second', 'third']]);
    moveItem(doc, first, { sectionId: power });
    expect(titles(doc)[0]).toEqual(['Power', ['second', 'third', 'first']]);
    moveItem(doc, third, { sectionId: cooling });
    expect(titles(doc)).toEqual([
      ['Power', ['second', 'first']],
      ['Cooling', ['third']],
    ]);
    moveSection(doc, cooling, power);
    expect(titles(doc).map(([title]) => title)).toEqual(['Cooling', 'Power']);
  });

  it('validates fields and refuses unknown ids with a clear error', () => {
    const doc = new Y.Doc();
    const section = addSection(doc, { title: 'Power' });
    const item = addItem(doc, { sectionId: section, title: 'Deliverable MW' });
    expect(() => updateItem(doc, item, { status: 'finished' as never })).toThrow();
    expect(() => updateItem(doc, item, { dueDate: '2026-02-31' })).toThrow(/real date/);
    expect(() => updateItem(doc, item, { title: '   ' })).toThrow(/needs a title/);
    expect(() => updateItem(doc, 'missing', { status: 'done' })).toThrow(ChecklistError);
    expect(() => addItem(doc, { sectionId: 'missing', title: 'x' })).toThrow(/No section/);
    expect(() => setFigure(doc, item, { kind: 'mw', label: 'Deliverable', value: Number.NaN })).toThrow();
    expect(() => addEvidence(doc, item, { url: 'javascript:alert(1)' })).toThrow();
    expect(readChecklist(doc).sections[0]!.items[0]!.status).toBe('not_started');
  });

  it('merges concurrent edits of different fields of one item', () => {
    const { a, b, sync } = connectedPair();
    const section = addSection(a, { title: 'Energy' });
    const item = addItem(a, { sectionId: section, title: 'PPA term and price' });
    sync();
    updateItem(a, item, { status: 'in_progress' });
    updateItem(b, item, { risk: 'high', dueDate: '2026-12-15' });
    sync();
    for (const doc of [a, b]) {
      expect(readChecklist(doc).sections[0]!.items[0]).toMatchObject({
        status: 'in_progress',
        risk: 'high',
        dueDate: '2026-12-15',
      });
    }
  });

  it('never duplicates or loses items under concurrent reorders', () => {
    const { a, b, sync } = connectedPair();
    const s1 = addSection(a, { title: 'One' });
    const s2 = addSection(a, { title: 'Two' });
    const ids = ['a', 'b', 'c', 'd'].map((title) => addItem(a, { sectionId: s1, title }));
    sync();
    moveItem(a, ids[0]!, { sectionId: s2 });
    moveItem(b, ids[0]!, { sectionId: s1, beforeId: ids[3]! });
    moveItem(b, ids[1]!, { sectionId: s1 });
    moveItem(a, ids[2]!, { sectionId: s1, beforeId: ids[1]! });
    sync();
    const viewA = titles(a);
    expect(viewA).toEqual(titles(b));
    const all = viewA.flatMap(([, items]) => items as string[]).sort();
    expect(all).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps every item when two people insert at the same place at once', () => {
    const { a, b, sync } = connectedPair();
    const section = addSection(a, { title: 'Leases' });
    const anchor = addItem(a, { sectionId: section, title: 'anchor' });
    sync();
    addItem(a, { sectionId: section, title: 'from a', beforeId: anchor });
    addItem(b, { sectionId: section, title: 'from b', beforeId: anchor });
    sync();
    expect(titles(a)).toEqual(titles(b));
    expect((titles(a)[0]![1] as string[]).slice(-1)).toEqual(['anchor']);
    expect(titles(a)[0]![1]).toHaveLength(3);
    // inserting between the two equal keys still yields a strict order
    const items = readChecklist(a).sections[0]!.items;
    addItem(a, { sectionId: section, title: 'between', beforeId: items[1]!.id });
    expect(readChecklist(a).sections[0]!.items.map((item) => item.title)).toContain('between');
  });

  it('deletes items and sections with their items', () => {
    const doc = new Y.Doc();
    const section = addSection(doc, { title: 'Power' });
    const keep = addSection(doc, { title: 'Cooling' });
    addItem(doc, { sectionId: section, title: 'x' });
    const y = addItem(doc, { sectionId: keep, title: 'y' });
    addItem(doc, { sectionId: keep, title: 'z' });
    deleteItem(doc, y);
    deleteSection(doc, section);
    expect(titles(doc)).toEqual([['Cooling', ['z']]]);
  });

  it('builds a document from a template with figures and notes', () => {
    const doc = new Y.Doc();
    applyTemplate(doc, {
      key: 'mini',
      name: 'Mini retrofit',
      workstream: 'site_retrofits',
      sections: [
        {
          title: 'Power',
          items: [
            {
              title: 'Gross power capacity',
              risk: 'high',
              figures: [{ kind: 'mw', label: 'Claimed gross capacity', value: 1300 }],
              notes: ['Compare contracted against deliverable MW.', 'Ask for the utility ramp schedule.'],
            },
          ],
        },
      ],
    });
    const view = readChecklist(doc);
    expect(view.title).toBe('Mini retrofit');
    const item = view.sections[0]!.items[0]!;
    // A template gives figure slots: a value in template data is not copied into a new checklist.
    expect(item.figures).toEqual([expect.objectContaining({ kind: 'mw', label: 'Claimed gross capacity', value: null })]);
    expect(itemNotesText(doc, item.id)).toBe('Compare contracted against deliverable MW.\nAsk for the utility ramp schedule.');
    expect(() => applyTemplate(new Y.Doc(), { key: 'Bad Key', name: 'x', workstream: 'custom', sections: [] })).toThrow();
  });
});

describe('the same document reads the same on every replica', () => {
  it('orders evidence and figures added concurrently the same way for everyone (map key order differs per replica)', () => {
    const { a, b, sync } = connectedPair();
    const section = addSection(a, { title: 'Energy' });
    const item = addItem(a, { sectionId: section, title: 'PPA escalators' });
    sync();
    // Same url and no label on both sides: only the id can break the tie.
    addEvidence(a, item, { url: 'https://example.com/ppa.pdf' });
    addEvidence(b, item, { url: 'https://example.com/ppa.pdf' });
    addEvidence(b, item, { url: 'https://example.com/amendment.pdf', label: 'Amendment 2' });
    setFigure(a, item, { kind: 'mw', label: 'Contracted', value: 300 });
    setFigure(b, item, { kind: 'mw', label: 'Contracted', value: 250 });
    sync();
    const [fromA, fromB] = [readChecklist(a), readChecklist(b)];
    expect(fromA).toEqual(fromB);
    const evidence = fromA.sections[0]!.items[0]!.evidence;
    expect(evidence.map((entry) => entry.label || entry.url)).toEqual(['Amendment 2', 'https://example.com/ppa.pdf', 'https://example.com/ppa.pdf']);
    expect(fromA.sections[0]!.items[0]!.figures).toHaveLength(2);
  });
});

describe('reading a document that a bad client wrote into', () => {
  it('skips entries that are not maps and reads invalid fields as neutral values, never throwing', () => {
    const doc = new Y.Doc();
    const section = addSection(doc, { title: 'Power' });
    const good = addItem(doc, { sectionId: section, title: 'Deliverable MW' });
    const damaged = addItem(doc, { sectionId: section, title: 'Substation ratings' });
    doc.getMap('items').set('not-a-map', 'just a string');
    doc.getMap('sections').set('also-not-a-map', 42);
    const item = doc.getMap('items').get(damaged) as Y.Map<unknown>;
    item.set('status', 'finished');
    item.set('dueDate', 'tomorrow');
    item.set('title', 7);
    item.set('figures', 'not a map');
    item.set('notes', 'not a fragment');
    doc.getMap('meta').set('title', { nested: true });

    const view = readChecklist(doc);
    expect(view.title).toBe('');
    expect(view.sections.map((s) => s.id)).toEqual([section]);
    expect(view.sections[0]!.items.map((i) => [i.id, i.title, i.status, i.dueDate, i.figures])).toEqual([
      [good, 'Deliverable MW', 'not_started', null, []],
      [damaged, 'Untitled item', 'not_started', null, []],
    ]);
    expect(itemNotesText(doc, damaged)).toBe('');
    expect(() => itemNotes(doc, damaged)).toThrow(ChecklistError);
    expect(() => updateItem(doc, 'not-a-map', { status: 'done' })).toThrow(ChecklistError);
    // writing a figure repairs the damaged figures map
    setFigure(doc, damaged, { kind: 'mw', label: 'Deliverable', value: 10 });
    expect(readChecklist(doc).sections[0]!.items[1]!.figures).toEqual([expect.objectContaining({ value: 10 })]);
  });
});

describe('readItemField', () => {
  it('reads one field as readItem reads it, valid, invalid or missing', () => {
    const doc = new Y.Doc();
    const section = addSection(doc, { title: 'Power' });
    const id = addItem(doc, { sectionId: section, title: 'Deliverable MW', ownerId: '4b0f6c55-2f1e-4d8a-9d7e-7d0c1f6c2a11', risk: 'high' });
    const entry = itemsOf(doc).get(id) as Y.Map<unknown>;
    const fields = ['title', 'reference', 'status', 'ownerId', 'dueDate', 'risk', 'sectionId', 'position'] as const;
    const same = () => fields.map((field) => [field, readItemField(entry, field)]);
    const whole = () => fields.map((field) => [field, readItem(entry, id)[field]]);
    expect(same()).toEqual(whole());
    expect(readItemField(entry, 'ownerId')).toBe('4b0f6c55-2f1e-4d8a-9d7e-7d0c1f6c2a11');
    entry.set('ownerId', 'not a uuid');
    entry.set('risk', 42);
    entry.delete('status');
    expect(readItemField(entry, 'ownerId')).toBeNull();
    expect(same()).toEqual(whole());
  });
});
