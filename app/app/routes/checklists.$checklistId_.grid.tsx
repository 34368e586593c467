/*
 * The checklist as a grid (see components/checklist/checklist-grid.tsx for its keys and names). Sort, filters and
 * grouping live in the URL (?sort=due&dir=asc&status=blocked&owner=<id>&risk=high&overdue=1&q=text&group=none).
 */
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import type { ShouldRevalidateFunction } from '@remix-run/react';
import { data } from '@remix-run/node';
import { Link, useLoaderData, useLocation, useSearchParams } from '@remix-run/react';
import { lastItemChanges, listChecklistThreads } from '@tieout/db';
import { ITEM_STATUSES, needsUpgrade, problemMessage, RISK_LEVELS, STATUS_LABELS, todayIso, upgradeDocument } from '@tieout/doc-model';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ArchivedNote } from '~/components/checklist/archived-note.tsx';
import { ChecklistGrid } from '~/components/checklist/checklist-grid.tsx';
import { LastChangesProvider, useLiveLastChanges } from '~/components/checklist/last-changed.tsx';
import { readGridState, writeGridState, type CellContext, type GridViewState } from '~/components/checklist/grid-model.ts';
import { RISK_LABELS, textControlClass } from '~/components/checklist/labels.ts';
import { ConnectionIndicator, PresenceList } from '~/components/checklist/presence.tsx';
import { useChecklistConnection } from '~/components/checklist/use-checklist-connection.ts';
import { NO_FILTER, visibleSections, type ItemFilter } from '~/components/checklist/view.ts';
import { loadChecklistPage, pageHeaders } from '~/utils/checklist-page.server.ts';
import { useLiveRevalidation } from '~/utils/live.ts';
import { useKeptOffline } from '~/utils/offline.ts';

/** The grid's columns are wider than the reading width of other pages: the root layout gives it the window (up to 100rem). */
export const handle = { layout: 'wide' };

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `${loaderData.checklist.title} (grid) · ${loaderData.checklist.deal.name} · Tieout` : 'Checklist grid · Tieout' },
];

export async function loader(args: LoaderFunctionArgs) {
  const { session, page } = await loadChecklistPage(args);
  // Open comment threads per item (not resolved, not deleted), as the signed-in person may read them.
  // "Last changed by … · 5 min ago" per row, as the list view shows it (decision 124); re-read on `activity` events (below).
  const [threads, lastChanges] = await Promise.all([
    listChecklistThreads(args.context.db, session.claims, page.checklist.id),
    lastItemChanges(args.context.db, session.claims, page.checklist.id),
  ]);
  const openComments: Record<string, number> = {};
  for (const thread of threads) {
    if (thread.resolvedAt === null && thread.deletedAt === null) openComments[thread.itemId] = (openComments[thread.itemId] ?? 0) + 1;
  }
  return data({ ...page, openComments, lastChanges: [...lastChanges.values()] }, { headers: pageHeaders(session.headers) });
}

const selectClass = `${textControlClass} h-8`;

/** Sorting and filtering only change the URL's query: nothing to load again for that. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }) =>
  formMethod === undefined && currentUrl.pathname === nextUrl.pathname && currentUrl.search !== nextUrl.search ? false : defaultShouldRevalidate;

export default function ChecklistGridPage() {
  const loaderData = useLoaderData<typeof loader>();
  const { checklist, me } = loaderData;
  const { live, sessionEnded } = useChecklistConnection({
    checklistId: checklist.id,
    collabUrl: loaderData.collabUrl,
    token: loaderData.token,
    tokenExpiresAt: loaderData.tokenExpiresAt,
    me,
  });
  const location = useLocation();
  const keptOffline = useKeptOffline(`${location.pathname}${location.search}`);
  useLiveRevalidation(useCallback((event) => event.topic === 'comments' && event.checklistId === checklist.id, [checklist.id]));

  // The view state is the URL's; it is held here too so a change shows at once, before the URL has caught up.
  const [params, setParams] = useSearchParams();
  const [state, setLocalState] = useState(() => readGridState(params));
  const setState = (next: GridViewState) => {
    setLocalState(next);
    setParams(writeGridState(next, params), { replace: true, preventScrollReset: true });
  };
  const [query, setQuery] = useState(state.filter.query);
  useEffect(() => setQuery(state.filter.query), [state.filter.query]);
  const setFilter = (patch: Partial<ItemFilter>) => setState({ ...state, filter: { ...state.filter, ...patch } });

  const [message, setMessage] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const editable = loaderData.canEdit && live !== null;
  const synced = live?.synced ?? false;
  useEffect(() => {
    if (synced && editable && live && needsUpgrade(live.doc)) upgradeDocument(live.doc);
  }, [synced, editable, live?.doc]); // eslint-disable-line react-hooks/exhaustive-deps

  const members = loaderData.members;
  const memberNames = useMemo(() => new Map(members.map((member) => [member.id, member.name])), [members]);
  const assignable = useMemo(() => members.filter((member) => member.canOwnItems), [members]);
  const openComments = loaderData.openComments;
  const lastChanges = useLiveLastChanges(checklist.id, loaderData.lastChanges);
  const lastChangeOf = useMemo(() => new Map(lastChanges.map((change) => [change.itemId, change])), [lastChanges]);
  const context = useMemo<CellContext>(
    () => ({
      memberName: (id) => memberNames.get(id),
      assignable,
      openComments: (itemId) => openComments[itemId] ?? 0,
      lastChange: (itemId) => lastChangeOf.get(itemId) ?? null,
    }),
    [memberNames, assignable, openComments, lastChangeOf],
  );
  const today = useMemo(() => todayIso(), []);
  const view = live?.view ?? null;
  const sections = useMemo(
    () =>
      view && live
        ? visibleSections(view, state.filter, 'manual', {
            today,
            notesText: () => '',
            ownerName: (id) => memberNames.get(id) ?? '',
          })
        : [],
    [view, live, state.filter, today, memberNames],
  );
  const shown = sections.reduce((sum, entry) => sum + entry.items.length, 0);
  const total = view?.sections.reduce((sum, section) => sum + section.items.length, 0) ?? 0;

  const edit = useCallback(
    (change: () => void) => {
      if (!editable) {
        setMessage('Your role can follow this checklist but not change it.');
        return false;
      }
      try {
        change();
        return true;
      } catch (failure) {
        setMessage(problemMessage(failure));
        return false;
      }
    },
    [editable],
  );

  return (
    <div className="space-y-3">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500 dark:text-slate-400">
        <ol className="flex flex-wrap gap-1">
          <li>
            <Link to="/" className="hover:underline">
              Deals
            </Link>
            <span aria-hidden="true"> / </span>
          </li>
          <li>
            <Link to={`/deals/${checklist.deal.id}`} className="hover:underline">
              {checklist.deal.name}
            </Link>
            <span aria-hidden="true"> / </span>
          </li>
          <li aria-current="page">{checklist.workstream.name}</li>
        </ol>
      </nav>
      <ArchivedNote archived={checklist.archived} workspaceId={checklist.workspaceId} />
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight">{checklist.title}</h1>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            <Link to={`/checklists/${checklist.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
              List view
            </Link>
            <span aria-hidden="true"> · </span>
            <span>Grid view</span>
            <span aria-hidden="true"> · </span>
            <a href={`/checklists/${checklist.id}/items.csv`} download className="font-medium text-sky-700 hover:underline dark:text-sky-400">
              Export CSV
            </a>
            {!loaderData.canEdit ? <span>: you can follow along, but not change anything.</span> : null}
          </p>
        </div>
        <div className="flex flex-col items-end gap-2">
          <ConnectionIndicator
            state={sessionEnded ? 'refused' : (live?.connection ?? 'connecting')}
            detail={sessionEnded ? 'your session has ended' : (live?.refusal ?? null)}
            keptOffline={keptOffline}
          />
          <PresenceList people={live?.people ?? []} selfId={me.id} />
        </div>
      </header>

      <search aria-label="Find items" className="flex flex-wrap items-center gap-2 text-sm">
        <input
          type="search"
          aria-label="Search items"
          placeholder="Search titles and references"
          value={query}
          maxLength={200}
          onChange={(event) => {
            setQuery(event.target.value);
            setFilter({ query: event.target.value });
          }}
          className={`${textControlClass} h-8 w-56`}
        />
        <select
          aria-label="Filter by status"
          value={state.filter.status}
          onChange={(event) => setFilter({ status: event.target.value as ItemFilter['status'] })}
          className={selectClass}
        >
          <option value="">Any status</option>
          {ITEM_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
        <select
          aria-label="Filter by owner"
          value={state.filter.owner}
          onChange={(event) => setFilter({ owner: event.target.value })}
          className={selectClass}
        >
          <option value="">Anyone</option>
          <option value="unassigned">Unassigned</option>
          {members.map((member) => (
            <option key={member.id} value={member.id}>
              {member.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Filter by risk"
          value={state.filter.risk}
          onChange={(event) => setFilter({ risk: event.target.value as ItemFilter['risk'] })}
          className={selectClass}
        >
          <option value="">Any risk</option>
          {RISK_LEVELS.map((risk) => (
            <option key={risk} value={risk}>
              {RISK_LABELS[risk]}
            </option>
          ))}
        </select>
        <label className="flex items-center gap-1.5">
          <input
            type="checkbox"
            aria-label="Overdue only"
            checked={state.filter.overdueOnly}
            onChange={(event) => setFilter({ overdueOnly: event.target.checked })}
            className="h-4 w-4 accent-sky-600"
          />
          Overdue only
        </label>
        <label className="flex items-center gap-1.5">
          <input
            type="checkbox"
            aria-label="Group by section"
            checked={state.grouped}
            onChange={(event) => setState({ ...state, grouped: event.target.checked })}
            className="h-4 w-4 accent-sky-600"
          />
          Group by section
        </label>
        {state.filter !== NO_FILTER &&
        (state.filter.status || state.filter.owner || state.filter.risk || state.filter.overdueOnly || state.filter.query) ? (
          <button
            type="button"
            onClick={() => setState({ ...state, filter: NO_FILTER })}
            className="text-xs font-medium text-sky-700 hover:underline dark:text-sky-400"
          >
            Clear filters
          </button>
        ) : null}
        <p role="status" aria-label="Items shown" className="ml-auto text-xs tabular-nums text-slate-500 dark:text-slate-400">
          {shown === total ? `${total} items` : `${shown} of ${total} items`}
        </p>
      </search>

      <div aria-live="polite" className="min-h-0">
        {message ? (
          <p
            role="alert"
            className="flex items-start justify-between gap-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100"
          >
            {message}
            <button type="button" onClick={() => setMessage(null)} className="shrink-0 text-xs font-medium underline">
              Dismiss
            </button>
          </p>
        ) : null}
      </div>
      <p aria-live="polite" className="sr-only">
        {announcement}
      </p>

      {!live || (!live.loaded && live.view.sections.length === 0) ? (
        <p className="text-sm text-slate-500" role="status">
          {live?.connection === 'offline' || live?.connection === 'refused' ? 'The checklist could not be loaded yet.' : 'Loading the checklist…'}
        </p>
      ) : (
        <LastChangesProvider checklistId={checklist.id} changes={lastChanges}>
          <ChecklistGrid
            doc={live.doc}
            sections={sections}
            grouped={state.grouped}
            sort={state.sort}
            onSort={(sort) => setState({ ...state, sort })}
            editable={editable}
            context={context}
            edit={edit}
            onMessage={setMessage}
            announce={setAnnouncement}
          />
        </LastChangesProvider>
      )}
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Arrow keys move, Enter or typing edits, Escape cancels, Tab moves on; Shift and arrows select; Ctrl+C and Ctrl+V copy and paste cells (to and
        from a spreadsheet); Ctrl+D fills down.
      </p>
    </div>
  );
}
