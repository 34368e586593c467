import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addEvidence,
  addItem,
  addSection,
  addTouches,
  deleteItem,
  itemNotes,
  itemsOf,
  ITEM_STATUSES,
  metaOf,
  moveItem,
  noTouches,
  readChecklist,
  removeEvidence,
  removeFigure,
  renameSection,
  resnapshotItem,
  sectionsOf,
  setFigure,
  setTitle,
  snapshotItem,
  updateItem,
  type DocumentTouches,
  type ItemSnapshot,
} from '../src/index.ts';

/** A replica typed before any content, as the server's rooms and shadows are. */
function typedReplica(of: Y.Doc): Y.Doc {
  const replica = new Y.Doc();
  itemsOf(replica);
  sectionsOf(replica);
  metaOf(replica);
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(of));
  return replica;
}

/** Applies `update` to `replica` in one transaction and returns what it touched. */
function applyTouching(replica: Y.Doc, update: Uint8Array): DocumentTouches {
  const touches = noTouches();
  replica.transact((transaction) => {
    Y.applyUpdate(replica, update);
    addTouches(replica, transaction, touches);
  });
  return touches;
}

/** The update one edit of `doc` makes. */
function updateOf(doc: Y.Doc, edit: () => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const onUpdate = (update: Uint8Array) => updates.push(update);
  doc.on('update', onUpdate);
  edit();
  doc.off('update', onUpdate);
  return Y.mergeUpdates(updates);
}

function seed() {
  const doc = new Y.Doc();
  setTitle(doc, 'Site retrofits');
  const power = addSection(doc, { title: 'Power' });
  const cooling = addSection(doc, { title: 'Cooling' });
  const a = addItem(doc, { sectionId: power, title: 'Interconnection agreement', notes: ['Signed in March.'] });
  const b = addItem(doc, { sectionId: cooling, title: 'Chiller redundancy', risk: 'medium' });
  return { doc, power, cooling, a, b };
}

describe('addTouches', () => {
  it('names the item keys each kind of edit changes, and the item itself when it is added or deleted', () => {
    const { doc, power, a, b } = seed();
    const replica = typedReplica(doc);
    const keysOf = (edit: () => void) => {
      const touches = applyTouching(replica, updateOf(doc, edit));
      return Object.fromEntries([...touches.items].map(([id, keys]) => [id, keys && [...keys].sort()]));
    };
    expect(keysOf(() => updateItem(doc, a, { status: 'done', risk: 'high' }))).toEqual({ [a]: ['risk', 'status'] });
    expect(keysOf(() => updateItem(doc, a, { title: 'Interconnection agreement (signed)' }))).toEqual({ [a]: ['title'] });
    let figure = '';
    expect(keysOf(() => (figure = setFigure(doc, b, { kind: 'mw', label: 'Contracted', value: 120 })))).toEqual({ [b]: ['figures'] });
    expect(keysOf(() => setFigure(doc, b, { id: figure, kind: 'mw', label: 'Contracted', value: 130 }))).toEqual({ [b]: ['figures'] });
    expect(keysOf(() => addEvidence(doc, a, { url: 'https://example.com/ia.pdf', label: 'IA' }))).toEqual({ [a]: ['evidence'] });
    expect(
      keysOf(() => {
        const text = (itemNotes(doc, a).get(0) as Y.XmlElement).get(0) as Y.XmlText;
        text.insert(text.length, ' Countersigned.');
      }),
    ).toEqual({ [a]: ['notes'] });
    expect(keysOf(() => moveItem(doc, b, { sectionId: power }))).toEqual({ [b]: expect.arrayContaining(['sectionId', 'position']) });
    let added = '';
    expect(keysOf(() => (added = addItem(doc, { sectionId: power, title: 'Substation' })))).toEqual({ [added]: null });
    expect(keysOf(() => deleteItem(doc, a))).toEqual({ [a]: null });
  });

  it('names sections and the meta', () => {
    const { doc, power } = seed();
    const replica = typedReplica(doc);
    const touches = applyTouching(
      replica,
      updateOf(doc, () => {
        renameSection(doc, power, 'Power and interconnection');
        setTitle(doc, 'Site retrofits (v2)');
      }),
    );
    expect([...touches.sections]).toEqual([power]);
    expect(touches.meta).toBe(true);
    expect(touches.items.size).toBe(0);
  });
});

describe('resnapshotItem', () => {
  it('re-reading only the touched keys gives exactly snapshotItem, whatever edits arrive (fast-check)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('status' as const), item: fc.nat(), status: fc.constantFrom(...ITEM_STATUSES) }),
      fc.record({ kind: fc.constant('fields' as const), item: fc.nat(), due: fc.boolean(), risk: fc.constantFrom('low', 'high', null) }),
      fc.record({ kind: fc.constant('title' as const), item: fc.nat(), text: fc.string({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('figure' as const), item: fc.nat(), value: fc.integer({ min: 0, max: 1000 }), label: fc.nat(3) }),
      fc.record({ kind: fc.constant('removeFigure' as const), item: fc.nat() }),
      fc.record({ kind: fc.constant('evidence' as const), item: fc.nat(), label: fc.constantFrom('b', 'a', '') }),
      fc.record({ kind: fc.constant('removeEvidence' as const), item: fc.nat() }),
      fc.record({ kind: fc.constant('notes' as const), item: fc.nat(), text: fc.string({ maxLength: 6 }) }),
      fc.record({ kind: fc.constant('move' as const), item: fc.nat(), section: fc.boolean() }),
      fc.record({ kind: fc.constant('add' as const), section: fc.boolean() }),
      fc.record({ kind: fc.constant('delete' as const), item: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 25 }), (batches) => {
        const { doc, power, cooling } = seed();
        const replica = typedReplica(doc);
        const snapshots = new Map<string, ItemSnapshot>();
        for (const id of itemsOf(replica).keys()) snapshots.set(id, snapshotItem(replica, id)!);
        let counter = 0;
        for (const batch of batches) {
          // One update may hold several edits (a transaction of the editor, or updates merged by the client).
          const update = updateOf(doc, () =>
            doc.transact(() => {
              for (const step of batch) {
                const ids = readChecklist(doc).sections.flatMap((section) => section.items.map((item) => item.id));
                const item = 'item' in step && ids.length > 0 ? ids[step.item % ids.length]! : undefined;
                const view = item ? snapshotItem(doc, item) : null;
                switch (step.kind) {
                  case 'status':
                    if (item) updateItem(doc, item, { status: step.status });
                    break;
                  case 'fields':
                    if (item) updateItem(doc, item, { dueDate: step.due ? '2027-03-01' : null, risk: step.risk });
                    break;
                  case 'title':
                    if (item) updateItem(doc, item, { title: `T ${step.text.trim() || 'x'}` });
                    break;
                  case 'figure': {
                    const existing = view?.figures.find((figure) => figure.label === `F${step.label}`);
                    if (item)
                      setFigure(doc, item, { ...(existing ? { id: existing.id } : {}), kind: 'mw', label: `F${step.label}`, value: step.value });
                    break;
                  }
                  case 'removeFigure':
                    if (item && view!.figures[0]) removeFigure(doc, item, view!.figures[0].id);
                    break;
                  case 'evidence':
                    if (item) addEvidence(doc, item, { url: `https://example.com/${counter++}`, label: step.label });
                    break;
                  case 'removeEvidence':
                    if (item && view!.evidence[0]) removeEvidence(doc, item, view!.evidence[0].id);
                    break;
                  case 'notes': {
                    if (!item) break;
                    const notes = itemNotes(doc, item);
                    const paragraph = new Y.XmlElement('paragraph');
                    paragraph.insert(0, [new Y.XmlText(step.text)]);
                    if (notes.length > 1 && step.text.length % 2 === 0) notes.delete(0, 1);
                    else notes.insert(notes.length, [paragraph]);
                    break;
                  }
                  case 'move':
                    if (item) moveItem(doc, item, { sectionId: step.section ? power : cooling });
                    break;
                  case 'add':
                    addItem(doc, { sectionId: step.section ? power : cooling, title: `New ${counter++}` });
                    break;
                  case 'delete':
                    if (item) deleteItem(doc, item);
                    break;
                }
              }
            }),
          );
          const touches = applyTouching(replica, update);
          for (const [id, keys] of touches.items) {
            const before = snapshots.get(id);
            const after = before && keys ? resnapshotItem(replica, id, before, keys) : snapshotItem(replica, id);
            expect(after).toEqual(snapshotItem(replica, id));
            if (after) snapshots.set(id, after);
            else snapshots.delete(id);
          }
          // Items it did not name are as they were.
          for (const [id, snapshot] of snapshots) expect(snapshot).toEqual(snapshotItem(replica, id));
          expect(snapshots.size).toBe([...itemsOf(replica).keys()].length);
        }
      }),
      { numRuns: 80 },
    );
  });
});
