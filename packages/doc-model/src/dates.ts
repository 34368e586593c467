/*
 * "Today", "overdue" and "due this week", defined once for every page, export and query (issue 11).
 *
 * A date is a calendar day (YYYY-MM-DD), compared as text. Today is the calendar day in UTC by default: the
 * server computes it once per request and hands it to the page and to SQL (queries take it as a parameter and
 * never use the database's `current_date`), so the checklist page, the deal page, the dashboard and the exports
 * agree whatever time zone the browser or the database is in.
 */

/** The calendar day of `now` in `timeZone` (an IANA name; UTC unless given). */
export function todayIso(now: Date = new Date(), timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The day `days` after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  const time = Date.parse(`${date}T00:00:00Z`);
  return new Date(time + days * 86_400_000).toISOString().slice(0, 10);
}

/** The last day of the week that starts today: "due this week" means due from today to this day, inclusive. */
export const weekEnd = (today: string): string => addDays(today, 6);

export interface Dated {
  status: string;
  dueDate: string | null;
}

/** An item is overdue when it is not done and its due date is before today. */
export function isOverdue(item: Dated, today: string): boolean {
  return item.status !== 'done' && item.dueDate !== null && item.dueDate < today;
}

/** Not done and due from today to `weekEnd(today)`. */
export function isDueThisWeek(item: Dated, today: string): boolean {
  return item.status !== 'done' && item.dueDate !== null && item.dueDate >= today && item.dueDate <= weekEnd(today);
}
