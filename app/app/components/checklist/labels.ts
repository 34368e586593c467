import { RISK_LEVELS, type ItemStatus } from '@tieout/doc-model';

export const RISK_LABELS: Record<(typeof RISK_LEVELS)[number], string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/** Status colours always come with the status text; the colour only helps scanning. */
export const STATUS_TONE: Record<ItemStatus, string> = {
  not_started: 'border-slate-300 bg-white text-slate-700 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300',
  in_progress: 'border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-200',
  needs_review: 'border-violet-300 bg-violet-50 text-violet-900 dark:border-violet-800 dark:bg-violet-950 dark:text-violet-200',
  blocked: 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200',
  done: 'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
};

export const RISK_TONE: Record<string, string> = {
  '': '',
  low: '',
  medium: 'text-amber-800 dark:text-amber-300',
  high: 'text-orange-800 dark:text-orange-300',
  critical: 'font-semibold text-red-800 dark:text-red-300',
};

export const iconButtonClass =
  'inline-flex h-7 w-7 shrink-0 items-center justify-center rounded text-slate-500 hover:bg-slate-100 hover:text-slate-900 pointer-coarse:h-11 pointer-coarse:w-11 ' +
  'disabled:cursor-not-allowed disabled:opacity-30 disabled:hover:bg-transparent dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-slate-100';

export const smallButtonClass =
  'inline-flex h-8 shrink-0 items-center justify-center rounded-md border border-slate-300 bg-white px-2.5 text-sm font-medium text-slate-700 pointer-coarse:h-11 ' +
  'hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800';

/** Compact form controls for dense rows (no padding or colour classes to fight with). */
export const controlBase =
  'h-8 rounded-md border text-sm shadow-xs focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/30 pointer-coarse:h-11 ' +
  'disabled:cursor-default disabled:shadow-none';
export const controlTone =
  'border-slate-300 bg-white text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 ' +
  'disabled:border-slate-200 disabled:bg-slate-50 disabled:text-slate-700 dark:disabled:border-slate-800 dark:disabled:bg-slate-900/60 dark:disabled:text-slate-300';
export const selectClass = `${controlBase} pl-2 pr-1`;
export const textControlClass = `${controlBase} ${controlTone} px-2 placeholder:text-slate-400`;
