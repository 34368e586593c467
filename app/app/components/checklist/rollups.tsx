import type { FigureRollup } from '@tieout/doc-model';
import { describeRollup, formatRollup, rollupKey } from '~/components/figure-rollups.tsx';

/** Figure roll-ups per label, inline: "Deliverable 370.5 MW · Remaining term 7 – 12 years". */
export function Rollups({ label, rollups, className = '' }: { label: string; rollups: FigureRollup[]; className?: string }) {
  if (rollups.length === 0) return null;
  return (
    <ul aria-label={label} className={`flex flex-wrap gap-x-3 gap-y-1 text-xs text-slate-500 dark:text-slate-400 ${className}`}>
      {rollups.map((rollup) => (
        <li key={rollupKey(rollup)} title={describeRollup(rollup)}>
          {rollup.label} <span className="font-medium tabular-nums text-slate-800 dark:text-slate-200">{formatRollup(rollup)}</span>
        </li>
      ))}
    </ul>
  );
}
