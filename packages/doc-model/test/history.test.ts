import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addEvidence,
  addItem,
  addSection,
  deleteItem,
  deleteSection,
  diffChecklists,
  stateToDoc,
  itemChanges,
  itemNotes,
  moveItem,
  removeEvidence,
  removeFigure,
  renameSection,
  restoreChecklist,
  restoreItem,
  sectionChanges,
  setFigure,
  setTitle,
  snapshotItem,
  snapshotSections,
  updateItem,
} from '../src/index.ts';

const OWNER = '2b1c9a8e-6a51-4a2b-9a43-0d6a1c8f1e11';
const OTHER = '7f3e2d1c-0b9a-4c8d-9e7f-6a5b4c3d2e1f';

/** Appends a paragraph of text to an item's notes, as Tiptap would store it. */
function typeNotes(doc: Y.Doc, itemId: string, text: string) {
  const notes = itemNotes(doc, itemId);
  const paragraph = new Y.XmlElement('paragraph');
  paragraph.insert(0, [new Y.XmlText(text)]);
  notes.insert(notes.length, [paragraph]);
}

function replaceNotes(doc: Y.Doc, itemId: string, text: string) {
  const notes = itemNotes(doc, itemId);
  doc.transact(() => {
    notes.delete(0, notes.length);
    typeNotes(doc, itemId, text);
  });
}

/** A small known checklist, as version 1. */
function versionOne() {
  const doc = new Y.Doc();
  setTitle(doc, 'Site retrofits');
  const power = addSection(doc, { title: 'Power' });
  const cooling = addSection(doc, { title: 'Cooling' });
  const legal = addSection(doc, { title: 'Legal' });
  const interconnect = addItem(doc, { sectionId: power, title: 'Interconnection agreement', status: 'in_progress', ownerId: OWNER });
  const substation = addItem(doc, { sectionId: power, title: 'Substation capacity', risk: 'medium' });
  const chillers = addItem(doc, { sectionId: cooling, title: 'Chiller redundancy', dueDate: '2027-01-15' });
  const gone = addItem(doc, { sectionId: cooling, title: 'Water rights' });
  const lease = addItem(doc, { sectionId: legal, title: 'Ground lease estoppel' });
  addItem(doc, { sectionId: legal, title: 'Title commitment' });
  const mw = setFigure(doc, interconnect, { kind: 'mw', label: 'Contracted', value: 120 });
  const usd = setFigure(doc, substation, { kind: 'usd', label: 'Upgrade cost', value: 4_500_000 });
  const link = addEvidence(doc, interconnect, { url: 'https://example.com/ia.pdf', label: 'Signed IA' });
  typeNotes(doc, chillers, 'Two chillers per hall, N+1 on the east side.');
  return { doc, power, cooling, legal, interconnect, substation, chillers, gone, lease, mw, usd, link };
}

describe('diffChecklists', () => {
  it('lists exactly the changes between two known versions', () => {
    const v = versionOne();
    const v1 = stateToDoc(Y.encodeStateAsUpdate(v.doc));

    // Version 2: every kind of change once.
    setTitle(v.doc, 'Site retrofits (IC draft)');
    updateItem(v.doc, v.interconnect, { status: 'done', ownerId: OTHER, title: 'Interconnection agreement (signed)' });
    updateItem(v.doc, v.substation, { risk: 'high', dueDate: '2027-02-01' });
    moveItem(v.doc, v.substation, { sectionId: v.cooling }); // between sections
    moveItem(v.doc, v.lease, { sectionId: v.legal }); // within its section: after the title commitment
    setFigure(v.doc, v.interconnect, { id: v.mw, kind: 'mw', label: 'Contracted', value: 150 });
    setFigure(v.doc, v.interconnect, { kind: 'years', label: 'Term', value: 15 });
    removeFigure(v.doc, v.substation, v.usd);
    removeEvidence(v.doc, v.interconnect, v.link);
    addEvidence(v.doc, v.chillers, { url: 'https://example.com/cooling.pdf', label: 'Cooling study' });
    replaceNotes(v.doc, v.chillers, 'Two chillers per hall, N+2 on the east side.');
    deleteItem(v.doc, v.gone);
    const added = addItem(v.doc, { sectionId: v.power, title: 'Utility load letter', status: 'blocked' });
    typeNotes(v.doc, added, 'Requested from the utility.');
    renameSection(v.doc, v.legal, 'Legal and title');
    const v2 = stateToDoc(Y.encodeStateAsUpdate(v.doc));

    const diff = diffChecklists(v1, v2);
    expect(diff.title).toEqual({ old: 'Site retrofits', new: 'Site retrofits (IC draft)' });
    expect(diff.sections).toEqual({ added: [], removed: [], renamed: [{ id: v.legal, old: 'Legal', new: 'Legal and title' }] });
    expect(diff.unchanged).toBe(1); // the title commitment
    const byId = new Map(diff.items.map((item) => [item.itemId, item]));
    expect([...byId.keys()].sort()).toEqual([v.interconnect, v.substation, v.chillers, v.gone, v.lease, added].sort());

    expect(byId.get(v.interconnect)).toMatchObject({
      change: 'changed',
      title: 'Interconnection agreement (signed)',
      moved: null,
      fields: [
        { field: 'title', old: 'Interconnection agreement', new: 'Interconnection agreement (signed)' },
        { field: 'status', old: 'in_progress', new: 'done' },
        { field: 'owner', old: OWNER, new: OTHER },
      ],
      notes: null,
    });
    const interconnect = byId.get(v.interconnect)!;
    expect(interconnect.figures).toEqual(
      expect.arrayContaining([
        {
          change: 'changed',
          old: { id: v.mw, kind: 'mw', label: 'Contracted', value: 120 },
          new: { id: v.mw, kind: 'mw', label: 'Contracted', value: 150 },
        },
        { change: 'added', old: null, new: expect.objectContaining({ kind: 'years', label: 'Term', value: 15 }) },
      ]),
    );
    expect(interconnect.figures).toHaveLength(2);
    expect(interconnect.evidence).toEqual([
      { change: 'removed', old: { id: v.link, url: 'https://example.com/ia.pdf', label: 'Signed IA' }, new: null },
    ]);

    expect(byId.get(v.substation)).toMatchObject({
      change: 'changed',
      section: { id: v.cooling, title: 'Cooling' },
      moved: { from: { id: v.power, title: 'Power' }, to: { id: v.cooling, title: 'Cooling' }, betweenSections: true },
      fields: [
        { field: 'due_date', old: null, new: '2027-02-01' },
        { field: 'risk', old: 'medium', new: 'high' },
      ],
      figures: [{ change: 'removed', old: { id: v.usd, kind: 'usd', label: 'Upgrade cost', value: 4_500_000 }, new: null }],
    });
    expect(byId.get(v.lease)).toMatchObject({
      change: 'changed',
      moved: { from: { id: v.legal, title: 'Legal' }, to: { id: v.legal, title: 'Legal and title' }, betweenSections: false },
      fields: [],
    });

    const chillers = byId.get(v.chillers)!;
    expect(chillers.evidence).toEqual([{ change: 'added', old: null, new: expect.objectContaining({ url: 'https://example.com/cooling.pdf' }) }]);
    expect(chillers.notes!.filter((part) => part.type !== 'equal')).toEqual([
      { type: 'delete', text: '1' },
      { type: 'insert', text: '2' },
    ]);
    expect(chillers.notes!.map((part) => (part.type === 'insert' ? '' : part.text)).join('')).toBe('Two chillers per hall, N+1 on the east side.');
    expect(chillers.notes!.map((part) => (part.type === 'delete' ? '' : part.text)).join('')).toBe('Two chillers per hall, N+2 on the east side.');

    expect(byId.get(v.gone)).toMatchObject({ change: 'removed', title: 'Water rights', section: { id: v.cooling, title: 'Cooling' } });
    expect(byId.get(added)).toMatchObject({
      change: 'added',
      title: 'Utility load letter',
      section: { id: v.power, title: 'Power' },
      notes: [{ type: 'insert', text: 'Requested from the utility.' }],
    });
    // Order: the newer state's reading order, removed items last.
    expect(diff.items.at(-1)!.itemId).toBe(v.gone);
  });

  it('finds nothing between a state and itself, and reverses cleanly', () => {
    const v = versionOne();
    const a = stateToDoc(Y.encodeStateAsUpdate(v.doc));
    expect(diffChecklists(a, v.doc)).toEqual({
      title: null,
      sections: { added: [], removed: [], renamed: [] },
      items: [],
      unchanged: 6,
    });
    deleteItem(v.doc, v.lease);
    const back = diffChecklists(v.doc, a);
    expect(back.items).toMatchObject([{ itemId: v.lease, change: 'added', title: 'Ground lease estoppel' }]);
    expect(back.unchanged).toBe(5);
  });

  it('counts the items of a deleted section as removed and lists the section', () => {
    const v = versionOne();
    const before = stateToDoc(Y.encodeStateAsUpdate(v.doc));
    deleteSection(v.doc, v.cooling);
    const diff = diffChecklists(before, v.doc);
    expect(diff.sections.removed).toEqual([{ id: v.cooling, title: 'Cooling' }]);
    expect(diff.items.map((item) => [item.itemId, item.change]).sort()).toEqual(
      [
        [v.chillers, 'removed'],
        [v.gone, 'removed'],
      ].sort(),
    );
    expect(diff.items.find((item) => item.itemId === v.chillers)!.notes).toEqual([
      { type: 'delete', text: 'Two chillers per hall, N+1 on the east side.' },
    ]);
  });

  it('works on the states of two replicas that edited concurrently', () => {
    const v = versionOne();
    const base = Y.encodeStateAsUpdate(v.doc);
    const alice = stateToDoc(base);
    const bob = stateToDoc(base);
    updateItem(alice, v.interconnect, { status: 'blocked' });
    updateItem(bob, v.chillers, { risk: 'low' });
    Y.applyUpdate(alice, Y.encodeStateAsUpdate(bob));
    const diff = diffChecklists(stateToDoc(base), alice);
    expect(diff.items.map((item) => ({ id: item.itemId, fields: item.fields }))).toEqual([
      { id: v.interconnect, fields: [{ field: 'status', old: 'in_progress', new: 'blocked' }] },
      { id: v.chillers, fields: [{ field: 'risk', old: null, new: 'low' }] },
    ]);
  });
});

describe('audit changes', () => {
  it('reads one item and names each changed field, figure, evidence link and the notes', () => {
    const v = versionOne();
    const before = snapshotItem(v.doc, v.interconnect);
    updateItem(v.doc, v.interconnect, { status: 'done', dueDate: '2027-03-01' });
    moveItem(v.doc, v.interconnect, { sectionId: v.cooling });
    setFigure(v.doc, v.interconnect, { id: v.mw, kind: 'mw', label: 'Contracted', value: 130 });
    removeEvidence(v.doc, v.interconnect, v.link);
    typeNotes(v.doc, v.interconnect, 'Countersigned 3 March.');
    const after = snapshotItem(v.doc, v.interconnect);
    expect(itemChanges(v.interconnect, before, after)).toEqual([
      { kind: 'item_field', itemId: v.interconnect, field: 'status', oldValue: 'in_progress', newValue: 'done' },
      { kind: 'item_field', itemId: v.interconnect, field: 'due_date', oldValue: null, newValue: '2027-03-01' },
      { kind: 'item_field', itemId: v.interconnect, field: 'section', oldValue: v.power, newValue: v.cooling },
      {
        kind: 'item_field',
        itemId: v.interconnect,
        field: 'figure',
        oldValue: { id: v.mw, kind: 'mw', label: 'Contracted', value: 120 },
        newValue: { id: v.mw, kind: 'mw', label: 'Contracted', value: 130 },
      },
      { kind: 'item_field', itemId: v.interconnect, field: 'evidence', oldValue: expect.objectContaining({ id: v.link }), newValue: null },
      { kind: 'item_field', itemId: v.interconnect, field: 'notes', oldValue: '', newValue: 'Countersigned 3 March.' },
    ]);
    expect(itemChanges(v.interconnect, after, after)).toEqual([]);
  });

  it('reports creation and deletion, and section changes', () => {
    const v = versionOne();
    const created = snapshotItem(v.doc, v.gone);
    expect(itemChanges(v.gone, null, created)).toEqual([
      {
        kind: 'item_created',
        itemId: v.gone,
        field: null,
        oldValue: null,
        newValue: expect.objectContaining({ title: 'Water rights', sectionId: v.cooling, status: 'not_started', figures: 0, notes: '' }),
      },
    ]);
    deleteItem(v.doc, v.gone);
    expect(snapshotItem(v.doc, v.gone)).toBeNull();
    expect(itemChanges(v.gone, created, null)).toEqual([
      {
        kind: 'item_deleted',
        itemId: v.gone,
        field: null,
        oldValue: { title: 'Water rights', sectionId: v.cooling, status: 'not_started' },
        newValue: null,
      },
    ]);
    const sections = snapshotSections(v.doc);
    renameSection(v.doc, v.legal, 'Title');
    expect(sectionChanges(v.legal, sections.get(v.legal), snapshotSections(v.doc).get(v.legal))).toEqual([
      {
        kind: 'section_field',
        itemId: null,
        field: 'title',
        oldValue: { sectionId: v.legal, title: 'Legal' },
        newValue: { sectionId: v.legal, title: 'Title' },
      },
    ]);
  });
});

describe('restore', () => {
  it('brings the whole checklist back to a version as a new change, keeping ids', () => {
    const v = versionOne();
    const v1 = stateToDoc(Y.encodeStateAsUpdate(v.doc));
    updateItem(v.doc, v.interconnect, { status: 'done', title: 'Changed title' });
    deleteItem(v.doc, v.chillers);
    deleteSection(v.doc, v.legal);
    const extra = addItem(v.doc, { sectionId: v.power, title: 'Added after the version' });
    removeFigure(v.doc, v.interconnect, v.mw);
    setTitle(v.doc, 'Renamed checklist');
    const before = Y.encodeStateVector(v.doc);
    const replica = stateToDoc(Y.encodeStateAsUpdate(v.doc));
    restoreChecklist(v.doc, v1);
    const diff = diffChecklists(v1, v.doc);
    expect(diff.items).toEqual([]);
    expect(diff.sections).toEqual({ added: [], removed: [], renamed: [] });
    expect(diff.title).toBeNull();
    expect(snapshotItem(v.doc, extra)).toBeNull();
    expect(snapshotItem(v.doc, v.chillers)!.notes).toBe('Two chillers per hall, N+1 on the east side.');
    // A new change on top of the current state, which a replica that had the deletions receives as one update.
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(v.doc, before));
    expect(diffChecklists(v1, replica).items).toEqual([]);
  });

  it('restores a single item, with its section when that was deleted too, and refuses an item the version lacks', () => {
    const v = versionOne();
    const v1 = stateToDoc(Y.encodeStateAsUpdate(v.doc));
    deleteSection(v.doc, v.legal);
    updateItem(v.doc, v.interconnect, { status: 'blocked' });
    restoreItem(v.doc, v1, v.lease);
    const diff = diffChecklists(v1, v.doc);
    // The other item of the deleted section stays deleted: only the one asked for comes back.
    expect(diff.items.map((item) => [item.title, item.change])).toEqual([
      ['Interconnection agreement', 'changed'],
      ['Title commitment', 'removed'],
    ]);
    expect(snapshotSections(v.doc).get(v.legal)?.title).toBe('Legal');
    expect(() => restoreItem(v.doc, v1, 'no-such-item')).toThrow('This version has no such item.');
  });
});
