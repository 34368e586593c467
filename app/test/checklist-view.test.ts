import { addItem, addSection, readChecklist, updateItem, type ChecklistView } from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { NO_FILTER, stabilizeView, visibleSections, type ItemFilter, type SortKey } from '../app/components/checklist/view.ts';

const OWNER_A = '11111111-1111-4111-8111-000000000002';
const OWNER_B = '11111111-1111-4111-8111-000000000003';

function sample() {
  const doc = new Y.Doc();
  const s1 = addSection(doc, { title: 'Power' });
  const s2 = addSection(doc, { title: 'Leases' });
  const ids = {
    a: addItem(doc, { sectionId: s1, title: 'Alpha', risk: 'low', dueDate: '2020-01-01' }),
    b: addItem(doc, { sectionId: s1, title: 'Bravo', status: 'blocked', ownerId: OWNER_B }),
    c: addItem(doc, { sectionId: s1, title: 'Charlie', risk: 'critical', ownerId: OWNER_A, notes: ['Landlord consent needed'] }),
    d: addItem(doc, { sectionId: s2, title: 'Delta', status: 'done', dueDate: '2020-01-01' }),
  };
  return { doc, ids };
}

const names = new Map([
  [OWNER_A, 'Eddie'],
  [OWNER_B, 'Anna'],
]);

function titles(view: ChecklistView, filter: Partial<ItemFilter> = {}, sort: SortKey = 'manual', doc?: Y.Doc) {
  return visibleSections(view, { ...NO_FILTER, ...filter }, sort, {
    today: '2026-11-22',
    notesText: (id) => (doc ? readNotes(doc, id) : ''),
    ownerName: (id) => names.get(id) ?? '',
  }).map(({ section, items }) => [section.title, items.map((item) => item.title)]);
}

function readNotes(doc: Y.Doc, id: string) {
  return (doc.getMap<Y.Map<unknown>>('items').get(id)!.get('notes') as Y.XmlFragment).toString().replace(/<[^>]+>/g, '');
}

describe('visibleSections', () => {
  it('shows everything in checklist order without filters', () => {
    const { doc } = sample();
    expect(titles(readChecklist(doc))).toEqual([
      ['Power', ['Alpha', 'Bravo', 'Charlie']],
      ['Leases', ['Delta']],
    ]);
  });
  it('filters by status, owner (including unassigned), risk, overdue and text (titles and notes), hiding empty sections', () => {
    const { doc } = sample();
    const view = readChecklist(doc);
    expect(titles(view, { status: 'blocked' })).toEqual([['Power', ['Bravo']]]);
    expect(titles(view, { owner: OWNER_A })).toEqual([['Power', ['Charlie']]]);
    expect(titles(view, { owner: 'unassigned' })).toEqual([
      ['Power', ['Alpha']],
      ['Leases', ['Delta']],
    ]);
    expect(titles(view, { risk: 'critical' })).toEqual([['Power', ['Charlie']]]);
    expect(titles(view, { overdueOnly: true })).toEqual([['Power', ['Alpha']]]); // Delta is done
    expect(titles(view, { query: '  brav ' })).toEqual([['Power', ['Bravo']]]);
    expect(titles(view, { query: 'landlord' }, 'manual', doc)).toEqual([['Power', ['Charlie']]]);
    expect(titles(view, { query: 'nothing' })).toEqual([]);
  });
  it('sorts within sections by risk (highest first), status, due date and owner name, unset last', () => {
    const { doc } = sample();
    const view = readChecklist(doc);
    expect(titles(view, {}, 'risk')[0]).toEqual(['Power', ['Charlie', 'Alpha', 'Bravo']]);
    expect(titles(view, {}, 'status')[0]).toEqual(['Power', ['Alpha', 'Charlie', 'Bravo']]);
    expect(titles(view, {}, 'due')[0]).toEqual(['Power', ['Alpha', 'Bravo', 'Charlie']]);
    expect(titles(view, {}, 'owner')[0]).toEqual(['Power', ['Bravo', 'Charlie', 'Alpha']]);
  });
});

describe('stabilizeView', () => {
  it('keeps unchanged items and sections as the same objects, so only the changed row re-renders', () => {
    const { doc, ids } = sample();
    const first = readChecklist(doc);
    updateItem(doc, ids.b, { status: 'done' });
    const next = stabilizeView(first, readChecklist(doc));
    const [power, leases] = next.sections;
    expect(power!.items[0]).toBe(first.sections[0]!.items[0]);
    expect(power!.items[1]).not.toBe(first.sections[0]!.items[1]);
    expect(power!.items[1]!.status).toBe('done');
    expect(power!.items[2]).toBe(first.sections[0]!.items[2]);
    expect(leases).toBe(first.sections[1]);
  });
  it('returns the previous view itself when nothing visible changed', () => {
    const { doc } = sample();
    const first = readChecklist(doc);
    expect(stabilizeView(first, readChecklist(doc))).toBe(first);
  });
});
