import type { FigureRollup, RollupPart } from '@tieout/doc-model';
import { formatFigure } from '~/utils/format.ts';

const formatValues = (rollup: FigureRollup, part: Pick<RollupPart, 'total' | 'min' | 'max'>): string => {
  if (rollup.additive && part.total !== null) return formatFigure(rollup.kind, rollup.unit, part.total);
  if (part.min === null || part.max === null) return '—';
  if (part.min === part.max) return formatFigure(rollup.kind, rollup.unit, part.min);
  return `${formatFigure(rollup.kind, rollup.unit, part.min)} – ${formatFigure(rollup.kind, rollup.unit, part.max)}`;
};

/** "1,300 MW" for a sum; "7–12 years" or "10.1%" for kinds that are not summed (shown as their range). */
export function formatRollup(rollup: FigureRollup): string {
  return rollup.count === 0 ? '—' : formatValues(rollup, rollup);
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** What a roll-up adds up and from how many items, verified and unverified apart, and what it leaves out. */
export function describeRollup(rollup: FigureRollup): string {
  const what = `${rollup.additive ? 'Sum' : 'Range (not summed)'} of ${plural(rollup.count, 'figure')} from ${plural(rollup.items, 'item')}`;
  const parts = [
    `verified ${rollup.verified.count ? formatValues(rollup, rollup.verified) : 'none'}`,
    `unverified ${rollup.unverified.count ? formatValues(rollup, rollup.unverified) : 'none'}`,
  ];
  const flagged = rollup.flagged ? `; ${plural(rollup.flagged, 'figure')} left out because the value cannot be right` : '';
  return `${what}: ${parts.join(', ')}${flagged}`;
}

export const rollupKey = (rollup: FigureRollup) => `${rollup.kind}:${rollup.label}`;

export function FigureRollups({ figures, label, size = 'sm' }: { figures: FigureRollup[]; label: string; size?: 'sm' | 'md' }) {
  if (figures.length === 0) return null;
  return (
    <dl aria-label={label} className={`flex flex-wrap gap-x-5 gap-y-2 ${size === 'md' ? 'text-sm' : 'text-xs'}`}>
      {figures.map((rollup) => (
        <div key={rollupKey(rollup)} title={describeRollup(rollup)}>
          <dt className="text-slate-500 dark:text-slate-400">{rollup.label}</dt>
          <dd className={`font-semibold tabular-nums text-slate-800 dark:text-slate-100 ${size === 'md' ? 'text-base' : ''}`}>
            {formatRollup(rollup)}
          </dd>
          <dd className="text-[11px] text-slate-500 dark:text-slate-400">
            {rollup.verified.count > 0 ? (
              <span className="text-emerald-700 dark:text-emerald-400">{formatValues(rollup, rollup.verified)} verified</span>
            ) : (
              'none verified'
            )}
            {' · '}
            {plural(rollup.items, 'item')}
            {rollup.flagged > 0 ? <span className="text-amber-700 dark:text-amber-400"> · {rollup.flagged} left out</span> : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}
