import { Link } from '@remix-run/react';
import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { formatWhen } from '~/components/history/describe.ts';
import { useLiveRefresh } from '~/utils/live.ts';
import {
  LAST_CHANGE_TICK_MS,
  LastChangesStore,
  lastChangesToRead,
  mergeLastChanges,
  type ActivityNotice,
  type LastChangeData,
} from './last-changes.ts';

const LastChangesContext = createContext<{ store: LastChangesStore; checklistId: string } | null>(null);

/**
 * The loader's last changes, re-read from /checklists/:id/last-changes when a live `activity` event names the
 * checklist (at most once a second). Not a revalidation of the page: a read that fails (offline, a blip) keeps what
 * the page shows, where a failed revalidation would replace the whole checklist with an error.
 * The events name the items whose audit rows were written, and only those are re-read (`?item=`): reading all 2,000
 * items' lines after every edit held the embedded server's event loop, so others' edits reached this page ~100 ms late.
 * Every item is re-read after a gap or an event naming none. Reads run one at a time, in order; the notices of a read
 * that failed are answered by the next one.
 */
export function useLiveLastChanges(checklistId: string, fromLoader: readonly LastChangeData[]): readonly LastChangeData[] {
  const [live, setLive] = useState<{ base: readonly LastChangeData[]; changes: readonly LastChangeData[] } | null>(null);
  const loaderRef = useRef(fromLoader);
  loaderRef.current = fromLoader;
  const queue = useRef<Promise<void>>(Promise.resolve());
  const unanswered = useRef<ActivityNotice[]>([]);
  const refresh = useCallback(
    (events: ActivityNotice[]) => {
      queue.current = queue.current.then(async () => {
        const notices = [...unanswered.current, ...events];
        unanswered.current = [];
        const plan = lastChangesToRead(notices);
        const base = loaderRef.current;
        const query = plan === 'all' ? '' : `?${new URLSearchParams(plan.items.map((id) => ['item', id]))}`;
        try {
          const response = await fetch(`/checklists/${checklistId}/last-changes${query}`, { headers: { Accept: 'application/json' } });
          const body = response.ok ? ((await response.json()) as { lastChanges?: LastChangeData[] }) : null;
          if (!body || !Array.isArray(body.lastChanges)) throw new Error(`last changes not read (${response.status})`);
          const read = body.lastChanges;
          if (plan === 'all') setLive({ base, changes: read });
          else
            setLive((previous) => {
              const latest = loaderRef.current;
              const current = previous && previous.base === latest ? previous.changes : latest;
              return { base: latest, changes: mergeLastChanges(current, plan.items, read) };
            });
        } catch {
          unanswered.current = [...notices, ...unanswered.current];
        }
      });
    },
    [checklistId],
  );
  useLiveRefresh(
    useCallback((event) => event.topic === 'activity' && event.checklistId === checklistId, [checklistId]),
    refresh,
    1_000,
  );
  // A newer loader read (a revalidation for another reason) wins over an older live read.
  return live && live.base === fromLoader ? live.changes : fromLoader;
}

/** Gives the rows below who changed each item last; `changes` is the loader's latest read (see last-changes.ts). */
export function LastChangesProvider({
  checklistId,
  changes,
  children,
}: {
  checklistId: string;
  changes: readonly LastChangeData[];
  children: ReactNode;
}) {
  const [value] = useState(() => ({ store: new LastChangesStore(changes), checklistId }));
  useEffect(() => value.store.set(changes), [value, changes]);
  useEffect(() => {
    const timer = window.setInterval(() => value.store.tick(), LAST_CHANGE_TICK_MS);
    return () => window.clearInterval(timer);
  }, [value]);
  return <LastChangesContext.Provider value={value}>{children}</LastChangesContext.Provider>;
}

const noStore: Pick<LastChangesStore, 'subscribe' | 'label' | 'get'> = { subscribe: () => () => {}, label: () => null, get: () => null };

/**
 * Whether rows show "last changed" lines here (inside a LastChangesProvider). Rows keep the line's space from the
 * start, so the line arriving (a second after an edit) never moves the rows below, under a finger that is dragging.
 */
export function useShowsLastChanges(): boolean {
  return useContext(LastChangesContext) !== null;
}

/** "Last changed by Ana Editor · 5 min ago", a link to the item's activity feed; nothing when nobody changed it yet. */
export function LastChanged({ itemId, itemTitle }: { itemId: string; itemTitle: string }) {
  const context = useContext(LastChangesContext);
  const store = context?.store ?? noStore;
  const label = () => store.label(itemId);
  const text = useSyncExternalStore(store.subscribe, label, label);
  const change = store.get(itemId);
  if (!context || !text || !change) return null;
  return (
    <Link
      to={`/checklists/${context.checklistId}/history?${new URLSearchParams({ item: itemId })}`}
      aria-label={`${text}: activity of ${itemTitle}`}
      title={formatWhen(change.at)}
      data-testid="last-changed"
      className="hover:text-sky-700 hover:underline dark:hover:text-sky-400"
    >
      {text}
    </Link>
  );
}
