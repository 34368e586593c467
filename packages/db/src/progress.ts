/** Counts of a checklist (or deal) from the relational projection, public.checklist_items. */
export interface Progress {
  total: number;
  done: number;
  blocked: number;
  overdue: number;
  needsReview: number;
}

export const emptyProgress: Progress = { total: 0, done: 0, blocked: 0, overdue: 0, needsReview: 0 };

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

export function addProgress(a: Progress, b: Progress): Progress {
  return {
    total: a.total + b.total,
    done: a.done + b.done,
    blocked: a.blocked + b.blocked,
    overdue: a.overdue + b.overdue,
    needsReview: a.needsReview + b.needsReview,
  };
}

/** Whole percent done, rounded down so 99.6% never shows as 100% while an item is open. */
export function percentDone(progress: Pick<Progress, 'done' | 'total'>): number {
  if (progress.total <= 0) return 0;
  return Math.floor((progress.done / progress.total) * 100);
}
