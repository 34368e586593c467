import { FIGURE_KINDS, type FigureRollup } from '@tieout/doc-model';
import { formatFigure } from '~/utils/format.ts';

/** Figure totals by kind (percent averaged), e.g. "Power 1,300 MW · Amount $9B". */
export function Rollups({ label, rollups, className = '' }: { label: string; rollups: FigureRollup[]; className?: string }) {
  if (rollups.length === 0) return null;
  return (
    <ul aria-label={label} className={`flex flex-wrap gap-x-3 gap-y-1 text-xs text-slate-500 dark:text-slate-400 ${className}`}>
      {rollups.map((rollup) => (
        <li key={rollup.kind} title={`${rollup.count} ${rollup.count === 1 ? 'figure' : 'figures'}`}>
          {rollup.kind === 'percent' ? 'Avg. share' : FIGURE_KINDS[rollup.kind].label}{' '}
          <span className="font-medium tabular-nums text-slate-800 dark:text-slate-200">
            {formatFigure(rollup.kind, rollup.unit, rollup.total)}
          </span>
        </li>
      ))}
    </ul>
  );
}
