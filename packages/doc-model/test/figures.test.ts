import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  ChecklistError,
  addDays,
  addItem,
  addSection,
  checkUpdate,
  figureIssues,
  figureSchema,
  isDueThisWeek,
  isOverdue,
  itemsOf,
  readChecklist,
  rollupFigures,
  setFigure,
  todayIso,
  type Figure,
} from '../src/index.ts';

/** One edit made on a copy of `base`: just that edit's update, as a client would send it. */
function editOf(base: Y.Doc, write: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
  const before = Y.encodeStateVector(doc);
  write(doc);
  return Y.encodeStateAsUpdate(doc, before);
}

function checklistWithItem() {
  const doc = new Y.Doc();
  const section = addSection(doc, { title: 'Power' });
  const item = addItem(doc, { sectionId: section, title: 'Site 1', figures: [{ kind: 'mw', label: 'Contracted MW', value: 300 }] });
  return { doc, item };
}

/** Writes straight into the figures map, as a client that skips the doc model could. */
const rawFigure = (doc: Y.Doc, itemId: string, figure: Figure) =>
  ((itemsOf(doc).get(itemId) as Y.Map<unknown>).get('figures') as Y.Map<Figure>).set(figure.id, figure);

describe('figure values are checked per kind', () => {
  it.each([
    ['mw', -50, /cannot be negative/],
    ['usd', -1, /cannot be negative/],
    ['sqft', -0.5, /cannot be negative/],
    ['years', -3, /cannot be negative/],
    ['percent', 250, /between 0 and 100/],
    ['percent', -1, /cannot be negative/],
  ] as const)('refuses %s %d', (kind, value, message) => {
    const result = figureSchema.safeParse({ id: 'f', kind, label: 'X', value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
    const { doc, item } = checklistWithItem();
    expect(() => setFigure(doc, item, { kind, label: 'X', value })).toThrow(message);
  });

  it('accepts the edges and unknown values', () => {
    for (const [kind, value] of [
      ['mw', 0],
      ['percent', 0],
      ['percent', 100],
      ['percent', 10.1],
      ['usd', null],
    ] as const) {
      expect(figureSchema.safeParse({ id: 'f', kind, label: 'X', value }).success).toBe(true);
    }
  });

  it('refuses a label used twice on one item, whatever its case and spaces, with a clear message', () => {
    const { doc, item } = checklistWithItem();
    expect(() => setFigure(doc, item, { kind: 'mw', label: ' contracted mw ', value: 1 })).toThrow(ChecklistError);
    expect(() => setFigure(doc, item, { kind: 'mw', label: 'Contracted MW', value: 1 })).toThrow(
      'This item already has a figure labelled “Contracted MW”: use another label or change that figure',
    );
    // The same figure (same id) may change its value; another label is fine.
    const id = readChecklist(doc).sections[0]!.items[0]!.figures[0]!.id;
    setFigure(doc, item, { id, kind: 'mw', label: 'Contracted MW', value: 320 });
    setFigure(doc, item, { kind: 'mw', label: 'Deliverable MW', value: 250 });
    expect(readChecklist(doc).sections[0]!.items[0]!.figures.map((f) => f.value)).toEqual([320, 250]);
    const section = readChecklist(doc).sections[0]!.id;
    expect(() =>
      addItem(doc, {
        sectionId: section,
        title: 'Twice',
        figures: [
          { kind: 'mw', label: 'A', value: 1 },
          { kind: 'usd', label: 'a', value: 2 },
        ],
      }),
    ).toThrow(/already has a figure labelled “A”/);
  });
});

describe('the server schema guard agrees', () => {
  it('refuses an update with an out-of-range value or a second figure with the same label', () => {
    const { doc, item } = checklistWithItem();
    expect(
      checkUpdate(
        doc,
        editOf(doc, (copy) => rawFigure(copy, item, { id: 'n', kind: 'mw', label: 'Deliverable', value: -50 })),
      ),
    ).toMatch(/cannot be negative/);
    expect(
      checkUpdate(
        doc,
        editOf(doc, (copy) => rawFigure(copy, item, { id: 'p', kind: 'percent', label: 'Share', value: 250 })),
      ),
    ).toMatch(/between 0 and 100/);
    expect(
      checkUpdate(
        doc,
        editOf(doc, (copy) => rawFigure(copy, item, { id: 'd', kind: 'mw', label: 'contracted mw', value: 5 })),
      ),
    ).toMatch(/already has a figure labelled "contracted mw"/);
    // Two new figures with one label in one update, on a new item: refused too.
    const section = readChecklist(doc).sections[0]!.id;
    const twice = editOf(doc, (copy) => {
      copy.transact(() => {
        const id = addItem(copy, { sectionId: section, title: 'New' });
        rawFigure(copy, id, { id: 'a', kind: 'usd', label: 'Capex', value: 1 });
        rawFigure(copy, id, { id: 'b', kind: 'usd', label: 'CAPEX', value: 2 });
      });
    });
    expect(checkUpdate(doc, twice)).toMatch(/already has a figure labelled "capex"/);
  });

  it('accepts what the doc model writes: new figures, a changed value, a renamed figure', () => {
    const { doc, item } = checklistWithItem();
    const id = readChecklist(doc).sections[0]!.items[0]!.figures[0]!.id;
    expect(
      checkUpdate(
        doc,
        editOf(doc, (copy) => setFigure(copy, item, { kind: 'mw', label: 'Deliverable MW', value: 250 })),
      ),
    ).toBeNull();
    expect(
      checkUpdate(
        doc,
        editOf(doc, (copy) => setFigure(copy, item, { id, kind: 'mw', label: 'Contracted MW', value: 310 })),
      ),
    ).toBeNull();
    expect(
      checkUpdate(
        doc,
        editOf(doc, (copy) => setFigure(copy, item, { id, kind: 'mw', label: 'Contracted (ESA)', value: 310 })),
      ),
    ).toBeNull();
  });
});

describe('readers tolerate old bad data and flag it', () => {
  it('reads out-of-range values and duplicate labels, and leaves them out of roll-ups', () => {
    const { doc, item } = checklistWithItem();
    rawFigure(doc, item, { id: 'neg', kind: 'mw', label: 'Deliverable', value: -50 });
    rawFigure(doc, item, { id: 'dup', kind: 'mw', label: 'contracted mw', value: 300 });
    const figures = readChecklist(doc).sections[0]!.items[0]!.figures;
    expect(figures).toHaveLength(3);
    const issues = figureIssues(figures);
    expect(issues.get('neg')).toMatch(/cannot be negative/);
    expect(issues.get('dup')).toMatch(/used 2 times/);
    const rollups = rollupFigures([{ figures }]);
    expect(rollups).toEqual([
      expect.objectContaining({ label: expect.stringMatching(/^contracted mw$/i), count: 0, total: 0, flagged: 2 }),
      expect.objectContaining({ label: 'Deliverable', count: 0, flagged: 1 }),
    ]);
  });
});

describe('roll-ups say what they add up, from how many items, verified and unverified apart', () => {
  const figure = (id: string, label: string, value: number | null, kind: Figure['kind'] = 'mw'): Figure => ({ id, kind, label, value });

  it('counts figures and items, and splits by verification', () => {
    const rollups = rollupFigures([
      { key: 'a', verified: true, figures: [figure('1', 'Deliverable', 200)] },
      { key: 'b', verified: false, figures: [figure('2', 'Deliverable', 100), figure('3', 'Share', 20, 'percent')] },
      { key: 'c', figures: [figure('4', 'deliverable', 50), figure('5', 'Share', 89, 'percent')] },
      { key: 'd', figures: [figure('6', 'Deliverable', null)] },
    ]);
    expect(rollups[0]).toEqual({
      kind: 'mw',
      unit: 'MW',
      label: 'Deliverable',
      additive: true,
      count: 3,
      items: 3,
      total: 350,
      min: 50,
      max: 200,
      verified: { count: 1, items: 1, total: 200, min: 200, max: 200 },
      unverified: { count: 2, items: 2, total: 150, min: 50, max: 100 },
      flagged: 0,
    });
    expect(rollups[1]).toMatchObject({
      kind: 'percent',
      total: null,
      min: 20,
      max: 89,
      verified: { count: 0, total: null },
      unverified: { count: 2, total: null },
    });
  });

  it('rolls up nothing for figure slots without values', () => {
    expect(rollupFigures([{ figures: [figure('1', 'Deliverable', null)] }])).toEqual([]);
  });
});

describe('today, overdue and due this week (one definition)', () => {
  it('takes today as the calendar day in UTC unless a time zone is given', () => {
    const late = new Date('2026-12-01T23:30:00Z');
    expect(todayIso(late)).toBe('2026-12-01');
    expect(todayIso(late, 'Asia/Tokyo')).toBe('2026-12-02');
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
  });

  it('is overdue when not done and due before today; due this week from today to six days on', () => {
    const today = '2026-12-01';
    expect(isOverdue({ status: 'in_progress', dueDate: '2026-11-30' }, today)).toBe(true);
    expect(isOverdue({ status: 'done', dueDate: '2026-11-30' }, today)).toBe(false);
    expect(isOverdue({ status: 'blocked', dueDate: today }, today)).toBe(false);
    expect(isDueThisWeek({ status: 'blocked', dueDate: today }, today)).toBe(true);
    expect(isDueThisWeek({ status: 'blocked', dueDate: '2026-12-07' }, today)).toBe(true);
    expect(isDueThisWeek({ status: 'blocked', dueDate: '2026-12-08' }, today)).toBe(false);
  });
});
