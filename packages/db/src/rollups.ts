import { figureSchema, rollupFigures, type Figure, type FigureRollup } from '@tieout/doc-model';

/** Figures of projected items (public.checklist_items.figures, jsonb); entries that are not valid figures are skipped. */
export function figuresFromJson(value: unknown): Figure[] {
  const list = typeof value === 'string' ? safeJson(value) : value;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    const parsed = figureSchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Roll-ups per key (deal, workstream or checklist id) of rows that carry figures. */
export function rollupsBy<K>(rows: { key: K; figures: Figure[] }[]): Map<K, FigureRollup[]> {
  const grouped = new Map<K, { figures: Figure[] }[]>();
  for (const row of rows) {
    const list = grouped.get(row.key) ?? [];
    list.push(row);
    grouped.set(row.key, list);
  }
  return new Map([...grouped].map(([key, items]) => [key, rollupFigures(items)]));
}
