import type { FigureRollup } from '@tieout/doc-model';
import { formatFigure } from '~/utils/format.ts';

/** "1,300 MW" for a sum; "7–12 years" or "10.1%" for kinds that are not summed (shown as their range). */
export function formatRollup(rollup: FigureRollup): string {
  if (rollup.total !== null) return formatFigure(rollup.kind, rollup.unit, rollup.total);
  if (rollup.min === rollup.max) return formatFigure(rollup.kind, rollup.unit, rollup.min);
  return `${formatFigure(rollup.kind, rollup.unit, rollup.min)} – ${formatFigure(rollup.kind, rollup.unit, rollup.max)}`;
}

export function describeRollup(rollup: FigureRollup): string {
  const figures = `${rollup.count} figure${rollup.count === 1 ? '' : 's'}`;
  return rollup.total !== null ? `Sum of ${figures}` : `Range of ${figures} (not summed)`;
}

export const rollupKey = (rollup: FigureRollup) => `${rollup.kind}:${rollup.label}`;

export function FigureRollups({ figures, label, size = 'sm' }: { figures: FigureRollup[]; label: string; size?: 'sm' | 'md' }) {
  if (figures.length === 0) return null;
  return (
    <dl aria-label={label} className={`flex flex-wrap gap-x-5 gap-y-2 ${size === 'md' ? 'text-sm' : 'text-xs'}`}>
      {figures.map((rollup) => (
        <div key={rollupKey(rollup)} title={describeRollup(rollup)}>
          <dt className="text-slate-500 dark:text-slate-400">{rollup.label}</dt>
          <dd className={`font-semibold tabular-nums text-slate-800 dark:text-slate-100 ${size === 'md' ? 'text-base' : ''}`}>{formatRollup(rollup)}</dd>
        </div>
      ))}
    </dl>
  );
}
