/**
 * Bounds of the audit reads that the browser also needs: browser-safe (no imports), for the app's pages as
 * `@tieout/db/audit-limits`.
 */

/** The most items one lastItemChanges read may name (`onlyItems`): a page names those of its live events. */
export const LAST_CHANGES_MAX_ITEMS = 100;
