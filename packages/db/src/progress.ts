import type { Progress } from '@tieout/doc-model';

/* Progress (the type, adding, percent) is defined in @tieout/doc-model; this is how SQL computes it. */

/** SQL select-list for a Progress over rows of public.checklist_items aliased `ci` (counts as int on both engines). */
export const progressColumns = `
  count(ci.item_id)::int as total,
  (count(ci.item_id) filter (where ci.status = 'done'))::int as done,
  (count(ci.item_id) filter (where ci.status = 'blocked'))::int as blocked,
  (count(ci.item_id) filter (where ci.status = 'needs_review'))::int as needs_review,
  (count(ci.item_id) filter (where ci.status <> 'done' and ci.due_date < current_date))::int as overdue`;

export function progressFromRow(row: { total: unknown; done: unknown; blocked: unknown; overdue: unknown; needs_review: unknown }): Progress {
  return {
    total: Number(row.total ?? 0),
    done: Number(row.done ?? 0),
    blocked: Number(row.blocked ?? 0),
    overdue: Number(row.overdue ?? 0),
    needsReview: Number(row.needs_review ?? 0),
  };
}
