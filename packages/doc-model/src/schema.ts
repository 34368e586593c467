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

/**
 * Typed figures that roll up across items, checklists and deals. `min`/`max` bound a value of the kind (null: no
 * bound): power, money, area, terms and densities are not negative; a share is a percentage from 0 to 100.
 */
export const FIGURE_KINDS = {
  mw: { unit: 'MW', label: 'Power', min: 0, max: null },
  usd: { unit: 'USD', label: 'Amount', min: 0, max: null },
  years: { unit: 'years', label: 'Term', min: 0, max: null },
  percent: { unit: '%', label: 'Share', min: 0, max: 100 },
  sqft: { unit: 'sq ft', label: 'Area', min: 0, max: null },
  kw_per_rack: { unit: 'kW/rack', label: 'Rack density', min: 0, max: null },
} as const satisfies Record<string, { unit: string; label: string; min: number | null; max: number | null }>;
export type FigureKind = keyof typeof FIGURE_KINDS;
export const FIGURE_KIND_NAMES = Object.keys(FIGURE_KINDS) as FigureKind[];

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-12-31')
  .refine((value) => {
    const parsed = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
  }, 'Not a real date');

/** Why `value` cannot be a figure of `kind` (a short sentence), or null when it can. Null values (unknown yet) always can. */
export function figureValueProblem(kind: FigureKind, value: number | null): string | null {
  if (value === null) return null;
  if (!Number.isFinite(value)) return 'A figure must be a number';
  const bounds = FIGURE_KINDS[kind];
  if (bounds.min !== null && value < bounds.min) return `${bounds.label} in ${bounds.unit} cannot be negative`;
  if (bounds.max !== null && value > bounds.max) return `A percentage must be between 0 and 100`;
  return null;
}

/** Labels are compared without case or surrounding space: "Contracted MW" and " contracted mw" are the same figure. */
export const figureLabelKey = (label: string): string => label.trim().toLowerCase();

/** Why `figure` cannot join `others` (the item's other figures): its label is taken. Null when it can. */
export function duplicateFigureLabel(
  figure: { id?: string | undefined; label: string },
  others: readonly { id: string; label: string }[],
): string | null {
  const key = figureLabelKey(figure.label);
  const clash = others.find((other) => other.id !== figure.id && figureLabelKey(other.label) === key);
  return clash ? `This item already has a figure labelled “${clash.label.trim()}”: use another label or change that figure` : null;
}

/** The shape of a stored figure, whatever its value: readers use it so old out-of-range values are shown and flagged, not lost. */
export const FIGURE_LABEL_MAX_LENGTH = 120;
export const EVIDENCE_LABEL_MAX_LENGTH = 200;

export const storedFigureSchema = z.object({
  id: z.string().min(1).max(64),
  kind: z.enum(FIGURE_KIND_NAMES as [FigureKind, ...FigureKind[]]),
  label: z
    .string()
    .trim()
    .min(1, 'A figure needs a label')
    .max(FIGURE_LABEL_MAX_LENGTH, `A figure label can be at most ${FIGURE_LABEL_MAX_LENGTH} characters`),
  value: z.number().finite().nullable(),
});

/** A figure as it may be written: the value is checked against its kind (the UI, the import and the server's guard use this). */
export const figureSchema = storedFigureSchema.superRefine((figure, context) => {
  const problem = figureValueProblem(figure.kind, figure.value);
  if (problem) context.addIssue({ code: 'custom', message: problem, path: ['value'] });
});
export type Figure = z.infer<typeof storedFigureSchema>;

export const evidenceSchema = z.object({
  id: z.string().min(1).max(64),
  url: z.url({ protocol: /^https?$/, error: 'Use a full web address starting with https:// or http://' }),
  label: z.string().trim().max(EVIDENCE_LABEL_MAX_LENGTH, `An evidence label can be at most ${EVIDENCE_LABEL_MAX_LENGTH} characters`),
});
export type Evidence = z.infer<typeof evidenceSchema>;

/** The longest title (items and sections) and reference a document holds. */
export const TITLE_MAX_LENGTH = 500;
export const REFERENCE_MAX_LENGTH = 40;

export const titleSchema = z
  .string()
  .trim()
  .min(1, 'An item needs a title')
  .max(TITLE_MAX_LENGTH, `A title can be at most ${TITLE_MAX_LENGTH} characters`);
export const sectionTitleSchema = z
  .string()
  .trim()
  .min(1, 'A section needs a name')
  .max(TITLE_MAX_LENGTH, `A section name can be at most ${TITLE_MAX_LENGTH} characters`);

/** Due dates outside these years are typing mistakes (a two-digit year, an extra digit), not deadlines. */
export const DUE_DATE_MIN = '2000-01-01';
export const DUE_DATE_MAX = '2100-12-31';
export const DUE_DATE_RANGE_MESSAGE = 'Use a due date between the years 2000 and 2100';
/** Whether a real calendar day (YYYY-MM-DD) is a plausible due date; the UI, the import, the grid and the guard use this. */
export const isPlausibleDueDate = (value: string): boolean => value >= DUE_DATE_MIN && value <= DUE_DATE_MAX;
export const dueDateSchema = isoDate.refine(isPlausibleDueDate, DUE_DATE_RANGE_MESSAGE);

/** A request-list number such as "1.2.3" or "A-4"; optional. */
export const referenceSchema = z
  .string()
  .trim()
  .min(1, 'A reference cannot be blank: leave it out instead')
  .max(REFERENCE_MAX_LENGTH, `A reference can be at most ${REFERENCE_MAX_LENGTH} characters`);

export const itemFieldsSchema = z.object({
  title: titleSchema,
  reference: referenceSchema.nullable(),
  status: z.enum(ITEM_STATUSES),
  ownerId: z.uuid().nullable(),
  dueDate: dueDateSchema.nullable(),
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
