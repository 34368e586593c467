import { z } from 'zod';
import { ITEM_STATUSES, RISK_LEVELS, type RiskLevel } from './schema.ts';

/*
 * The filters of the cross-checklist item list (the dashboard's click-throughs), as they appear in the URL: defined
 * here so the browser's filter form and the server's query read the same names and values.
 */

/** A risk level, or 'none' for items without one (a heatmap column and a filter value). */
export type RiskKey = RiskLevel | 'none';
export const RISK_KEYS: readonly RiskKey[] = [...[...RISK_LEVELS].reverse(), 'none'];

/** A calendar day (YYYY-MM-DD) that exists. */
export const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value));

export const ITEM_STATUS_FILTERS = [...ITEM_STATUSES, 'open'] as const;

/** Every filter optional; unknown names are refused (strict). */
export const itemFilterSchema = z
  .object({
    deal: z.uuid({ message: 'Not a deal of this workspace' }).optional(),
    workstream: z.uuid({ message: 'Not a workstream of this workspace' }).optional(),
    checklist: z.uuid({ message: 'Not a checklist of this workspace' }).optional(),
    owner: z
      .string()
      .refine((value) => value === 'unassigned' || z.uuid().safeParse(value).success, { message: 'Not a member of this workspace' })
      .optional(),
    risk: z.enum(RISK_KEYS as [RiskKey, ...RiskKey[]], { message: `Risk is one of ${RISK_KEYS.join(', ')}` }).optional(),
    status: z.enum(ITEM_STATUS_FILTERS, { message: `Status is one of ${ITEM_STATUS_FILTERS.join(', ')}` }).optional(),
    due: z.enum(['overdue', 'this-week', 'none'], { message: 'Due is one of overdue, this-week, none' }).optional(),
    dueFrom: isoDay.optional(),
    dueTo: isoDay.optional(),
    verified: z.enum(['yes', 'no'], { message: 'Verified is yes or no' }).optional(),
  })
  .strict();
export type ItemFilter = z.infer<typeof itemFilterSchema>;
export const ITEM_FILTER_KEYS = Object.keys(itemFilterSchema.shape) as (keyof ItemFilter)[];

/**
 * How the item list is ordered (`?sort=` in the URL): by due date (the default, undated items last) or by reference
 * (request-list numbers in numbering order, "1.2" before "1.10", items without one last); a leading "-" reverses
 * the column. Ties keep checklist order.
 */
export const ITEM_SORTS = ['due', '-due', 'ref', '-ref'] as const;
export type ItemSort = (typeof ITEM_SORTS)[number];
export const DEFAULT_ITEM_SORT: ItemSort = 'due';
export const itemSortSchema = z.enum(ITEM_SORTS, { message: `Sort is one of ${ITEM_SORTS.join(', ')}` });
