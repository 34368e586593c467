import { z } from 'zod';

export const ITEM_STATUSES = ['not_started', 'in_progress', 'needs_review', 'blocked', 'done'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const STATUS_LABELS: Record<ItemStatus, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  needs_review: 'Needs review',
  blocked: 'Blocked',
  done: 'Done',
};

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Typed figures that roll up across items, checklists and deals. */
export const FIGURE_KINDS = {
  mw: { unit: 'MW', label: 'Power' },
  usd: { unit: 'USD', label: 'Amount' },
  years: { unit: 'years', label: 'Term' },
  percent: { unit: '%', label: 'Share' },
  sqft: { unit: 'sq ft', label: 'Area' },
  kw_per_rack: { unit: 'kW/rack', label: 'Rack density' },
} as const;
export type FigureKind = keyof typeof FIGURE_KINDS;
export const FIGURE_KIND_NAMES = Object.keys(FIGURE_KINDS) as FigureKind[];

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-12-31')
  .refine((value) => {
    const parsed = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
  }, 'Not a real date');

export const figureSchema = z.object({
  id: z.string().min(1).max(64),
  kind: z.enum(FIGURE_KIND_NAMES as [FigureKind, ...FigureKind[]]),
  label: z.string().trim().min(1).max(120),
  value: z.number().finite().nullable(),
});
export type Figure = z.infer<typeof figureSchema>;

export const evidenceSchema = z.object({
  id: z.string().min(1).max(64),
  url: z.url({ protocol: /^https?$/ }),
  label: z.string().trim().max(200),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const itemFieldsSchema = z.object({
  title: z.string().trim().min(1, 'An item needs a title').max(500),
  status: z.enum(ITEM_STATUSES),
  ownerId: z.uuid().nullable(),
  dueDate: isoDate.nullable(),
  risk: z.enum(RISK_LEVELS).nullable(),
});
export type ItemFields = z.infer<typeof itemFieldsSchema>;
export const itemPatchSchema = itemFieldsSchema.partial().strict();
export type ItemPatch = z.infer<typeof itemPatchSchema>;

export interface ItemView extends ItemFields {
  id: string;
  sectionId: string;
  position: string;
  figures: Figure[];
  evidence: Evidence[];
}

export interface SectionView {
  id: string;
  title: string;
  position: string;
  items: ItemView[];
}

export interface ChecklistView {
  title: string;
  sections: SectionView[];
}
