import { FIGURE_KINDS, type ChecklistView, type Figure, type FigureKind, type ItemView } from './schema.ts';

/** One row per item, the shape of the relational projection (`public.checklist_items`). */
export interface ProjectedItem {
  itemId: string;
  sectionId: string;
  sectionTitle: string;
  position: string;
  title: string;
  status: ItemView['status'];
  ownerId: string | null;
  dueDate: string | null;
  risk: ItemView['risk'];
  figures: Figure[];
}

export function projectItems(view: ChecklistView): ProjectedItem[] {
  return view.sections.flatMap((section) =>
    section.items.map((item) => ({
      itemId: item.id,
      sectionId: section.id,
      sectionTitle: section.title,
      position: `${section.position}/${item.position}`,
      title: item.title,
      status: item.status,
      ownerId: item.ownerId,
      dueDate: item.dueDate,
      risk: item.risk,
      figures: item.figures,
    })),
  );
}

/** Kinds whose sum means something across items: MW, dollars and floor area add up; terms, shares and densities do not. */
export const ADDITIVE_FIGURE_KINDS: ReadonlySet<FigureKind> = new Set<FigureKind>(['mw', 'usd', 'sqft']);

export interface FigureRollup {
  kind: FigureKind;
  unit: string;
  /** What the figures measure. A roll-up never mixes labels: contracted MW and deliverable MW stay apart. */
  label: string;
  count: number;
  /** The sum, for additive kinds; null where a sum would mean nothing (years, percent, kW per rack). */
  total: number | null;
  min: number;
  max: number;
}

/**
 * Rolls up the figures of the given items per kind and label (labels compared without case or surrounding
 * space), in the order of FIGURE_KINDS then label. Figures without a value are left out.
 */
export function rollupFigures(items: { figures: Figure[] }[]): FigureRollup[] {
  const groups = new Map<string, FigureRollup>();
  for (const item of items) {
    for (const figure of item.figures) {
      if (figure.value === null) continue;
      const key = `${figure.kind}\u0000${figure.label.trim().toLowerCase()}`;
      const group = groups.get(key);
      if (group) {
        group.count += 1;
        group.min = Math.min(group.min, figure.value);
        group.max = Math.max(group.max, figure.value);
        if (group.total !== null) group.total += figure.value;
      } else {
        groups.set(key, {
          kind: figure.kind,
          unit: FIGURE_KINDS[figure.kind].unit,
          label: figure.label.trim(),
          count: 1,
          total: ADDITIVE_FIGURE_KINDS.has(figure.kind) ? figure.value : null,
          min: figure.value,
          max: figure.value,
        });
      }
    }
  }
  const kindOrder = Object.keys(FIGURE_KINDS);
  return [...groups.values()].sort(
    (a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || a.label.localeCompare(b.label),
  );
}

export interface ProgressSummary {
  total: number;
  done: number;
  blocked: number;
  overdue: number;
  needsReview: number;
}

/** Progress counts; an item is overdue when it is not done and its due date is before `today` (YYYY-MM-DD). */
export function summarizeProgress(items: Pick<ItemView, 'status' | 'dueDate'>[], today: string): ProgressSummary {
  return {
    total: items.length,
    done: items.filter((item) => item.status === 'done').length,
    blocked: items.filter((item) => item.status === 'blocked').length,
    needsReview: items.filter((item) => item.status === 'needs_review').length,
    overdue: items.filter((item) => item.status !== 'done' && item.dueDate !== null && item.dueDate < today).length,
  };
}
