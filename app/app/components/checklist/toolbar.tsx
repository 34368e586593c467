import { useState, type ReactNode } from 'react';
import {
  DUE_DATE_MAX,
  DUE_DATE_MIN,
  dueDateSchema,
  ITEM_STATUSES,
  problemMessage,
  RISK_LEVELS,
  STATUS_LABELS,
  type ItemStatus,
  type RiskLevel,
} from '@tieout/doc-model';
import { FieldError, useFieldError } from './field-error.tsx';
import { assignableMembers, type Member } from './item-row.tsx';
import { controlTone, RISK_LABELS, selectClass, smallButtonClass, textControlClass } from './labels.ts';
import { isFiltering, NO_FILTER, SORT_LABELS, type ItemFilter, type SortKey } from './view.ts';

const controlClass = `${selectClass} ${controlTone}`;

/** Search, filters and sort: views only, nothing here changes the document. */
export function FilterBar({
  filter,
  onFilter,
  sort,
  onSort,
  members,
  shown,
  total,
  children,
}: {
  filter: ItemFilter;
  onFilter: (next: ItemFilter) => void;
  sort: SortKey;
  onSort: (next: SortKey) => void;
  members: Member[];
  shown: number;
  total: number;
  /** Shown on the second line, before the count (selection and bulk controls). */
  children?: ReactNode;
}) {
  const set = (patch: Partial<ItemFilter>) => onFilter({ ...filter, ...patch });
  // On a phone the filters fold behind one button, so the first items fit on the first screen.
  const [open, setOpen] = useState(false);
  const active = [filter.status, filter.owner, filter.risk].filter(Boolean).length + (filter.overdueOnly ? 1 : 0) + (sort !== 'manual' ? 1 : 0);
  return (
    <div role="search" aria-label="Find items" className="flex flex-wrap items-center gap-2">
      <input
        type="search"
        aria-label="Search items"
        placeholder="Search titles and notes…"
        value={filter.query}
        maxLength={200}
        onChange={(event) => set({ query: event.target.value })}
        className={`${textControlClass} w-64 max-sm:w-auto max-sm:min-w-0 max-sm:flex-1`}
      />
      <button
        type="button"
        aria-expanded={open}
        aria-controls="checklist-filters"
        onClick={() => setOpen((value) => !value)}
        className={`${smallButtonClass} sm:hidden`}
      >
        Filters{active ? ` (${active})` : ''}
      </button>
      <div id="checklist-filters" className={`contents ${open ? '' : 'max-sm:hidden'}`}>
        <select
          aria-label="Filter by status"
          value={filter.status}
          onChange={(event) => set({ status: event.target.value as ItemStatus | '' })}
          className={controlClass}
        >
          <option value="">Any status</option>
          {ITEM_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
        <select aria-label="Filter by owner" value={filter.owner} onChange={(event) => set({ owner: event.target.value })} className={controlClass}>
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
          value={filter.risk}
          onChange={(event) => set({ risk: event.target.value as RiskLevel | '' })}
          className={controlClass}
        >
          <option value="">Any risk</option>
          {RISK_LEVELS.map((risk) => (
            <option key={risk} value={risk}>
              {RISK_LABELS[risk]}
            </option>
          ))}
        </select>
        <label className="flex items-center gap-1.5 text-sm text-slate-700 dark:text-slate-300">
          <input
            type="checkbox"
            aria-label="Overdue only"
            checked={filter.overdueOnly}
            onChange={(event) => set({ overdueOnly: event.target.checked })}
            className="h-4 w-4 accent-sky-600"
          />
          Overdue only
        </label>
        <label className="ml-auto flex items-center gap-1.5 text-sm text-slate-700 dark:text-slate-300">
          Sort
          <select aria-label="Sort items" value={sort} onChange={(event) => onSort(event.target.value as SortKey)} className={controlClass}>
            {(Object.keys(SORT_LABELS) as SortKey[]).map((key) => (
              <option key={key} value={key}>
                {SORT_LABELS[key]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="flex w-full flex-wrap items-center gap-x-4 gap-y-2">
        {children}
        <p role="status" aria-label="Items shown" className="text-xs text-slate-500 dark:text-slate-400">
          {isFiltering(filter) ? (
            <>
              Showing {shown} of {total} items.{' '}
              <button type="button" onClick={() => onFilter(NO_FILTER)} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
                Clear filters
              </button>
            </>
          ) : (
            `${total} items`
          )}
          {sort !== 'manual' ? ' Drag and move are off while sorted.' : ''}
        </p>
      </div>
    </div>
  );
}

/**
 * Appears when items are selected: one status, owner, due date or risk for all of them, a move to another section,
 * or deleting them, each in one change (one undo step).
 */
export function BulkBar({
  count,
  members,
  onStatus,
  onOwner,
  onDue,
  onRisk,
  sections,
  onMove,
  onDelete,
  onClear,
}: {
  count: number;
  members: Member[];
  onStatus: (status: ItemStatus) => void;
  onOwner: (ownerId: string | null) => void;
  onDue?: (dueDate: string | null) => void;
  onRisk?: (risk: RiskLevel | null) => void;
  sections?: { id: string; title: string }[];
  onMove?: (sectionId: string) => void;
  onDelete?: () => void;
  onClear: () => void;
}) {
  const [due, setDue] = useState('');
  const dueError = useFieldError();
  const setDueDate = () => {
    const check = due ? dueDateSchema.safeParse(due) : null;
    if (check && !check.success) return dueError.setError(problemMessage(check.error));
    dueError.setError(null);
    onDue?.(due || null);
  };
  if (count === 0) return null;
  return (
    <div
      role="group"
      aria-label="Bulk edit"
      className="flex flex-wrap items-center gap-2 rounded-md border border-sky-200 bg-sky-50 px-2 py-1 text-sm dark:border-sky-900 dark:bg-sky-950/60"
    >
      <span className="font-medium">{count} selected</span>
      <select
        aria-label="Set status of selected items"
        value=""
        onChange={(event) => event.target.value && onStatus(event.target.value as ItemStatus)}
        className={controlClass}
      >
        <option value="">Set status…</option>
        {ITEM_STATUSES.map((status) => (
          <option key={status} value={status}>
            {STATUS_LABELS[status]}
          </option>
        ))}
      </select>
      <select
        aria-label="Set owner of selected items"
        value=""
        onChange={(event) => event.target.value && onOwner(event.target.value === 'unassigned' ? null : event.target.value)}
        className={controlClass}
      >
        <option value="">Set owner…</option>
        <option value="unassigned">Unassigned</option>
        {assignableMembers(members).map((member) => (
          <option key={member.id} value={member.id}>
            {member.name}
          </option>
        ))}
      </select>
      {onRisk ? (
        <select
          aria-label="Set risk of selected items"
          value=""
          onChange={(event) => event.target.value && onRisk(event.target.value === 'none' ? null : (event.target.value as RiskLevel))}
          className={controlClass}
        >
          <option value="">Set risk…</option>
          <option value="none">No risk</option>
          {RISK_LEVELS.map((risk) => (
            <option key={risk} value={risk}>
              {RISK_LABELS[risk]}
            </option>
          ))}
        </select>
      ) : null}
      {onDue ? (
        <span className="flex flex-wrap items-center gap-1">
          <input
            type="date"
            aria-label="Due date for selected items"
            min={DUE_DATE_MIN}
            max={DUE_DATE_MAX}
            value={due}
            onChange={(event) => setDue(event.target.value)}
            {...dueError.invalidProps}
            className={`${controlClass} w-36`}
          />
          <button type="button" onClick={setDueDate} className={smallButtonClass}>
            {due ? 'Set due date' : 'Clear due date'}
          </button>
          <FieldError id={dueError.errorId} error={dueError.error} inline />
        </span>
      ) : null}
      {onMove && sections?.length ? (
        <select
          aria-label="Move selected items to section"
          value=""
          onChange={(event) => event.target.value && onMove(event.target.value)}
          className={controlClass}
        >
          <option value="">Move to…</option>
          {sections.map((section) => (
            <option key={section.id} value={section.id}>
              {section.title}
            </option>
          ))}
        </select>
      ) : null}
      {onDelete ? (
        <button type="button" onClick={onDelete} className={`${smallButtonClass} text-red-700 dark:text-red-300`}>
          Delete selected
        </button>
      ) : null}
      <button type="button" onClick={onClear} className={smallButtonClass}>
        Clear selection
      </button>
    </div>
  );
}
