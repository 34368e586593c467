import { describe, expect, it } from 'vitest';
import { LAST_CHANGES_MAX_ITEMS } from '@tieout/db/audit-limits';
import {
  lastChangeLabel,
  lastChangesToRead,
  LastChangesStore,
  mergeLastChanges,
  type LastChangeData,
} from '../app/components/checklist/last-changes.ts';

const at = '2026-12-01T10:00:00.000Z';
const t0 = Date.parse(at);
const ana = (itemId: string, when = at): LastChangeData => ({
  itemId,
  userId: '00000000-0000-4000-8000-00000000000a',
  userName: 'Ana Editor',
  at: when,
});

describe('last changes of the items', () => {
  it('names the person and says how long ago, as the activity feed does', () => {
    expect(lastChangeLabel(ana('a'), t0 + 10_000)).toBe('Last changed by Ana Editor · just now');
    expect(lastChangeLabel(ana('a'), t0 + 5 * 60_000)).toBe('Last changed by Ana Editor · 5 min ago');
    expect(lastChangeLabel({ ...ana('a'), userName: null }, t0 + 3 * 3_600_000)).toBe('Last changed by a former member · 3 h ago');
    expect(lastChangeLabel({ ...ana('a'), userId: null, userName: null }, t0)).toBe('Last changed by the system · just now');
  });

  it('tells listeners only of a real change, and keeps unchanged entries as the same objects', () => {
    const store = new LastChangesStore([ana('a'), ana('b')], t0);
    const first = store.get('a');
    let heard = 0;
    store.subscribe(() => (heard += 1));
    store.set([ana('a'), ana('b')]);
    expect(heard).toBe(0);
    expect(store.get('a')).toBe(first);

    store.set([ana('a'), { ...ana('b', '2026-12-01T10:01:00.000Z'), userName: 'Bo Owner' }]);
    expect(heard).toBe(1);
    expect(store.get('a')).toBe(first);
    expect(store.label('b')).toBe('Last changed by Bo Owner · just now');

    // An entry that went away (its rows are only in another checklist now, say) is a change too.
    store.set([ana('a')]);
    expect(heard).toBe(2);
    expect(store.label('b')).toBeNull();
    expect(store.label('never-changed')).toBeNull();
  });

  it('moves the clock on, so a line that said "just now" says "2 min ago" later without a new read', () => {
    const store = new LastChangesStore([ana('a')], t0 + 5_000);
    const labels: (string | null)[] = [];
    store.subscribe(() => labels.push(store.label('a')));
    expect(store.label('a')).toBe('Last changed by Ana Editor · just now');
    store.tick(t0 + 2 * 60_000);
    store.tick(t0 + 2 * 60_000);
    expect(labels).toEqual(['Last changed by Ana Editor · 2 min ago']);
  });

  it('re-reads only the items the live notices name, and every item after a gap or a notice naming none', () => {
    const notice = (...itemIds: string[]) => ({ topic: 'activity', checklistId: 'c', itemIds });
    expect(lastChangesToRead([notice('b', 'a'), notice('a', 'c')])).toEqual({ items: ['a', 'b', 'c'] });
    expect(lastChangesToRead([notice('a'), null])).toBe('all');
    expect(lastChangesToRead([notice('a'), { topic: 'activity', checklistId: 'c' }])).toBe('all');
    expect(lastChangesToRead([notice()])).toBe('all');
    expect(lastChangesToRead([{ topic: 'activity', itemIds: 'a' }])).toBe('all');
    expect(lastChangesToRead([{ topic: 'activity', itemIds: [7] }])).toBe('all');
    expect(lastChangesToRead([notice('x'.repeat(65))])).toBe('all');
    expect(lastChangesToRead([])).toBe('all');
    const many = Array.from({ length: LAST_CHANGES_MAX_ITEMS + 1 }, (_, n) => `i${n}`);
    expect(lastChangesToRead([notice(...many.slice(0, 50)), notice(...many.slice(50))])).toBe('all');
    expect(lastChangesToRead([notice(...many.slice(1))])).toEqual({ items: many.slice(1).sort() });
  });

  it('merges a read of some items into the list: theirs replaced or dropped, every other entry the same object', () => {
    const a = ana('a');
    const b = ana('b');
    const c = ana('c');
    const newerB = { ...ana('b', '2026-12-01T10:05:00.000Z'), userName: 'Bo Owner' };
    const d = ana('d');
    // b changed, c lost its rows (absent from the read), d is new; an entry the read was not asked about is ignored.
    const merged = mergeLastChanges([a, b, c], ['b', 'c', 'd'], [newerB, d, ana('z')]);
    expect(merged).toEqual([a, newerB, d]);
    expect(merged[0]).toBe(a);
    expect(mergeLastChanges([a, b], [], [])).toEqual([a, b]);
  });
});
