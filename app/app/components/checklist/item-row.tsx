import { FIGURE_KINDS, ITEM_STATUSES, RISK_LEVELS, STATUS_LABELS, type ItemView } from '@tieout/doc-model';
import { memo, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import type { PresentPerson } from '~/utils/collab.ts';
import { formatFigure } from '~/utils/format.ts';
import { useActions } from './actions.ts';
import { useDragHandle, useDropIndicator, useIsCarried } from './drag.ts';
import { Icon } from './icons.tsx';
import { CollabTitle } from './collab-title.tsx';
import { useDueDateField } from './due-date-field.tsx';
import { ItemDetails } from './item-details.tsx';
import { LastChanged, useShowsLastChanges } from './last-changed.tsx';
import { useItemFilesState } from './item-files.tsx';
import { controlTone, iconButtonClass, RISK_LABELS, RISK_TONE, selectClass, STATUS_TONE } from './labels.ts';
import { ItemPresence } from './presence.tsx';
import { ItemReviewControls, useDoneAllowed } from '../review/item-review.tsx';

export interface Member {
  id: string;
  name: string;
  /** Owners and editors can own items; reviewers and viewers are not offered as owners. Absent means yes. */
  canOwnItems?: boolean;
}

/** Members who may be an item's owner. */
export const assignableMembers = (members: Member[]) => members.filter((member) => member.canOwnItems !== false);

// Option lists are built once (per member list) and shared by every row.
const STATUS_OPTIONS = ITEM_STATUSES.map((status) => (
  <option key={status} value={status}>
    {STATUS_LABELS[status]}
  </option>
));
// Where done requires an approval the item lacks, Done is not offered (the collaboration server refuses it anyway).
const STATUS_OPTIONS_BUT_DONE = STATUS_OPTIONS.filter((option) => option.key !== 'done');
const RISK_OPTIONS = [
  <option key="" value="">
    No risk
  </option>,
  ...RISK_LEVELS.map((risk) => (
    <option key={risk} value={risk}>
      {RISK_LABELS[risk]}
    </option>
  )),
];
const ownerOptionsCache = new WeakMap<Member[], ReactElement[]>();
function ownerOptions(members: Member[]): ReactElement[] {
  let options = ownerOptionsCache.get(members);
  if (!options) {
    options = [
      <option key="" value="">
        Unassigned
      </option>,
      ...assignableMembers(members).map((member) => (
        <option key={member.id} value={member.id}>
          {member.name}
        </option>
      )),
    ];
    ownerOptionsCache.set(members, options);
  }
  return options;
}

/**
 * One item. Memoized: it re-renders only when its own item, neighbours, selection, presence or
 * permissions change (the view keeps unchanged items as the same objects).
 */
export const ItemRow = memo(function ItemRow({
  item,
  members,
  editable,
  reorderable,
  canMoveUp,
  canMoveDown,
  selected,
  presence,
  overdue,
}: {
  item: ItemView;
  members: Member[];
  editable: boolean;
  reorderable: boolean;
  canMoveUp: boolean;
  canMoveDown: boolean;
  selected: boolean;
  presence: PresentPerson[];
  overdue: boolean;
}) {
  const actions = useActions();
  const doneAllowed = useDoneAllowed(item.id);
  const showsLastChanges = useShowsLastChanges();
  // Opened from a search result (?item=…): this row starts expanded and scrolled into view.
  const focusedByLink = useItemFilesState()?.focus?.itemId === item.id;
  const [expanded, setExpanded] = useState(focusedByLink);
  const rowRef = useRef<HTMLLIElement>(null);
  const title = item.title;
  const detailsId = `details-${item.id}`;
  const patch = actions.patchItem;
  const ownerKnown = item.ownerId === null || assignableMembers(members).some((member) => member.id === item.ownerId);
  const unassignableOwner = item.ownerId ? members.find((member) => member.id === item.ownerId) : undefined;
  const canReorder = editable && reorderable;
  // Drops on a row are taken by its section card (drag.ts), which finds the row under the pointer.
  const dropAt = useDropIndicator('item', item.id);
  const carried = useIsCarried('item', item.id);
  const handle = useDragHandle({ kind: 'item', id: item.id }, canReorder, rowRef);
  const due = useDueDateField(item.dueDate, (dueDate, report) => patch(item.id, { dueDate }, report));

  // A keyboard move may re-order the DOM under the focused control: give focus back.
  useLayoutEffect(() => {
    const control = actions.takePendingFocus(item.id);
    if (!control || !rowRef.current) return;
    const target =
      rowRef.current.querySelector<HTMLElement>(`[data-control="${control}"]:not(:disabled)`) ??
      rowRef.current.querySelector<HTMLElement>('[data-control="handle"]');
    target?.focus();
    target?.scrollIntoView({ block: 'nearest' });
  });

  useEffect(() => {
    if (focusedByLink) rowRef.current?.scrollIntoView({ block: 'start' });
  }, [focusedByLink]);

  const onKeyDown = (event: KeyboardEvent<HTMLLIElement>) => {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    const target = event.target as HTMLElement;
    if (target.isContentEditable || target.closest(`#${CSS.escape(detailsId)}`)) return;
    event.preventDefault();
    if (!canReorder) return;
    actions.moveItemBy(item.id, event.key === 'ArrowUp' ? -1 : 1, target.dataset.control ?? 'handle');
  };

  return (
    <li
      ref={rowRef}
      data-item-id={item.id}
      onKeyDown={onKeyDown}
      onFocus={() => actions.focusItem(item.id)}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) actions.focusItem(null);
      }}
      data-drop-indicator={dropAt ?? undefined}
      className={`item-row relative px-3 py-2 [contain-intrinsic-size:auto_3.25rem] [content-visibility:auto] ${selected ? 'bg-sky-50/70 dark:bg-sky-950/30' : ''} ${carried ? 'opacity-60 ring-2 ring-inset ring-sky-400' : ''}`}
    >
      {dropAt ? (
        <div
          aria-hidden="true"
          className={`pointer-events-none absolute inset-x-2 h-0.5 rounded bg-sky-500 ${dropAt === 'before' ? '-top-px' : '-bottom-px'}`}
        />
      ) : null}
      <div className="flex flex-wrap items-start gap-x-1.5 gap-y-1.5">
        <div className="flex shrink-0 items-center gap-0.5 pt-1">
          <label className="inline-flex items-center justify-center pointer-coarse:h-11 pointer-coarse:w-11">
            <input
              type="checkbox"
              aria-label={`Select ${title}`}
              checked={selected}
              disabled={!editable}
              onChange={(event) => actions.toggleSelected(item.id, event.target.checked)}
              className="mx-1 h-4 w-4 rounded border-slate-300 accent-sky-600 disabled:opacity-40 pointer-coarse:h-5 pointer-coarse:w-5"
            />
          </label>
          <button
            type="button"
            data-control="handle"
            aria-label={`Drag ${title}`}
            aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown"
            aria-describedby="reorder-hint"
            disabled={!canReorder}
            {...handle}
            className={`${iconButtonClass} cursor-grab select-none active:cursor-grabbing ${canReorder ? 'touch-none' : ''}`}
          >
            <Icon name="grip" />
          </button>
          <button
            type="button"
            aria-expanded={expanded}
            aria-controls={detailsId}
            aria-label={`Notes for ${title}`}
            onClick={() => setExpanded((open) => !open)}
            className={iconButtonClass}
          >
            <Icon name="chevron" className={`h-4 w-4 transition-transform ${expanded ? 'rotate-90' : ''}`} />
          </button>
        </div>
        {item.reference ? (
          <span
            className="shrink-0 pt-1.5 font-mono text-xs tabular-nums text-slate-500 dark:text-slate-400"
            aria-label={`Reference ${item.reference}`}
          >
            {item.reference}
          </span>
        ) : null}
        <CollabTitle
          target={{ kind: 'item', id: item.id }}
          title={title}
          labelPrefix="Title of "
          disabled={!editable}
          className="min-w-[14rem] flex-1 text-sm"
        />
        <ItemPresence people={presence} itemTitle={title} />
        <ItemReviewControls itemId={item.id} title={title} />
        <div className="flex flex-wrap items-center gap-1.5 max-lg:w-full sm:pl-[5.25rem] lg:shrink-0 lg:pl-0">
          <select
            data-control="status"
            aria-label={`Status of ${title}`}
            value={item.status}
            disabled={!editable}
            onChange={(event) => patch(item.id, { status: event.target.value as ItemView['status'] })}
            className={`${selectClass} w-36 shrink-0 font-medium ${STATUS_TONE[item.status]}`}
          >
            {doneAllowed || item.status === 'done' ? STATUS_OPTIONS : STATUS_OPTIONS_BUT_DONE}
          </select>
          <select
            data-control="owner"
            aria-label={`Owner of ${title}`}
            value={item.ownerId ?? ''}
            disabled={!editable}
            onChange={(event) => patch(item.id, { ownerId: event.target.value || null })}
            className={`${selectClass} ${controlTone} w-40 shrink-0`}
          >
            {ownerOptions(members)}
            {!ownerKnown && item.ownerId ? (
              <option value={item.ownerId}>{unassignableOwner ? `${unassignableOwner.name} (cannot own items)` : 'Former member'}</option>
            ) : null}
          </select>
          <input
            data-control="due"
            aria-label={`Due date of ${title}`}
            {...due.inputProps}
            disabled={!editable}
            className={`${selectClass} w-36 shrink-0 pr-1 ${
              overdue ? 'border-amber-400 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200' : controlTone
            }`}
          />
          <select
            data-control="risk"
            aria-label={`Risk of ${title}`}
            value={item.risk ?? ''}
            disabled={!editable}
            onChange={(event) => patch(item.id, { risk: (event.target.value || null) as ItemView['risk'] })}
            className={`${selectClass} ${controlTone} w-28 shrink-0 ${RISK_TONE[item.risk ?? '']}`}
          >
            {RISK_OPTIONS}
          </select>
          <div className="flex shrink-0">
            <button
              type="button"
              data-control="up"
              aria-label={`Move ${title} up`}
              disabled={!canReorder || !canMoveUp}
              onClick={() => actions.moveItemBy(item.id, -1, 'up')}
              className={iconButtonClass}
            >
              <Icon name="up" />
            </button>
            <button
              type="button"
              data-control="down"
              aria-label={`Move ${title} down`}
              disabled={!canReorder || !canMoveDown}
              onClick={() => actions.moveItemBy(item.id, 1, 'down')}
              className={iconButtonClass}
            >
              <Icon name="down" />
            </button>
            <button
              type="button"
              aria-label={`Delete ${title}`}
              disabled={!editable}
              onClick={() => void actions.deleteItem(item.id)}
              className={`${iconButtonClass} hover:text-red-700 dark:hover:text-red-300`}
            >
              <Icon name="trash" />
            </button>
          </div>
        </div>
        {due.message}
      </div>
      {overdue || item.figures.length > 0 || item.evidence.length > 0 || showsLastChanges ? (
        <div className="mt-1 flex min-h-4 flex-wrap gap-x-4 gap-y-1 text-xs sm:pl-[5.75rem] text-slate-500 dark:text-slate-400">
          {overdue ? <span className="font-medium text-amber-700 dark:text-amber-400">Overdue</span> : null}
          {item.figures.map((figure) => (
            <span key={figure.id}>
              {figure.label}:{' '}
              <span className="tabular-nums text-slate-700 dark:text-slate-300">
                {formatFigure(figure.kind, FIGURE_KINDS[figure.kind].unit, figure.value)}
              </span>
            </span>
          ))}
          {item.evidence.length > 0 ? (
            <span>
              {item.evidence.length} {item.evidence.length === 1 ? 'link' : 'links'}
            </span>
          ) : null}
          <LastChanged itemId={item.id} itemTitle={title} />
        </div>
      ) : null}
      {expanded ? (
        <div id={detailsId} className="mt-2 pr-1 sm:pl-[5.75rem]">
          <ItemDetails item={item} editable={editable} />
        </div>
      ) : null}
    </li>
  );
});
