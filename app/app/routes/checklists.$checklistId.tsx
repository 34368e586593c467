/*
 * The live checklist. Accessible names (used by screen readers and by Playwright's getByRole / getByLabel):
 *   combobox "Status of <item title>"     combobox "Owner of <item title>"     combobox "Risk of <item title>"
 *   textbox  "Title of <item title>"      "Due date of <item title>" (a date input: use getByLabel)
 *   checkbox "Select <item title>"        button "Drag <item title>" (drag handle; Alt+ArrowUp/Down moves)
 *   button   "Notes for <item title>"  (aria-expanded)  → textbox "Notes of <item title>" (the Tiptap editor),
 *            toolbar "Formatting for <item title>", region "Figures of <item title>", region "Evidence for <item title>"
 *            (figures: textbox "<label> (<unit>) of <item title>", button "Remove figure <label> from <item title>",
 *             combobox "New figure kind for …", textboxes "New figure label for …" / "New figure value for …",
 *             button "Add figure to …"; evidence: textbox "Evidence link for …", "Evidence label for …",
 *             button "Add evidence to …", button "Remove evidence <label or host> from …")
 *   button   "Move <item title> up" / "Move <item title> down" / "Delete <item title>" (asks to confirm: dialog)
 *   list     "People on <item title>" (others whose focus is on that item)
 *   textbox  "New item in <section title>" + button "Add item to <section title>"
 *   region   "<section title>" (each section; heading level 2) with buttons "Rename section <title>",
 *            "Move section <title> up|down", "Delete section <title>", "Drag section <title>",
 *            list "Totals for <section title>" (figure roll-ups)
 *   textbox  "New section" + button "Add section";  list "Checklist totals"
 *   search   "Find items": searchbox "Search items", comboboxes "Filter by status|owner|risk", checkbox
 *            "Overdue only", combobox "Sort items", status "Items shown"
 *   group    "Bulk edit" (when items are selected): comboboxes "Set status of selected items",
 *            "Set owner of selected items", button "Clear selection"; checkbox "Select all shown items"
 *   status   "Connection" (text: Connected / Connecting… / Reconnecting… / Offline / Disconnected by the server)
 *   list     "People here" (one listitem per person present, "(you)" marks yourself)
 * Item titles in names are the titles as in the document (they change live as someone types); a title field
 * keeps the name it had when it got focus until it loses it. Carets of others in a title: data-testid "remote-carets".
 * Reviewers and viewers get the same controls, disabled, and see every change live; view controls
 * (expand, search, filter, sort) stay enabled.
 */
import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Link, useLoaderData, useLocation } from '@remix-run/react';
import {
  addSection,
  deleteItem,
  itemFingerprintIn,
  itemNotesText,
  moveItem,
  needsUpgrade,
  problemMessage,
  rollupFigures,
  sectionTitleSchema,
  summarizeProgress,
  TITLE_MAX_LENGTH,
  updateItems,
  upgradeDocument,
  type ItemPatch,
} from '@tieout/doc-model';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { z } from 'zod';
import { ActionsContext } from '~/components/checklist/actions.ts';
import { FieldError, useFieldError } from '~/components/checklist/field-error.tsx';
import { ChecklistFilesProvider, type FileFocus } from '~/components/checklist/item-files.tsx';
import { createActions, type PageState } from '~/components/checklist/create-actions.ts';
import { loadNotesEditor } from '~/components/checklist/item-details.tsx';
import type { Member } from '~/components/checklist/item-row.tsx';
import { LastChangesProvider, useLiveLastChanges } from '~/components/checklist/last-changed.tsx';
import { ArchivedNote } from '~/components/checklist/archived-note.tsx';
import { smallButtonClass, textControlClass } from '~/components/checklist/labels.ts';
import { ConnectionIndicator, PresenceList } from '~/components/checklist/presence.tsx';
import { Rollups } from '~/components/checklist/rollups.tsx';
import { SectionCard } from '~/components/checklist/section-card.tsx';
import { BulkBar, FilterBar } from '~/components/checklist/toolbar.tsx';
import { useChecklistConnection } from '~/components/checklist/use-checklist-connection.ts';
import { UndoBar } from '~/components/checklist/undo-bar.tsx';
import { useUndo } from '~/components/checklist/use-undo.ts';
import { isFiltering, NO_FILTER, todayIso, visibleSections, type ItemFilter, type SortKey } from '~/components/checklist/view.ts';
import { ConfirmProvider, useConfirm } from '~/components/confirm-dialog.tsx';
import { ReviewBar } from '~/components/review/item-review.tsx';
import { ReviewProvider, type ReviewApi } from '~/components/review/review-context.tsx';
import { ReviewPanel } from '~/components/review/review-panel.tsx';
import { getChecklist, lastItemChanges, listMembers } from '@tieout/db';
import { canEdit, roleLabels } from '@tieout/db/roles';
import { requireUser } from '~/utils/auth.server.ts';
import { collabBaseUrl, peopleByItem, userColor } from '~/utils/collab.ts';
import { useKeptOffline } from '~/utils/offline.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  {
    title: loaderData ? `${loaderData.checklist.title} · ${loaderData.checklist.deal.name} · Tieout` : 'Checklist · Tieout',
  },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const checklistId = z.uuid().safeParse(params.checklistId);
  const checklist = checklistId.success ? await getChecklist(context.db, session.claims, checklistId.data) : null;
  if (!checklist) {
    throw data('This checklist does not exist or you do not have access to it.', {
      status: 404,
      headers: session.headers,
    });
  }
  const [members, lastChanges] = await Promise.all([
    listMembers(context.db, session.claims, checklist.workspaceId),
    lastItemChanges(context.db, session.claims, checklist.id),
  ]);
  return data(
    {
      checklist,
      members: members.map(({ userId, displayName, role }) => ({ id: userId, name: displayName, role })),
      // "Last changed by … · 5 min ago" on each item; re-read when the audit trail of this checklist grows (below).
      lastChanges: [...lastChanges.values()],
      canEdit: canEdit(checklist.role),
      me: { id: session.user.id, name: session.user.name, color: userColor(session.user.id) },
      // No access token in the page: a copy the service worker keeps for offline use must not hold one (issue 10).
      // The page asks /collab-token (never cached) for it.
      collabUrl: collabBaseUrl(request.url, context.config.collabUrl, request.headers.get('X-Forwarded-Proto')),
    },
    // private: never in a shared cache; no-cache: always revalidated online, and may be kept on this device for offline.
    { headers: { ...Object.fromEntries(session.headers), 'Cache-Control': 'private, no-cache' } },
  );
}

/** The document answer carries the loader's caching rule (without this export it carried none). */
export const headers: HeadersFunction = ({ loaderHeaders }) => ({ 'Cache-Control': loaderHeaders.get('Cache-Control') ?? 'private, no-store' });

const NO_SELECTION: ReadonlySet<string> = new Set();

export default function ChecklistPage() {
  return (
    <ConfirmProvider>
      <ChecklistScreen />
    </ConfirmProvider>
  );
}

function ChecklistScreen() {
  const loaderData = useLoaderData<typeof loader>();
  const { checklist, me, collabUrl } = loaderData;
  const confirm = useConfirm();
  // Stable across revalidations (token refreshes), so memoized rows do not all re-render.
  const membersKey = loaderData.members.map((member) => `${member.id}:${member.name}`).join('|');
  const members = useMemo<Member[]>(() => loaderData.members.map(({ id, name, role }) => ({ id, name, canOwnItems: canEdit(role) })), [membersKey]); // eslint-disable-line react-hooks/exhaustive-deps

  // The live document, its token kept fresh; losing access reloads the page's data, which then shows why.
  const { live, setFocusItem, user, sessionEnded } = useChecklistConnection({
    checklistId: checklist.id,
    collabUrl,
    token: null,
    tokenExpiresAt: null,
    me,
  });
  // The audit writer announces new rows about this checklist's items (live topic `activity`): re-read who changed what.
  const lastChanges = useLiveLastChanges(checklist.id, loaderData.lastChanges);
  const location = useLocation();
  const keptOffline = useKeptOffline(`${location.pathname}${location.search}`);
  // ?item=…[&file=…&page=…] (a search result): that item opens, and the file's preview at that page.
  const params = new URLSearchParams(location.search);
  const focusItem = params.get('item');
  const focusFile = params.get('file');
  const focusPage = Number(params.get('page')) || null;
  const focusThread = params.get('thread');
  const reviewFocus = useMemo(() => ({ itemId: focusItem, threadId: focusThread }), [focusItem, focusThread]);
  const reviewMembers = useMemo(() => loaderData.members.map(({ id, name, role }) => ({ id, name, role })), [membersKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const reviewMe = useMemo(() => ({ id: me.id, name: me.name }), [me.id, me.name]);
  const fileFocus = useMemo<FileFocus | null>(
    () => (focusItem ? { itemId: focusItem, fileId: focusFile, page: focusPage } : null),
    [focusItem, focusFile, focusPage],
  );

  const synced = live?.synced ?? false;
  useEffect(() => {
    // Fetch the notes editor once the page is idle and in sync, so notes open even if the connection drops later.
    if (!synced) return;
    const idle = window.requestIdleCallback ?? ((run: () => void) => window.setTimeout(run, 2_000));
    idle(() => void loadNotesEditor().catch(() => {}));
  }, [synced]);
  const editable = loaderData.canEdit && live !== null;
  // A document of an older schema version (plain-string titles) is upgraded by the first editor in sync with the
  // server, before anyone types (decision 150). Readers of both versions see the same checklist.
  useEffect(() => {
    if (synced && editable && live && needsUpgrade(live.doc)) upgradeDocument(live.doc);
  }, [synced, editable, live?.doc]); // eslint-disable-line react-hooks/exhaustive-deps
  const [error, setError] = useState<string | null>(null);
  // Undo/redo of this person's own changes, and the "Deleted … · Undo" / "deleted while you were editing" notices.
  const undo = useUndo(live?.doc ?? null, live?.provider ?? null, editable);
  const reviewRef = useRef<ReviewApi | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [filter, setFilter] = useState<ItemFilter>(NO_FILTER);
  const [sort, setSort] = useState<SortKey>('manual');
  const [selected, setSelected] = useState<ReadonlySet<string>>(NO_SELECTION);
  const today = useMemo(() => todayIso(), []);
  const memberNames = useMemo(() => new Map(members.map((member) => [member.id, member.name])), [members]);

  const view = live?.view ?? null;
  const searching = filter.query.trim() !== '';
  const visible = useMemo(
    () =>
      view && live
        ? visibleSections(view, filter, sort, {
            today,
            notesText: (itemId) => itemNotesText(live.doc, itemId),
            ownerName: (ownerId) => memberNames.get(ownerId) ?? '',
          })
        : [],
    // While searching, notes edits (not part of the view) must refresh the results too.
    [view, filter, sort, today, memberNames, searching ? live : null], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const allItems = useMemo(() => view?.sections.flatMap((section) => section.items) ?? [], [view]);
  const itemTitles = useMemo(() => new Map(allItems.map((item) => [item.id, item.title])), [allItems]);
  const shownIds = useMemo(() => visible.flatMap((entry) => entry.items.map((item) => item.id)), [visible]);
  const reorderable = sort === 'manual';

  const stateRef = useRef<PageState>({ view: view ?? { title: '', sections: [] }, visible, editable, reorderable });
  stateRef.current = { view: view ?? { title: '', sections: [] }, visible, editable, reorderable };

  const doc = live?.doc ?? null;
  // Stable per document: the review state re-reads it whenever review data arrives (every projection of the items).
  const fingerprintOf = useCallback((itemId: string) => (doc ? itemFingerprintIn(doc, itemId) : null), [doc]);
  const actions = useMemo(
    () =>
      live
        ? createActions({
            doc: live.doc,
            provider: live.provider,
            user,
            getState: () => stateRef.current,
            setError,
            announce: setAnnouncement,
            confirm,
            setSelected,
            setFocusItem,
          })
        : null,
    [doc], // eslint-disable-line react-hooks/exhaustive-deps
  );

  const presenceByItem = useMemo(() => peopleByItem(live?.people ?? [], me.id), [live?.people, me.id]);
  const progress = useMemo(() => summarizeProgress(allItems, today), [allItems, today]);
  const totals = useMemo(() => rollupFigures(allItems), [allItems]);

  const selectedIds = () => {
    const existing = new Set(allItems.map((item) => item.id));
    return [...selected].filter((id) => existing.has(id));
  };
  const bulkMove = (sectionId: string) => {
    if (!actions || !doc) return;
    const ids = selectedIds();
    const section = view?.sections.find((entry) => entry.id === sectionId);
    if (actions.edit(() => doc.transact(() => ids.forEach((id) => moveItem(doc, id, { sectionId })))))
      setAnnouncement(`Moved ${ids.length} items to ${section?.title ?? 'the section'}`);
  };
  const bulkDelete = async () => {
    if (!actions || !doc) return;
    const ids = selectedIds();
    const ok = await confirm({
      title: `Delete ${ids.length} ${ids.length === 1 ? 'item' : 'items'}?`,
      message: 'The selected items and their notes, figures and evidence will be removed for everyone.',
      confirmLabel: 'Delete items',
    });
    if (ok && actions.edit(() => doc.transact(() => ids.forEach((id) => deleteItem(doc, id))))) {
      setSelected(NO_SELECTION);
      setAnnouncement(`Deleted ${ids.length} items`);
    }
  };
  const bulk = (patch: ItemPatch, describe: string) => {
    if (!actions || !doc) return;
    const ids = selectedIds();
    if (patch.status === 'done' && reviewRef.current && ids.some((id) => !reviewRef.current!.doneAllowed(id))) {
      setError('Done requires an approval here: some of the selected items are not approved (or changed since).');
      return;
    }
    if (actions.edit(() => updateItems(doc, ids, patch))) setAnnouncement(`${describe} for ${ids.length} items`);
  };
  const allShownSelected = shownIds.length > 0 && shownIds.every((id) => selected.has(id));

  return (
    <ReviewProvider
      checklistId={checklist.id}
      me={reviewMe}
      role={checklist.role}
      members={reviewMembers}
      focus={reviewFocus}
      apiRef={reviewRef}
      fingerprintOf={fingerprintOf}
    >
      <div className="space-y-5">
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
        <header className="flex flex-wrap items-start justify-between gap-4">
          <div className="min-w-0">
            <h1 className="text-2xl font-semibold tracking-tight">{checklist.title}</h1>
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
              <Link to={`/checklists/${checklist.id}/grid`} className="mr-2 font-medium text-sky-700 hover:underline dark:text-sky-400">
                Grid view
              </Link>
              <Link to={`/checklists/${checklist.id}/history`} className="mr-2 font-medium text-sky-700 hover:underline dark:text-sky-400">
                History
              </Link>
              {checklist.role ? `You are ${roleLabels[checklist.role].toLowerCase()}` : null}
              {checklist.role && !loaderData.canEdit
                ? checklist.role === 'reviewer'
                  ? ': you can comment, approve items or send them back, but not change the checklist.'
                  : ': you can follow along, but not change anything.'
                : null}
            </p>
            {view ? (
              <div className="mt-2 space-y-1">
                <p aria-label="Progress" className="text-sm tabular-nums text-slate-600 dark:text-slate-300">
                  {progress.done}/{progress.total} done
                  {progress.blocked ? ` · ${progress.blocked} blocked` : ''}
                  {progress.needsReview ? ` · ${progress.needsReview} to review` : ''}
                  {progress.overdue ? ` · ${progress.overdue} overdue` : ''}
                </p>
                <Rollups label="Checklist totals" rollups={totals} className="text-sm" />
                <ReviewBar itemCount={allItems.length} />
              </div>
            ) : null}
          </div>
          <div className="flex flex-col items-end gap-2 max-sm:w-full max-sm:flex-row max-sm:flex-wrap max-sm:items-center max-sm:justify-between">
            <ConnectionIndicator
              state={sessionEnded ? 'refused' : (live?.connection ?? 'connecting')}
              detail={sessionEnded ? 'your session has ended' : (live?.refusal ?? null)}
              keptOffline={keptOffline}
            />
            {sessionEnded ? (
              <Link
                to={`/login?${new URLSearchParams({ redirectTo: `${location.pathname}${location.search}` })}`}
                className="text-xs font-medium text-sky-700 hover:underline dark:text-sky-400"
              >
                Sign in again to keep sharing changes
              </Link>
            ) : null}
            <PresenceList people={live?.people ?? []} selfId={me.id} />
          </div>
        </header>

        <div aria-live="polite" className="min-h-0">
          {error ? (
            <p
              role="alert"
              className="flex items-start justify-between gap-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
            >
              {error}
              <button type="button" onClick={() => setError(null)} className="shrink-0 text-xs font-medium underline">
                Dismiss
              </button>
            </p>
          ) : null}
        </div>
        <UndoBar undo={undo} editable={editable} />
        <p aria-live="polite" className="sr-only">
          {announcement}
        </p>
        <p id="reorder-hint" className="sr-only">
          Press Alt and the up or down arrow to move, or drag the handle with a mouse or a finger.
        </p>

        {!live || !actions || (!live.loaded && live.view.sections.length === 0) ? (
          <p className="text-sm text-slate-500" role="status">
            {live?.connection === 'offline' || live?.connection === 'refused' ? 'The checklist could not be loaded yet.' : 'Loading the checklist…'}
          </p>
        ) : (
          <ActionsContext.Provider value={actions}>
            <ChecklistFilesProvider checklistId={checklist.id} focus={fileFocus}>
              <div className="sticky top-0 z-10 -mx-4 space-y-2 border-b border-slate-200 bg-slate-50/95 px-4 py-2 backdrop-blur dark:border-slate-800 dark:bg-slate-950/95">
                <FilterBar
                  filter={filter}
                  onFilter={setFilter}
                  sort={sort}
                  onSort={setSort}
                  members={members}
                  shown={shownIds.length}
                  total={allItems.length}
                >
                  <label className="flex items-center gap-1.5 text-sm text-slate-700 dark:text-slate-300">
                    <input
                      type="checkbox"
                      aria-label="Select all shown items"
                      checked={allShownSelected}
                      disabled={!editable || shownIds.length === 0}
                      onChange={(event) => setSelected(event.target.checked ? new Set(shownIds) : NO_SELECTION)}
                      className="h-4 w-4 accent-sky-600 disabled:opacity-40"
                    />
                    Select all
                  </label>
                  <BulkBar
                    count={selected.size}
                    members={members}
                    onStatus={(status) => bulk({ status }, 'Status set')}
                    onOwner={(ownerId) => bulk({ ownerId }, 'Owner set')}
                    onDue={(dueDate) => bulk({ dueDate }, dueDate ? 'Due date set' : 'Due date cleared')}
                    onRisk={(risk) => bulk({ risk }, 'Risk set')}
                    sections={view?.sections.map(({ id, title }) => ({ id, title })) ?? []}
                    onMove={bulkMove}
                    onDelete={() => void bulkDelete()}
                    onClear={() => setSelected(NO_SELECTION)}
                  />
                </FilterBar>
              </div>

              {live.view.sections.length === 0 ? <p className="text-sm text-slate-500">This checklist has no sections yet.</p> : null}
              {isFiltering(filter) && visible.length === 0 ? <p className="text-sm text-slate-500">No items match these filters.</p> : null}
              <LastChangesProvider checklistId={checklist.id} changes={lastChanges}>
                <div className="space-y-6">
                  {visible.map((entry, index) => (
                    <SectionCard
                      key={entry.section.id}
                      section={entry.section}
                      items={entry.items}
                      members={members}
                      editable={editable}
                      reorderable={reorderable}
                      isFirst={index === 0}
                      isLast={index === visible.length - 1}
                      selectedIds={selected}
                      presenceByItem={presenceByItem}
                      today={today}
                      filtered={isFiltering(filter)}
                    />
                  ))}
                </div>
              </LastChangesProvider>
              <AddSectionForm editable={editable} onAdd={(title, report) => actions.edit(() => void addSection(live.doc, { title }), report)} />
            </ChecklistFilesProvider>
          </ActionsContext.Provider>
        )}
        <ReviewPanel itemTitles={itemTitles} doc={doc} />
      </div>
    </ReviewProvider>
  );
}

function AddSectionForm({ editable, onAdd }: { editable: boolean; onAdd: (title: string, report: (problem: string | null) => void) => boolean }) {
  const [title, setTitle] = useState('');
  const { error, setError, errorId, invalidProps } = useFieldError();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // The doc model's check, so "A section needs a name" shows under this field rather than in the page's banner.
    const check = sectionTitleSchema.safeParse(title);
    if (!check.success) return setError(problemMessage(check.error));
    if (onAdd(check.data, setError)) setTitle('');
  };
  return (
    <form onSubmit={onSubmit} noValidate className="flex max-w-md flex-wrap gap-2">
      <input
        aria-label="New section"
        placeholder="Add a section…"
        value={title}
        maxLength={TITLE_MAX_LENGTH}
        disabled={!editable}
        onChange={(event) => setTitle(event.target.value)}
        {...invalidProps}
        className={`${textControlClass} min-w-0 flex-1`}
      />
      <button type="submit" disabled={!editable} className={smallButtonClass}>
        Add section
      </button>
      <FieldError id={errorId} error={error} />
    </form>
  );
}
