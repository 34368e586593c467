/*
 * The live checklist. Accessible names (used by screen readers and by Playwright's getByRole / getByLabel):
 *   combobox "Status of <item title>"     combobox "Owner of <item title>"     combobox "Risk of <item title>"
 *   textbox  "Title of <item title>"      "Due date of <item title>" (a date input: use getByLabel)
 *   button   "Notes for <item title>"  (aria-expanded)  → textbox "Notes of <item title>" (the Tiptap editor)
 *   button   "Move <item title> up" / "Move <item title> down"
 *   textbox  "New item in <section title>" + button "Add item to <section title>"
 *   region   "<section title>" (each section; heading level 2)
 *   status   "Connection" (text: Connected / Connecting… / Offline… / Disconnected by the server)
 *   list     "People here" (one listitem per person present, "(you)" marks yourself)
 * Item titles in names are the committed titles (as in the document), not a draft being typed.
 * Reviewers and viewers get the same controls, disabled, and see every change live.
 */
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Link, useLoaderData, useRevalidator } from '@remix-run/react';
import {
  FIGURE_KINDS,
  ITEM_STATUSES,
  RISK_LEVELS,
  STATUS_LABELS,
  addItem,
  moveItem,
  updateItem,
  type ItemPatch,
  type ItemView,
  type SectionView,
} from '@tieout/doc-model';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import { z } from 'zod';
import { useLiveChecklist, type LiveChecklist } from '~/components/checklist/use-live-checklist.ts';
import { fieldClass, inputClass } from '~/components/form.tsx';
import { getChecklist, listWorkspaceMembers, type WorkspaceMember } from '~/models/checklists.server.ts';
import { canEdit, ROLE_LABELS } from '~/models/roles.ts';
import { requireUser } from '~/utils/auth.server.ts';
import { formatFigure } from '~/utils/format.ts';
import {
  collabBaseUrl,
  CONNECTION_LABELS,
  describeEditError,
  refreshDelayMs,
  userColor,
  type ConnectionState,
  type PresenceUser,
} from '~/utils/collab.ts';

// The editor (Tiptap + ProseMirror) loads on first expand, not with the page.
const ItemNotes = lazy(() =>
  import('~/components/checklist/item-notes.tsx').then((module) => ({ default: module.ItemNotes }))
);

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  {
    title: loaderData
      ? `${loaderData.checklist.title} · ${loaderData.checklist.deal.name} · Tieout`
      : 'Checklist · Tieout',
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
  const members = await listWorkspaceMembers(context.db, session.claims, checklist.workspaceId);
  return data(
    {
      checklist,
      members: members.map(({ id, name, role }) => ({ id, name, role })),
      canEdit: canEdit(checklist.role),
      me: { id: session.user.id, name: session.user.name, color: userColor(session.user.id) },
      token: session.accessToken,
      tokenExpiresAt: typeof session.claims.exp === 'number' ? session.claims.exp : null,
      collabUrl: collabBaseUrl(request.url, context.config.collabUrl, request.headers.get('X-Forwarded-Proto')),
    },
    { headers: { ...Object.fromEntries(session.headers), 'Cache-Control': 'private, no-store' } }
  );
}

type Member = Pick<WorkspaceMember, 'id' | 'name' | 'role'>;

export default function ChecklistPage() {
  const loaderData = useLoaderData<typeof loader>();
  const { checklist, members, me, token, tokenExpiresAt, collabUrl } = loaderData;
  const revalidator = useRevalidator();
  const user = useMemo<PresenceUser>(() => me, [me.id]); // eslint-disable-line react-hooks/exhaustive-deps

  // Refresh the access token (through the loader, which refreshes the session cookie) before it expires,
  // so reconnects keep working; and once more if the server refuses the connection.
  useEffect(() => {
    const delay = refreshDelayMs(tokenExpiresAt ?? undefined, Date.now());
    if (delay === null) return;
    const timer = setTimeout(() => revalidator.revalidate(), delay);
    return () => clearTimeout(timer);
  }, [tokenExpiresAt]); // eslint-disable-line react-hooks/exhaustive-deps
  const onRefused = useCallback(() => revalidator.revalidate(), [revalidator]);

  const live = useLiveChecklist({ checklistId: checklist.id, collabUrl, token, user, onRefused });
  const editable = loaderData.canEdit && live !== null;
  const [error, setError] = useState<string | null>(null);

  const edit = useCallback((change: () => void) => {
    try {
      change();
      setError(null);
      return true;
    } catch (failure) {
      setError(describeEditError(failure));
      return false;
    }
  }, []);

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
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

      <header className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{live?.view.title || checklist.title}</h1>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            {checklist.role ? `You are ${ROLE_LABELS[checklist.role].toLowerCase()}` : null}
            {checklist.role && !loaderData.canEdit ? ': you can follow along, but not change anything.' : null}
          </p>
        </div>
        <div className="flex flex-col items-end gap-2">
          <ConnectionIndicator state={live?.connection ?? 'connecting'} detail={live?.refusal ?? null} />
          <PresenceList people={live?.people ?? []} selfId={me.id} />
        </div>
      </header>

      <div aria-live="polite" className="min-h-0">
        {error ? (
          <p
            role="alert"
            className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
          >
            {error}
          </p>
        ) : null}
      </div>

      {!live || (!live.synced && live.view.sections.length === 0) ? (
        <p className="text-sm text-slate-500" role="status">
          {live?.connection === 'offline' || live?.connection === 'refused'
            ? 'The checklist could not be loaded yet.'
            : 'Loading the checklist…'}
        </p>
      ) : live.view.sections.length === 0 ? (
        <p className="text-sm text-slate-500">This checklist has no sections yet.</p>
      ) : (
        <div className="space-y-8">
          {live.view.sections.map((section) => (
            <Section
              key={section.id}
              section={section}
              live={live}
              members={members}
              editable={editable}
              user={user}
              edit={edit}
            />
          ))}
        </div>
      )}
    </div>
  );
}

const connectionTone: Record<ConnectionState, string> = {
  connected: 'bg-emerald-500',
  connecting: 'bg-amber-400 animate-pulse',
  offline: 'bg-slate-400',
  refused: 'bg-red-500',
};

function ConnectionIndicator({ state, detail }: { state: ConnectionState; detail: string | null }) {
  return (
    <div
      role="status"
      aria-label="Connection"
      data-state={state}
      className="flex items-center gap-2 text-xs text-slate-600 dark:text-slate-300"
    >
      <span aria-hidden="true" className={`inline-block h-2 w-2 rounded-full ${connectionTone[state]}`} />
      <span>{CONNECTION_LABELS[state]}</span>
      {state === 'refused' && detail ? <span className="text-slate-500">({detail})</span> : null}
    </div>
  );
}

function PresenceList({ people, selfId }: { people: PresenceUser[]; selfId: string }) {
  return (
    <ul aria-label="People here" className="flex flex-wrap justify-end gap-1.5">
      {people.map((person) => (
        <li
          key={person.id}
          className="flex items-center gap-1.5 rounded-full border border-slate-200 bg-white py-0.5 pl-1 pr-2.5 text-xs dark:border-slate-700 dark:bg-slate-900"
        >
          <span
            aria-hidden="true"
            className="inline-flex h-5 w-5 items-center justify-center rounded-full text-[10px] font-semibold text-white"
            style={{ backgroundColor: person.color }}
          >
            {initials(person.name)}
          </span>
          {person.name}
          {person.id === selfId ? <span className="text-slate-500"> (you)</span> : null}
        </li>
      ))}
    </ul>
  );
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]!.toUpperCase())
    .join('');
}

type Edit = (change: () => void) => boolean;

function Section({
  section,
  live,
  members,
  editable,
  user,
  edit,
}: {
  section: SectionView;
  live: LiveChecklist;
  members: Member[];
  editable: boolean;
  user: PresenceUser;
  edit: Edit;
}) {
  const headingId = `section-${section.id}`;
  const done = section.items.filter((item) => item.status === 'done').length;
  return (
    <section
      aria-labelledby={headingId}
      className="rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex items-baseline justify-between border-b border-slate-200 px-4 py-3 dark:border-slate-800">
        <h2 id={headingId} className="font-semibold">
          {section.title}
        </h2>
        <span className="text-xs tabular-nums text-slate-500">
          {done}/{section.items.length} done
        </span>
      </div>
      <ul className="divide-y divide-slate-100 dark:divide-slate-800">
        {section.items.map((item, index) => (
          <ItemRow
            key={item.id}
            item={item}
            previousId={section.items[index - 1]?.id ?? null}
            nextNextId={index + 2 < section.items.length ? section.items[index + 2]!.id : null}
            isLast={index === section.items.length - 1}
            sectionId={section.id}
            live={live}
            members={members}
            editable={editable}
            user={user}
            edit={edit}
          />
        ))}
      </ul>
      {editable ? <AddItemForm section={section} live={live} edit={edit} /> : null}
    </section>
  );
}

const statusTone: Record<ItemView['status'], string> = {
  not_started: '',
  in_progress: 'text-sky-800 dark:text-sky-300',
  needs_review: 'text-violet-800 dark:text-violet-300',
  blocked: 'text-red-700 dark:text-red-300',
  done: 'text-emerald-700 dark:text-emerald-300',
};

const RISK_LABELS: Record<(typeof RISK_LEVELS)[number], string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

const selectClass = `${fieldClass} py-1.5`;

function ItemRow({
  item,
  previousId,
  nextNextId,
  isLast,
  sectionId,
  live,
  members,
  editable,
  user,
  edit,
}: {
  item: ItemView;
  previousId: string | null;
  nextNextId: string | null;
  isLast: boolean;
  sectionId: string;
  live: LiveChecklist;
  members: Member[];
  editable: boolean;
  user: PresenceUser;
  edit: Edit;
}) {
  const [expanded, setExpanded] = useState(false);
  const title = item.title;
  const notesId = `notes-${item.id}`;
  const patch = (change: ItemPatch) => edit(() => updateItem(live.doc, item.id, change));
  const ownerKnown = item.ownerId === null || members.some((member) => member.id === item.ownerId);
  const overdue =
    item.status !== 'done' && item.dueDate !== null && item.dueDate < new Date().toISOString().slice(0, 10);

  return (
    <li className="px-4 py-3" data-item-id={item.id}>
      <div className="flex flex-wrap items-start gap-2">
        <button
          type="button"
          aria-expanded={expanded}
          aria-controls={notesId}
          aria-label={`Notes for ${title}`}
          onClick={() => setExpanded((open) => !open)}
          className="mt-1.5 rounded p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-800 dark:hover:bg-slate-800 dark:hover:text-slate-100"
        >
          <svg
            aria-hidden="true"
            viewBox="0 0 20 20"
            className={`h-4 w-4 transition-transform ${expanded ? 'rotate-90' : ''}`}
          >
            <path fill="currentColor" d="M7 5l6 5-6 5V5z" />
          </svg>
        </button>
        <TitleInput title={title} disabled={!editable} onCommit={(next) => patch({ title: next })} />
        <div className="flex flex-wrap items-center gap-2 pl-8 max-lg:w-full lg:shrink-0 lg:pl-0">
          <select
            aria-label={`Status of ${title}`}
            value={item.status}
            disabled={!editable}
            onChange={(event) => patch({ status: event.target.value as ItemView['status'] })}
            className={`${selectClass} w-36 shrink-0 ${statusTone[item.status]}`}
          >
            {ITEM_STATUSES.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </select>
          <select
            aria-label={`Owner of ${title}`}
            value={item.ownerId ?? ''}
            disabled={!editable}
            onChange={(event) => patch({ ownerId: event.target.value || null })}
            className={`${selectClass} w-40 shrink-0`}
          >
            <option value="">Unassigned</option>
            {members.map((member) => (
              <option key={member.id} value={member.id}>
                {member.name}
              </option>
            ))}
            {!ownerKnown && item.ownerId ? <option value={item.ownerId}>Former member</option> : null}
          </select>
          <input
            type="date"
            aria-label={`Due date of ${title}`}
            value={item.dueDate ?? ''}
            disabled={!editable}
            onChange={(event) => patch({ dueDate: event.target.value || null })}
            className={`${selectClass} w-40 shrink-0 ${
              overdue ? 'border-amber-400 text-amber-800 dark:border-amber-600 dark:text-amber-300' : ''
            }`}
          />
          <select
            aria-label={`Risk of ${title}`}
            value={item.risk ?? ''}
            disabled={!editable}
            onChange={(event) => patch({ risk: (event.target.value || null) as ItemView['risk'] })}
            className={`${selectClass} w-28 shrink-0`}
          >
            <option value="">No risk</option>
            {RISK_LEVELS.map((risk) => (
              <option key={risk} value={risk}>
                {RISK_LABELS[risk]}
              </option>
            ))}
          </select>
          {editable ? (
            <div className="flex shrink-0">
              <MoveButton
                label={`Move ${title} up`}
                disabled={previousId === null}
                onClick={() =>
                  previousId && edit(() => moveItem(live.doc, item.id, { sectionId, beforeId: previousId }))
                }
                direction="up"
              />
              <MoveButton
                label={`Move ${title} down`}
                disabled={isLast}
                onClick={() => edit(() => moveItem(live.doc, item.id, { sectionId, beforeId: nextNextId }))}
                direction="down"
              />
            </div>
          ) : null}
        </div>
      </div>
      {overdue || item.figures.length > 0 ? (
        <div className="mt-1.5 flex flex-wrap gap-x-4 gap-y-1 pl-8 text-xs text-slate-500">
          {overdue ? <span className="font-medium text-amber-700 dark:text-amber-400">Overdue</span> : null}
          {item.figures.map((figure) => (
            <span key={figure.id}>
              {figure.label}:{' '}
              <span className="tabular-nums text-slate-700 dark:text-slate-300">
                {formatFigure(figure.kind, FIGURE_KINDS[figure.kind].unit, figure.value)}
              </span>
            </span>
          ))}
        </div>
      ) : null}
      {expanded ? (
        <div id={notesId} className="mt-3 pl-8">
          <Suspense fallback={<p className="text-sm text-slate-400">Loading notes…</p>}>
            <ItemNotes
              doc={live.doc}
              provider={live.provider}
              itemId={item.id}
              itemTitle={title}
              user={user}
              editable={editable}
            />
          </Suspense>
        </div>
      ) : null}
    </li>
  );
}

function MoveButton({
  label,
  disabled,
  onClick,
  direction,
}: {
  label: string;
  disabled: boolean;
  onClick: () => void;
  direction: 'up' | 'down';
}) {
  return (
    <button
      type="button"
      aria-label={label}
      disabled={disabled}
      onClick={onClick}
      className="rounded p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-800 disabled:opacity-30 dark:hover:bg-slate-800 dark:hover:text-slate-100"
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4">
        <path fill="currentColor" d={direction === 'up' ? 'M10 6l5 6H5l5-6z' : 'M10 14l-5-6h10l-5 6z'} />
      </svg>
    </button>
  );
}

/** Edits a title in place: a draft while focused, committed on Enter or blur, Escape restores. */
function TitleInput({
  title,
  disabled,
  onCommit,
}: {
  title: string;
  disabled: boolean;
  onCommit: (next: string) => boolean;
}) {
  const [draft, setDraft] = useState(title);
  const [focused, setFocused] = useState(false);
  useEffect(() => {
    if (!focused) setDraft(title);
  }, [title, focused]);
  const commit = () => {
    if (draft.trim() === title) return setDraft(title);
    if (!onCommit(draft)) setDraft(title);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      commit();
    } else if (event.key === 'Escape') {
      setDraft(title);
      event.currentTarget.blur();
    }
  };
  return (
    <textarea
      rows={1}
      aria-label={`Title of ${title}`}
      value={draft}
      disabled={disabled}
      onChange={(event) => setDraft(event.target.value.replace(/\s*\n\s*/g, ' '))}
      onFocus={() => setFocused(true)}
      onBlur={() => {
        setFocused(false);
        commit();
      }}
      onKeyDown={onKeyDown}
      className="field-sizing-content min-w-[16rem] flex-1 resize-none rounded-md border border-transparent bg-transparent px-2 py-1.5 text-sm leading-snug hover:border-slate-200 focus:border-sky-500 focus:bg-white focus:outline-none focus:ring-2 focus:ring-sky-500/30 disabled:cursor-default disabled:text-slate-900 disabled:hover:border-transparent dark:hover:border-slate-700 dark:focus:bg-slate-950 dark:disabled:text-slate-100"
    />
  );
}

function AddItemForm({ section, live, edit }: { section: SectionView; live: LiveChecklist; edit: Edit }) {
  const [title, setTitle] = useState('');
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (edit(() => addItem(live.doc, { sectionId: section.id, title }))) setTitle('');
  };
  return (
    <form onSubmit={onSubmit} className="flex gap-2 border-t border-slate-100 px-4 py-3 dark:border-slate-800">
      <input
        aria-label={`New item in ${section.title}`}
        placeholder="Add an item…"
        value={title}
        onChange={(event) => setTitle(event.target.value)}
        className={`${inputClass} py-1.5`}
      />
      <button
        type="submit"
        aria-label={`Add item to ${section.title}`}
        className="shrink-0 rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
      >
        Add
      </button>
    </form>
  );
}
