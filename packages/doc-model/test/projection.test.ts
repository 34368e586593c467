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

    const rollups = rollupFigures(rows);
    expect(rollups.map((entry) => [entry.kind, entry.label])).toEqual([
      ['mw', 'Deliverable'],
      ['usd', 'Obligations assumed'],
      ['percent', 'Debt cost'],
      ['percent', 'Reusable share'],
    ]);
    expect(rollups[0]).toMatchObject({ kind: 'mw', unit: 'MW', label: 'Deliverable', count: 2, items: 2, total: 370.5, min: 120.5, max: 250 });
    expect(rollups[1]!.total).toBe(10_000_000_000);
    // shares are never summed or averaged across different things
    expect(rollups[2]).toMatchObject({ total: null, min: 10.1, max: 10.1, count: 1 });
  });

  it('keeps figures with different labels apart and groups the same label regardless of case', () => {
    const figure = (kind: 'mw' | 'years', label: string, value: number) => ({ id: label + value, kind, label, value });
    const rollups = rollupFigures([
      { figures: [figure('mw', 'Contracted', 300), figure('mw', 'Deliverable', 200)] },
      { figures: [figure('mw', 'contracted ', 100), figure('years', 'Remaining term', 7)] },
      { figures: [figure('years', 'Remaining term', 12)] },
    ]);
    expect(rollups.map(({ kind, unit, label, count, total, min, max }) => ({ kind, unit, label, count, total, min, max }))).toEqual([
      { kind: 'mw', unit: 'MW', label: 'Contracted', count: 2, total: 400, min: 100, max: 300 },
      { kind: 'mw', unit: 'MW', label: 'Deliverable', count: 1, total: 200, min: 200, max: 200 },
      { kind: 'years', unit: 'years', label: 'Remaining term', count: 2, total: null, min: 7, max: 12 },
    ]);
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
