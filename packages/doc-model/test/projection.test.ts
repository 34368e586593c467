import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { addItem, addSection, projectItems, readChecklist, rollupFigures, setFigure, summarizeProgress, updateItem } from '../src/index.ts';

describe('projection and roll-ups', () => {
  it('projects items in document order and rolls up figures by kind', () => {
    const doc = new Y.Doc();
    const power = addSection(doc, { title: 'Power' });
    const leases = addSection(doc, { title: 'Leases' });
    const site1 = addItem(doc, { sectionId: power, title: 'Site 1 deliverable MW' });
    const site2 = addItem(doc, { sectionId: power, title: 'Site 2 deliverable MW' });
    const lease = addItem(doc, { sectionId: leases, title: 'Lease obligations' });
    setFigure(doc, site1, { kind: 'mw', label: 'Deliverable', value: 250 });
    setFigure(doc, site2, { kind: 'mw', label: 'Deliverable', value: 120.5 });
    setFigure(doc, site2, { kind: 'percent', label: 'Reusable share', value: 20 });
    setFigure(doc, lease, { kind: 'usd', label: 'Obligations assumed', value: 10_000_000_000 });
    setFigure(doc, lease, { kind: 'percent', label: 'Debt cost', value: 10.1 });
    setFigure(doc, lease, { kind: 'years', label: 'Remaining term', value: null });

    const rows = projectItems(readChecklist(doc));
    expect(rows.map((row) => row.title)).toEqual(['Site 1 deliverable MW', 'Site 2 deliverable MW', 'Lease obligations']);
    expect(rows[2]).toMatchObject({ sectionTitle: 'Leases', status: 'not_started' });
    const sorted = [...rows].sort((a, b) => (a.position < b.position ? -1 : 1));
    expect(sorted.map((row) => row.itemId)).toEqual(rows.map((row) => row.itemId));

    const rollup = Object.fromEntries(rollupFigures(rows).map((entry) => [entry.kind, entry]));
    expect(rollup.mw).toEqual({ kind: 'mw', unit: 'MW', total: 370.5, count: 2 });
    expect(rollup.usd?.total).toBe(10_000_000_000);
    expect(rollup.percent?.total).toBeCloseTo(15.05);
    expect(rollup.years).toBeUndefined();
  });

  it('counts done, blocked, needs review and overdue', () => {
    const doc = new Y.Doc();
    const section = addSection(doc, { title: 'S' });
    const ids = [0, 1, 2, 3].map((n) => addItem(doc, { sectionId: section, title: `item ${n}` }));
    updateItem(doc, ids[0]!, { status: 'done', dueDate: '2026-01-01' });
    updateItem(doc, ids[1]!, { status: 'blocked', dueDate: '2026-11-01' });
    updateItem(doc, ids[2]!, { status: 'needs_review', dueDate: '2026-12-01' });
    const items = readChecklist(doc).sections[0]!.items;
    expect(summarizeProgress(items, '2026-11-22')).toEqual({ total: 4, done: 1, blocked: 1, needsReview: 1, overdue: 1 });
  });
});
