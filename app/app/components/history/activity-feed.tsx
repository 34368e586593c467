import { Form, Link } from '@remix-run/react';
import { buttonClass, fieldClass, FormAlert } from '~/components/form.tsx';
import { describeAudit, FIELD_LABELS, formatWhen, timeAgo, type Names } from './describe.ts';

export interface ActivityEntry {
  id: number;
  kind: string;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
  itemId: string | null;
  itemTitle: string | null;
  checklistId: string | null;
  checklistTitle: string | null;
  userId: string | null;
  userName: string | null;
  createdAt: string;
}

export interface ActivityQueryValues {
  person: string;
  field: string;
  from: string;
  to: string;
  item: string;
}

const FILTER_FIELDS = ['status', 'owner', 'due_date', 'risk', 'title', 'section', 'figure', 'evidence', 'notes', 'review'] as const;

/**
 * The activity feed of an item, a checklist or a deal: who did what and when, newest first, filterable by person,
 * field and date range (a GET form, so a filtered feed has its own address). `keep` carries other query parameters.
 */
export function ActivityFeed({
  entries,
  query,
  error,
  members,
  names,
  keep = {},
  showChecklist = false,
  exportHref,
  heading = true,
}: {
  entries: ActivityEntry[];
  query: ActivityQueryValues;
  error: string | null;
  members: { id: string; name: string }[];
  names: Names;
  keep?: Record<string, string>;
  showChecklist?: boolean;
  exportHref?: string;
  /** False where the page's own heading already says "Activity". */
  heading?: boolean;
}) {
  // Consecutive rows of one person about the same thing (typing in the notes, say) read as one line with a count.
  const grouped: { entry: ActivityEntry; count: number }[] = [];
  for (const entry of entries) {
    const last = grouped.at(-1);
    const same =
      last &&
      last.entry.userId === entry.userId &&
      last.entry.kind === entry.kind &&
      last.entry.itemId === entry.itemId &&
      last.entry.field === entry.field &&
      last.entry.checklistId === entry.checklistId &&
      entry.kind === 'item_field' &&
      entry.field === 'notes';
    if (same) last.count += 1;
    else grouped.push({ entry, count: 1 });
  }
  return (
    <section aria-label="Activity" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        {heading ? (
          <h2 className="text-lg font-semibold">Activity{query.item && entries[0]?.itemTitle ? ` of “${entries[0].itemTitle}”` : ''}</h2>
        ) : (
          <span />
        )}
        {exportHref ? (
          <a href={exportHref} className="text-sm font-medium text-sky-700 hover:underline dark:text-sky-400" download>
            Export the audit trail (CSV)
          </a>
        ) : null}
      </div>
      <Form method="get" aria-label="Filter activity" className="flex flex-wrap items-end gap-2 text-sm">
        {Object.entries(keep).map(([key, value]) => (value ? <input key={key} type="hidden" name={key} value={value} /> : null))}
        {query.item ? <input type="hidden" name="item" value={query.item} /> : null}
        <label>
          Person
          <select name="person" aria-label="Person" defaultValue={query.person} className={`ml-1 ${fieldClass}`}>
            <option value="">Anyone</option>
            {members.map((member) => (
              <option key={member.id} value={member.id}>
                {member.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Field
          <select name="field" aria-label="Field" defaultValue={query.field} className={`ml-1 ${fieldClass}`}>
            <option value="">Any</option>
            {FILTER_FIELDS.map((field) => (
              <option key={field} value={field}>
                {FIELD_LABELS[field]}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" name="from" aria-label="From date" defaultValue={query.from} className={`ml-1 ${fieldClass}`} />
        </label>
        <label>
          To
          <input type="date" name="to" aria-label="To date" defaultValue={query.to} className={`ml-1 ${fieldClass}`} />
        </label>
        <button type="submit" className={buttonClass}>
          Filter
        </button>
        {query.person || query.field || query.from || query.to || query.item ? (
          <Link
            to={`?${new URLSearchParams(Object.entries(keep).filter(([, value]) => value))}`}
            className="text-sky-700 hover:underline dark:text-sky-400"
          >
            Clear filters
          </Link>
        ) : null}
      </Form>
      {error ? <FormAlert>{error}</FormAlert> : null}
      {!error && entries.length === 0 ? <p className="text-sm text-slate-500">No activity matches.</p> : null}
      <ol className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
        {grouped.map(({ entry, count }) => (
          <li key={entry.id} className="flex flex-wrap items-baseline justify-between gap-2 px-3 py-2">
            <span>
              <span className="font-medium">{entry.userName ?? (entry.userId ? 'A former member' : 'System')}</span>{' '}
              {describeAudit(entry, names, entry.itemTitle ?? undefined)}
              {count > 1 ? <span className="text-slate-500"> ({count} times)</span> : null}
              {showChecklist && entry.checklistTitle ? <span className="text-slate-500"> · {entry.checklistTitle}</span> : null}
              {entry.itemId && entry.checklistId && !query.item ? (
                <>
                  {' '}
                  <Link
                    to={`/checklists/${entry.checklistId}/history?${new URLSearchParams({ item: entry.itemId })}`}
                    className="text-xs text-sky-700 hover:underline dark:text-sky-400"
                    aria-label={`Activity of ${entry.itemTitle ?? 'this item'}`}
                  >
                    item activity
                  </Link>
                </>
              ) : null}
            </span>
            <time dateTime={entry.createdAt} title={formatWhen(entry.createdAt)} className="whitespace-nowrap text-xs text-slate-500">
              {timeAgo(entry.createdAt)}
            </time>
          </li>
        ))}
      </ol>
    </section>
  );
}
