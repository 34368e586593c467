/*
 * "Last changed by … · 5 min ago" on each item of the checklist page: who changed each item last, from the audit
 * trail (lastItemChanges in @tieout/db, read by the page's loader and re-read when a live `activity` event names
 * this checklist), and a clock that ticks so the relative times stay true while the page stays open.
 *
 * Rows read it with useSyncExternalStore, one item each: a new list re-renders only the rows whose own last change
 * is new, and a tick re-renders only the lines whose wording changes ("just now" → "1 min ago"), never every row.
 */
import { LAST_CHANGES_MAX_ITEMS } from '@tieout/db/audit-limits';
import { timeAgo } from '~/components/history/describe.ts';

export interface LastChangeData {
  itemId: string;
  userId: string | null;
  userName: string | null;
  /** ISO time of the change. */
  at: string;
}

/** A live notice as the last-changes reader sees it: `itemIds` when the audit writer named the items, null after a gap. */
export type ActivityNotice = Readonly<Record<string, unknown>> | null;

/**
 * What to re-read after these notices: only the items they name, or every item (after a gap, a notice that names
 * none because its write touched many, or more items together than one read may name).
 */
export function lastChangesToRead(notices: readonly ActivityNotice[]): { items: string[] } | 'all' {
  const items = new Set<string>();
  for (const notice of notices) {
    if (notice === null || !Array.isArray(notice.itemIds) || notice.itemIds.length === 0) return 'all';
    for (const id of notice.itemIds) {
      if (typeof id !== 'string' || id.length === 0 || id.length > 64) return 'all';
      items.add(id);
    }
  }
  if (items.size === 0 || items.size > LAST_CHANGES_MAX_ITEMS) return 'all';
  return { items: [...items].sort() };
}

/**
 * The list after a read of some items (`items`, the ids asked for): their entries as read replace theirs (an item the
 * read did not find loses its entry), every other entry is kept as it was.
 */
export function mergeLastChanges(current: readonly LastChangeData[], items: readonly string[], read: readonly LastChangeData[]): LastChangeData[] {
  const asked = new Set(items);
  const found = new Map(read.filter((change) => asked.has(change.itemId)).map((change) => [change.itemId, change]));
  const merged: LastChangeData[] = [];
  for (const change of current) {
    if (!asked.has(change.itemId)) merged.push(change);
    else if (found.has(change.itemId)) {
      merged.push(found.get(change.itemId)!);
      found.delete(change.itemId);
    }
  }
  return [...merged, ...found.values()];
}

/** How often the relative times are brought up to date. */
export const LAST_CHANGE_TICK_MS = 30_000;

const same = (a: LastChangeData, b: LastChangeData) => a.at === b.at && a.userId === b.userId && a.userName === b.userName;

export class LastChangesStore {
  private byItem = new Map<string, LastChangeData>();
  private readonly listeners = new Set<() => void>();
  private now: number;

  constructor(changes: readonly LastChangeData[] = [], now: number = Date.now()) {
    this.now = now;
    this.set(changes);
  }

  /** Takes a newly read list; entries that did not change stay the same objects, and listeners hear only of a change. */
  set(changes: readonly LastChangeData[]): void {
    const next = new Map<string, LastChangeData>();
    let changed = false;
    for (const change of changes) {
      const previous = this.byItem.get(change.itemId);
      const kept = previous && same(previous, change) ? previous : change;
      if (kept !== previous) changed = true;
      next.set(change.itemId, kept);
    }
    if (next.size !== this.byItem.size) changed = true;
    this.byItem = next;
    if (changed) this.notify();
  }

  /** Moves the clock on (every LAST_CHANGE_TICK_MS on the page). */
  tick(now: number = Date.now()): void {
    if (now === this.now) return;
    this.now = now;
    this.notify();
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get(itemId: string): LastChangeData | null {
    return this.byItem.get(itemId) ?? null;
  }

  /** The line an item shows, or null when the audit trail has nothing about it (yet). A stable string between changes. */
  label(itemId: string): string | null {
    const change = this.byItem.get(itemId);
    return change ? lastChangeLabel(change, this.now) : null;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** "Last changed by Ana Editor · 5 min ago" (as the activity feed names people: a former member, or the system). */
export function lastChangeLabel(change: LastChangeData, now: number): string {
  const who = change.userName ?? (change.userId ? 'a former member' : 'the system');
  return `Last changed by ${who} · ${timeAgo(change.at, now)}`;
}
