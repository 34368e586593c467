import { isOverdue } from './dates.ts';
import {
  FIGURE_KINDS,
  figureLabelKey,
  figureValueProblem,
  type ChecklistView,
  type Evidence,
  type Figure,
  type FigureKind,
  type ItemView,
} from './schema.ts';

/** One row per item, the shape of the relational projection (`public.checklist_items`). */
export interface ProjectedItem {
  itemId: string;
  sectionId: string;
  sectionTitle: string;
  position: string;
  title: string;
  /** The request-list number ("1.2.3", "A-4"), or null when the item has none. */
  reference: string | null;
  status: ItemView['status'];
  ownerId: string | null;
  dueDate: string | null;
  risk: ItemView['risk'];
  figures: Figure[];
  /** Not a column of the projection: with the fields above, what the item's fingerprint covers (see review.ts). */
  evidence: Evidence[];
}

export function projectItems(view: ChecklistView): ProjectedItem[] {
  return view.sections.flatMap((section) =>
    section.items.map((item) => ({
      itemId: item.id,
      sectionId: section.id,
      sectionTitle: section.title,
      position: `${section.position}/${item.position}`,
      title: item.title,
      reference: item.reference,
      status: item.status,
      ownerId: item.ownerId,
      dueDate: item.dueDate,
      risk: item.risk,
      figures: item.figures,
      evidence: item.evidence,
    })),
  );
}

/** Kinds whose sum means something across items: MW, dollars and floor area add up; terms, shares and densities do not. */
export const ADDITIVE_FIGURE_KINDS: ReadonlySet<FigureKind> = new Set<FigureKind>(['mw', 'usd', 'sqft']);

/** One side of a roll-up: the figures of verified (approved) items, or of the others. */
export interface RollupPart {
  /** Figures added up (or ranged). */
  count: number;
  /** Distinct items they come from. */
  items: number;
  /** The sum, for additive kinds; null where a sum would mean nothing, or when there is nothing to add. */
  total: number | null;
  min: number | null;
  max: number | null;
}

export interface FigureRollup {
  kind: FigureKind;
  unit: string;
  /** What the figures measure. A roll-up never mixes labels: contracted MW and deliverable MW stay apart. */
  label: string;
  /** Whether `total` is a sum (MW, USD, sq ft) or the figures are shown as their range (years, percent, kW per rack). */
  additive: boolean;
  /** All counted figures: verified and unverified together. */
  count: number;
  items: number;
  /** The sum, for additive kinds; null where a sum would mean nothing (years, percent, kW per rack). */
  total: number | null;
  min: number;
  max: number;
  /** Figures of items a reviewer approved. */
  verified: RollupPart;
  /** Figures of items nobody approved (yet, or since they changed). */
  unverified: RollupPart;
  /** Figures left out because their value cannot be right (out of range for the kind, or a label used twice on one item). */
  flagged: number;
}

export interface RollupInput {
  figures: readonly Figure[];
  /** True when a reviewer approved the item as it is (item_review_states.state = 'approved'). */
  verified?: boolean;
  /** Identifies the item, so `items` counts items and not figures; defaults to the position in the list. */
  key?: string;
}

/** Why a stored figure does not count: a value out of range for its kind, or another figure of the item with the same label. */
export function figureIssues(figures: readonly Figure[]): Map<string, string> {
  const issues = new Map<string, string>();
  const byLabel = new Map<string, Figure[]>();
  for (const figure of figures) {
    const problem = figureValueProblem(figure.kind, figure.value);
    if (problem) issues.set(figure.id, problem);
    const key = figureLabelKey(figure.label);
    byLabel.set(key, [...(byLabel.get(key) ?? []), figure]);
  }
  for (const same of byLabel.values()) {
    if (same.length < 2) continue;
    for (const figure of same)
      if (!issues.has(figure.id)) issues.set(figure.id, `The label “${figure.label.trim()}” is used ${same.length} times on this item`);
  }
  return issues;
}

const emptyPart = (): RollupPart => ({ count: 0, items: 0, total: null, min: null, max: null });

function addTo(part: RollupPart, value: number, additive: boolean, newItem: boolean): void {
  part.count += 1;
  if (newItem) part.items += 1;
  part.min = part.min === null ? value : Math.min(part.min, value);
  part.max = part.max === null ? value : Math.max(part.max, value);
  if (additive) part.total = (part.total ?? 0) + value;
}

/**
 * Rolls up the figures of the given items per kind and label (labels compared without case or surrounding
 * space), in the order of FIGURE_KINDS then label, verified and unverified side by side. Figures without a value
 * are left out; so are figures whose value cannot be right (old data written before values were checked), which
 * are counted in `flagged` instead.
 */
export function rollupFigures(items: readonly RollupInput[]): FigureRollup[] {
  const groups = new Map<string, FigureRollup & { seen: Set<string>; seenVerified: Set<string>; seenUnverified: Set<string> }>();
  items.forEach((item, index) => {
    const itemKey = item.key ?? String(index);
    const issues = figureIssues(item.figures);
    for (const figure of item.figures) {
      const key = `${figure.kind}\u0000${figureLabelKey(figure.label)}`;
      let group = groups.get(key);
      if (!group) {
        if (figure.value === null) continue;
        const additive = ADDITIVE_FIGURE_KINDS.has(figure.kind);
        group = {
          kind: figure.kind,
          unit: FIGURE_KINDS[figure.kind].unit,
          label: figure.label.trim(),
          additive,
          count: 0,
          items: 0,
          total: additive ? 0 : null,
          min: Number.POSITIVE_INFINITY,
          max: Number.NEGATIVE_INFINITY,
          verified: emptyPart(),
          unverified: emptyPart(),
          flagged: 0,
          seen: new Set(),
          seenVerified: new Set(),
          seenUnverified: new Set(),
        };
        groups.set(key, group);
      }
      if (figure.value === null) continue;
      if (issues.has(figure.id)) {
        group.flagged += 1;
        continue;
      }
      const value = figure.value;
      group.count += 1;
      if (!group.seen.has(itemKey)) {
        group.seen.add(itemKey);
        group.items += 1;
      }
      group.min = Math.min(group.min, value);
      group.max = Math.max(group.max, value);
      if (group.total !== null) group.total += value;
      const [part, seen] = item.verified ? [group.verified, group.seenVerified] : [group.unverified, group.seenUnverified];
      addTo(part, value, group.additive, !seen.has(itemKey));
      seen.add(itemKey);
    }
  });
  const kindOrder = Object.keys(FIGURE_KINDS);
  return [...groups.values()]
    .filter((group) => group.count > 0 || group.flagged > 0)
    .map(({ seen: _seen, seenVerified: _v, seenUnverified: _u, ...group }) =>
      group.count > 0 ? group : { ...group, total: group.additive ? 0 : null, min: 0, max: 0 },
    )
    .sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || a.label.localeCompare(b.label));
}

/** Counts of a checklist, workstream or deal: one definition for the pages, the projection and the roll-ups. */
export interface Progress {
  total: number;
  done: number;
  blocked: number;
  overdue: number;
  needsReview: number;
}

/** Progress counts; overdue as `isOverdue` says (see dates.ts). */
export function summarizeProgress(items: Pick<ItemView, 'status' | 'dueDate'>[], today: string): Progress {
  return {
    total: items.length,
    done: items.filter((item) => item.status === 'done').length,
    blocked: items.filter((item) => item.status === 'blocked').length,
    needsReview: items.filter((item) => item.status === 'needs_review').length,
    overdue: items.filter((item) => isOverdue(item, today)).length,
  };
}

export const emptyProgress: Progress = { total: 0, done: 0, blocked: 0, overdue: 0, needsReview: 0 };

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
