import { Link } from '@remix-run/react';
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

/** Where each badge leads: the matching items in the cross-checklist list (e.g. `?due=overdue`). */
export type BadgeLinks = (query: { due?: string; status?: string }) => string;

export function ProgressBadges({ progress, links }: { progress: Progress; links?: BadgeLinks }) {
  return (
    <ul className="relative z-10 flex flex-wrap gap-2 text-xs" aria-label="Attention">
      <Badge count={progress.overdue} label="overdue" tone="amber" to={links?.({ due: 'overdue' })} />
      <Badge count={progress.blocked} label="blocked" tone="red" to={links?.({ status: 'blocked' })} />
      <Badge count={progress.needsReview} label="needs review" tone="violet" to={links?.({ status: 'needs_review' })} />
    </ul>
  );
}

const tones = {
  amber: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  red: 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200',
  violet: 'bg-violet-100 text-violet-900 dark:bg-violet-950 dark:text-violet-200',
  muted: 'bg-slate-100 text-slate-500 dark:bg-slate-800 dark:text-slate-400',
} as const;

function Badge({ count, label, tone, to }: { count: number; label: string; tone: keyof typeof tones; to?: string | undefined }) {
  const className = `rounded-full px-2 py-0.5 font-medium tabular-nums ${count > 0 ? tones[tone] : tones.muted}`;
  return (
    <li>
      {to ? (
        <Link to={to} className={`${className} inline-block hover:ring-2 hover:ring-sky-400`}>
          {count} {label}
        </Link>
      ) : (
        <span className={`${className} inline-block`}>
          {count} {label}
        </span>
      )}
    </li>
  );
}
