import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addEvidence,
  addItem,
  addSection,
  applyTextChange,
  createChecklistReader,
  deleteItem,
  deleteSection,
  ITEM_STATUSES,
  moveItem,
  readChecklist,
  renameSection,
  setFigure,
  setTitle,
  titleText,
  updateItem,
} from '../src/index.ts';

function bigChecklist(sections: number, perSection: number) {
  const doc = new Y.Doc();
  setTitle(doc, 'Request list');
  const sectionIds: string[] = [];
  const itemIds: string[] = [];
  for (let s = 0; s < sections; s++) {
    const sectionId = addSection(doc, { title: `Section ${s}` });
    sectionIds.push(sectionId);
    for (let i = 0; i < perSection; i++) itemIds.push(addItem(doc, { sectionId, title: `Item ${s}.${i}`, reference: `${s}.${i}` }));
  }
  return { doc, sectionIds, itemIds };
}

/** Another browser: a replica that receives `doc`'s updates, as the receiving page does. */
function replicaOf(doc: Y.Doc) {
  const replica = new Y.Doc();
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
  doc.on('update', (update: Uint8Array) => Y.applyUpdate(replica, update));
  return replica;
}

describe('createChecklistReader', () => {
  it('re-reads only the item a remote cell edit touched, and keeps every other object', () => {
    const { doc, itemIds } = bigChecklist(4, 50);
    const replica = replicaOf(doc);
    const reader = createChecklistReader(replica);
    const first = reader.read();
    expect(first).toEqual(readChecklist(replica));
    expect(reader.read()).toBe(first); // nothing changed: the same object

    updateItem(doc, itemIds[120]!, { status: 'blocked' });
    const second = reader.read();
    expect(reader.lastReadItems).toBe(1);
    expect(second).toEqual(readChecklist(replica));
    const changedSection = second.sections.findIndex((section) => section.items.some((item) => item.id === itemIds[120]));
    second.sections.forEach((section, index) => {
      if (index === changedSection) expect(section).not.toBe(first.sections[index]);
      else expect(section).toBe(first.sections[index]);
    });
    const before = first.sections[changedSection]!.items;
    second.sections[changedSection]!.items.forEach((item, index) => {
      if (item.id === itemIds[120]) expect(item.status).toBe('blocked');
      else expect(item).toBe(before[index]);
    });
  });

  it('typing in a title re-reads that one item', () => {
    const { doc, itemIds } = bigChecklist(2, 20);
    const replica = replicaOf(doc);
    const reader = createChecklistReader(replica);
    reader.read();
    const text = titleText(doc, { kind: 'item', id: itemIds[3]! });
    doc.transact(() => applyTextChange(text, `${text.toString()} (signed)`));
    const view = reader.read();
    expect(reader.lastReadItems).toBe(1);
    expect(view.sections[0]!.items[3]!.title).toBe('Item 0.3 (signed)');
  });

  it('an edit that changes nothing shown keeps the whole view', () => {
    const { doc, itemIds } = bigChecklist(1, 5);
    const reader = createChecklistReader(doc);
    const first = reader.read();
    updateItem(doc, itemIds[0]!, { status: 'not_started' }); // already so: no update at all
    (doc.getMap('items').get(itemIds[0]!) as Y.Map<unknown>).set('risk', null); // a write of the same value
    expect(reader.read()).toBe(first);
  });

  it('stops watching when destroyed', () => {
    const { doc, itemIds } = bigChecklist(1, 3);
    const reader = createChecklistReader(doc);
    const first = reader.read();
    reader.destroy();
    updateItem(doc, itemIds[0]!, { status: 'done' });
    expect(reader.read()).toBe(first);
  });

  it('always equals readChecklist, whatever edits arrive (fast-check)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('status' as const), item: fc.nat(), status: fc.constantFrom(...ITEM_STATUSES) }),
      fc.record({ kind: fc.constant('title' as const), item: fc.nat(), text: fc.string({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('figure' as const), item: fc.nat(), value: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({ kind: fc.constant('evidence' as const), item: fc.nat() }),
      fc.record({ kind: fc.constant('add' as const), section: fc.nat() }),
      fc.record({ kind: fc.constant('delete' as const), item: fc.nat() }),
      fc.record({ kind: fc.constant('move' as const), item: fc.nat(), section: fc.nat(), before: fc.nat() }),
      fc.record({ kind: fc.constant('addSection' as const) }),
      fc.record({ kind: fc.constant('renameSection' as const), section: fc.nat() }),
      fc.record({ kind: fc.constant('deleteSection' as const), section: fc.nat() }),
      fc.record({ kind: fc.constant('read' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const { doc } = bigChecklist(3, 4);
        const replica = replicaOf(doc);
        const reader = createChecklistReader(replica);
        reader.read();
        let counter = 0;
        const pick = <T>(list: T[], n: number) => (list.length ? list[n % list.length]! : undefined);
        for (const step of ops) {
          const view = readChecklist(doc);
          const items = view.sections.flatMap((section) => section.items.map((item) => item.id));
          const sections = view.sections.map((section) => section.id);
          const item = 'item' in step ? pick(items, step.item) : undefined;
          const section = 'section' in step ? pick(sections, step.section) : undefined;
          switch (step.kind) {
            case 'status':
              if (item) updateItem(doc, item, { status: step.status });
              break;
            case 'title':
              if (item) updateItem(doc, item, { title: `T ${step.text.trim() || 'x'}` });
              break;
            case 'figure':
              // a new label each time: one item may not have two figures with the same label (decision 142)
              if (item) setFigure(doc, item, { kind: 'mw', label: `Power ${counter++}`, value: step.value });
              break;
            case 'evidence':
              if (item) addEvidence(doc, item, { url: `https://example.com/${counter++}`, label: '' });
              break;
            case 'add':
              if (section) addItem(doc, { sectionId: section, title: `New ${counter++}` });
              break;
            case 'delete':
              if (item) deleteItem(doc, item);
              break;
            case 'move': {
              const target = pick(sections, step.section);
              if (item && target) {
                const siblings = view.sections
                  .find((s) => s.id === target)!
                  .items.map((i) => i.id)
                  .filter((id) => id !== item);
                moveItem(doc, item, { sectionId: target, beforeId: pick([...siblings, null as unknown as string], step.before) ?? null });
              }
              break;
            }
            case 'addSection':
              addSection(doc, { title: `Added ${counter++}` });
              break;
            case 'renameSection':
              if (section) renameSection(doc, section, `Renamed ${counter++}`);
              break;
            case 'deleteSection':
              if (section && sections.length > 1) deleteSection(doc, section);
              break;
            case 'read':
              expect(reader.read()).toEqual(readChecklist(replica));
              break;
          }
        }
        expect(reader.read()).toEqual(readChecklist(replica));
      }),
      { numRuns: 60 },
    );
  });
});
