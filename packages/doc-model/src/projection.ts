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

export interface FigureRollup {
  kind: FigureKind;
  unit: string;
  total: number;
  count: number;
}

/** Sums the figures of the given items by kind (percent figures are averaged, not summed). */
export function rollupFigures(items: { figures: Figure[] }[]): FigureRollup[] {
  const totals = new Map<FigureKind, { total: number; count: number }>();
  for (const item of items) {
    for (const figure of item.figures) {
      if (figure.value === null) continue;
      const entry = totals.get(figure.kind) ?? { total: 0, count: 0 };
      entry.total += figure.value;
      entry.count += 1;
      totals.set(figure.kind, entry);
    }
  }
  return [...totals.entries()].map(([kind, { total, count }]) => ({
    kind,
    unit: FIGURE_KINDS[kind].unit,
    total: kind === 'percent' ? total / count : total,
    count,
  }));
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
