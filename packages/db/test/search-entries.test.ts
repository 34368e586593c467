import { addItem, addSection, sectionsOf, setFigure, updateItem } from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { checklistSearchEntries, type ChecklistSearchEntry } from '../src/search.ts';

/*
 * The search index extension asks for the changed items' entries only (docs/decisions/175): they must be exactly the
 * entries the whole-checklist reading gives for those items, including none for an item whose section is gone.
 */

const sorted = (entries: ChecklistSearchEntry[]) => [...entries].sort((a, b) => `${a.kind}:${a.sourceId}`.localeCompare(`${b.kind}:${b.sourceId}`));

describe('checklistSearchEntries for some items', () => {
  it('gives the same entries for the named items as the whole checklist, and none for unknown or orphaned items', () => {
    const doc = new Y.Doc();
    const power = addSection(doc, { title: 'Power' });
    const gone = addSection(doc, { title: 'Retired' });
    const capacity = addItem(doc, { sectionId: power, title: 'Substation capacity', notes: ['Upgrade due Q3; 1.3 GW contracted.'] });
    setFigure(doc, capacity, { label: 'Contracted capacity', kind: 'mw', value: 1300 });
    const permit = addItem(doc, { sectionId: power, title: 'Interconnection permit' });
    updateItem(doc, permit, { reference: 'DD-7' });
    const orphan = addItem(doc, { sectionId: gone, title: 'Old mining lease' });
    // The section goes while its item stays (what a concurrent delete and move can leave): readChecklist hides the item.
    sectionsOf(doc).delete(gone);
    const untouched = addItem(doc, { sectionId: power, title: 'Cooling retrofit' });

    const all = checklistSearchEntries(doc);
    const wanted = new Set([capacity, permit, orphan, 'no-such-item']);
    const some = checklistSearchEntries(doc, wanted);
    expect(sorted(some)).toEqual(sorted(all.filter((entry) => wanted.has(entry.itemId))));
    expect(some.map((entry) => entry.itemId)).not.toContain(orphan);
    expect(some.map((entry) => entry.itemId)).not.toContain(untouched);
    expect(some.map((entry) => entry.kind).sort()).toEqual(['figure', 'item', 'item', 'note']);
    expect(some.find((entry) => entry.itemId === permit)?.title).toBe('DD-7 Interconnection permit');
    expect(checklistSearchEntries(doc, new Set())).toEqual([]);
  });
});
