import { percentDone, type Progress } from '@tieout/doc-model';

export function ProgressBar({ progress, label }: { progress: Progress; label: string }) {
  const percent = percentDone(progress);
  return (
    <div className="flex items-center gap-3">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${progress.done} of ${progress.total} done`}
        className="h-2 flex-1 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
      >
        <div className="h-full rounded-full bg-emerald-500 transition-[width]" style={{ width: `${percent}%` }} />
      </div>
      <span className="w-24 shrink-0 text-right text-xs tabular-nums text-slate-600 dark:text-slate-400">
        {progress.done}/{progress.total} · {percent}%
      </span>
    </div>
  );
}

export function ProgressBadges({ progress }: { progress: Progress }) {
  return (
    <ul className="flex flex-wrap gap-2 text-xs" aria-label="Attention">
      <Badge count={progress.overdue} label="overdue" tone="amber" />
      <Badge count={progress.blocked} label="blocked" tone="red" />
      <Badge count={progress.needsReview} label="needs review" tone="violet" />
    </ul>
  );
}

const tones = {
  amber: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  red: 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200',
  violet: 'bg-violet-100 text-violet-900 dark:bg-violet-950 dark:text-violet-200',
  muted: 'bg-slate-100 text-slate-500 dark:bg-slate-800 dark:text-slate-400',
} as const;

function Badge({ count, label, tone }: { count: number; label: string; tone: keyof typeof tones }) {
  return (
    <li className={`rounded-full px-2 py-0.5 font-medium tabular-nums ${count > 0 ? tones[tone] : tones.muted}`}>
      {count} {label}
    </li>
  );
}
