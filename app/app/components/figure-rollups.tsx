import { FIGURE_KINDS, type FigureRollup } from '@tieout/doc-model';
import { formatFigure } from '~/utils/format.ts';

/** "1,300 MW", "$10.2B", "avg 40%": totals by kind (percent figures are averaged by the doc model's roll-up). */
export function formatRollup(rollup: FigureRollup): string {
  const value = formatFigure(rollup.kind, rollup.unit, rollup.total);
  return rollup.kind === 'percent' ? `avg ${value}` : value;
}

export function FigureRollups({ figures, label, size = 'sm' }: { figures: FigureRollup[]; label: string; size?: 'sm' | 'md' }) {
  if (figures.length === 0) return null;
  return (
    <dl aria-label={label} className={`flex flex-wrap gap-x-5 gap-y-2 ${size === 'md' ? 'text-sm' : 'text-xs'}`}>
      {figures.map((rollup) => (
        <div key={rollup.kind} title={`${rollup.kind === 'percent' ? 'Average' : 'Sum'} of ${rollup.count} figure${rollup.count === 1 ? '' : 's'}`}>
          <dt className="text-slate-500 dark:text-slate-400">{FIGURE_KINDS[rollup.kind].label}</dt>
          <dd className={`font-semibold tabular-nums text-slate-800 dark:text-slate-100 ${size === 'md' ? 'text-base' : ''}`}>{formatRollup(rollup)}</dd>
        </div>
      ))}
    </dl>
  );
}
