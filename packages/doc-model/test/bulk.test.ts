import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { addItem, addSection, readChecklist, updateItem, updateItems } from '../src/index.ts';

const OWNER = '11111111-1111-4111-8111-000000000002';

function checklistWithItems(count: number) {
  const doc = new Y.Doc();
  const section = addSection(doc, { title: 'Power' });
  const ids = Array.from({ length: count }, (_, i) => addItem(doc, { sectionId: section, title: `Item ${i}` }));
  return { doc, ids };
}

describe('updateItems (bulk edits)', () => {
  it('applies one patch to every named item in a single update', () => {
    const { doc, ids } = checklistWithItems(4);
    let updates = 0;
    doc.on('update', () => updates++);
    updateItems(doc, ids.slice(0, 3), { status: 'blocked', ownerId: OWNER });
    expect(updates).toBe(1);
    const items = readChecklist(doc).sections[0]!.items;
    expect(items.map((item) => item.status)).toEqual(['blocked', 'blocked', 'blocked', 'not_started']);
    expect(items.map((item) => item.ownerId)).toEqual([OWNER, OWNER, OWNER, null]);
  });

  it('changes nothing when the patch is invalid or an id is unknown', () => {
    const { doc, ids } = checklistWithItems(2);
    expect(() => updateItems(doc, ids, { status: 'finished' as never })).toThrow();
    expect(() => updateItems(doc, [ids[0]!, 'missing'], { status: 'done' })).toThrow(/No item/);
    expect(readChecklist(doc).sections[0]!.items.every((item) => item.status === 'not_started')).toBe(true);
  });

  it('merges with a concurrent edit of another field of the same items', () => {
    const a = new Y.Doc();
    const section = addSection(a, { title: 'Leases' });
    const ids = [addItem(a, { sectionId: section, title: 'one' }), addItem(a, { sectionId: section, title: 'two' })];
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    updateItems(a, ids, { status: 'done' });
    updateItem(b, ids[1]!, { risk: 'high' });
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
    for (const doc of [a, b]) {
      expect(readChecklist(doc).sections[0]!.items.map(({ status, risk }) => ({ status, risk }))).toEqual([
        { status: 'done', risk: null },
        { status: 'done', risk: 'high' },
      ]);
    }
  });
});
