import { addItem, addSection, readChecklist } from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  cellText,
  fromTsv,
  parseCell,
  plainDate,
  readGridState,
  sortItems,
  toTsv,
  writeGridState,
  type CellContext,
} from '../app/components/checklist/grid-model.ts';

const erin = { id: '11111111-1111-4111-8111-000000000003', name: 'Érin Alvarez', email: 'erin.editor@tieout.dev' };
const context: CellContext = { memberName: (id) => (id === erin.id ? erin.name : undefined), assignable: [erin], openComments: () => 2 };

function items() {
  const doc = new Y.Doc();
  const one = addSection(doc, { title: 'One' });
  const two = addSection(doc, { title: 'Two' });
  addItem(doc, { sectionId: one, title: 'Zeta', reference: '1.10', dueDate: '2027-01-01' });
  addItem(doc, { sectionId: one, title: 'alpha', reference: '1.9' });
  addItem(doc, { sectionId: two, title: 'Mid', reference: '2.1', dueDate: '2026-12-01', ownerId: erin.id });
  return readChecklist(doc).sections.flatMap((section) => section.items);
}

describe('grid cells', () => {
  it('parses typed and pasted text per column, with plain messages', () => {
    expect(parseCell('status', 'in progress', context)).toEqual({ ok: true, patch: { status: 'in_progress' } });
    expect(parseCell('status', 'Needs review', context)).toEqual({ ok: true, patch: { status: 'needs_review' } });
    expect(parseCell('status', 'finished', context)).toMatchObject({ ok: false, message: expect.stringContaining('is not a status') });
    expect(parseCell('owner', 'erin alvarez', context)).toEqual({ ok: true, patch: { ownerId: erin.id } });
    expect(parseCell('owner', 'ERIN.EDITOR@tieout.dev', context)).toEqual({ ok: true, patch: { ownerId: erin.id } });
    expect(parseCell('owner', '', context)).toEqual({ ok: true, patch: { ownerId: null } });
    expect(parseCell('owner', 'Victor Osei', context)).toMatchObject({ ok: false, message: expect.stringContaining('owners and editors') });
    expect(parseCell('due', '2027-03-31', context)).toEqual({ ok: true, patch: { dueDate: '2027-03-31' } });
    expect(parseCell('due', '31 Mar 2027', context)).toEqual({ ok: true, patch: { dueDate: '2027-03-31' } });
    expect(parseCell('due', '1999-03-31', context)).toMatchObject({ ok: false, message: 'Use a due date between the years 2000 and 2100' });
    expect(parseCell('due', '03/04/2027', context)).toMatchObject({ ok: false });
    expect(parseCell('risk', 'HIGH', context)).toEqual({ ok: true, patch: { risk: 'high' } });
    expect(parseCell('ref', ' 1.2.3 ', context)).toEqual({ ok: true, patch: { reference: '1.2.3' } });
    expect(parseCell('ref', 'x'.repeat(41), context)).toMatchObject({ ok: false, message: 'A reference can be at most 40 characters' });
    expect(parseCell('title', '  ', context)).toMatchObject({ ok: false, message: 'An item needs a title' });
    expect(parseCell('figures', '12', context)).toMatchObject({ ok: false });
    expect(plainDate('Dec 5, 2026')).toBe('2026-12-05');
  });

  it('reads cells as text and round-trips tab-separated text with quotes, tabs and line breaks', () => {
    const [zeta, , mid] = items();
    expect(cellText(mid!, 'owner', context)).toBe(erin.name);
    expect(cellText(zeta!, 'ref', context)).toBe('1.10');
    expect(cellText(zeta!, 'comments', context)).toBe('2');
    const rows = [
      ['plain', 'with\ttab', 'say "hi"'],
      ['two\nlines', '', 'end'],
    ];
    expect(fromTsv(toTsv(rows))).toEqual(rows);
    expect(fromTsv('a\tb\r\nc\td\r\n')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('sorts across sections, references in natural order, empty values last either way', () => {
    const all = items();
    expect(sortItems(all, { column: 'ref', direction: 'asc' }, context).map((item) => item.reference)).toEqual(['1.9', '1.10', '2.1']);
    expect(sortItems(all, { column: 'title', direction: 'asc' }, context).map((item) => item.title)).toEqual(['alpha', 'Mid', 'Zeta']);
    expect(sortItems(all, { column: 'due', direction: 'asc' }, context).map((item) => item.title)).toEqual(['Mid', 'Zeta', 'alpha']);
    expect(sortItems(all, { column: 'due', direction: 'desc' }, context).map((item) => item.title)).toEqual(['Zeta', 'Mid', 'alpha']);
  });

  it('reads, sorts and refuses to edit the "Last change" column from the audit trail (decision 124)', () => {
    const list = items();
    const [zeta, alpha, mid] = list;
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const changes = new Map([
      [zeta!.id, { itemId: zeta!.id, userId: erin.id, userName: erin.name, at: at(5) }],
      [mid!.id, { itemId: mid!.id, userId: null, userName: null, at: at(90) }],
    ]);
    const withChanges: CellContext = { ...context, lastChange: (itemId) => changes.get(itemId) ?? null };
    expect(cellText(zeta!, 'changed', withChanges)).toBe(`Last changed by ${erin.name} · 5 min ago`);
    expect(cellText(mid!, 'changed', withChanges)).toMatch(/^Last changed by the system · /);
    expect(cellText(alpha!, 'changed', withChanges)).toBe('');
    expect(cellText(zeta!, 'changed', context)).toBe('');
    // Oldest first ascending, newest first descending; the never-changed item last both ways.
    expect(sortItems(list, { column: 'changed', direction: 'asc' }, withChanges).map((item) => item.title)).toEqual(['Mid', 'Zeta', 'alpha']);
    expect(sortItems(list, { column: 'changed', direction: 'desc' }, withChanges).map((item) => item.title)).toEqual(['Zeta', 'Mid', 'alpha']);
    expect(parseCell('changed', 'Ana', withChanges)).toMatchObject({ ok: false, message: expect.stringContaining('cannot be typed in the grid') });
  });

  it('keeps sort, filters and grouping in the URL', () => {
    const state = readGridState(new URLSearchParams('sort=due&dir=desc&status=blocked&owner=unassigned&q=ppa&group=none&risk=bogus'));
    expect(state).toMatchObject({
      sort: { column: 'due', direction: 'desc' },
      grouped: false,
      filter: { status: 'blocked', owner: 'unassigned', query: 'ppa', risk: '' },
    });
    const params = writeGridState(state, new URLSearchParams('other=1'));
    expect(readGridState(params)).toEqual(state);
    expect(params.get('other')).toBe('1');
    expect(readGridState(new URLSearchParams('sort=nope')).sort).toBeNull();
  });
});
