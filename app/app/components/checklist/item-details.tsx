import {
  EVIDENCE_LABEL_MAX_LENGTH,
  FIGURE_KINDS,
  FIGURE_KIND_NAMES,
  FIGURE_LABEL_MAX_LENGTH,
  duplicateFigureLabel,
  figureIssues,
  figureValueProblem,
  type Evidence,
  type Figure,
  type FigureKind,
  type ItemView,
} from '@tieout/doc-model';
import { useEffect, useState, type FormEvent } from 'react';
import { useActions } from './actions.ts';
import { FieldError, useFieldError } from './field-error.tsx';
import { Icon } from './icons.tsx';
import { ItemFiles } from './item-files.tsx';
import { controlTone, iconButtonClass, selectClass, smallButtonClass, textControlClass } from './labels.ts';

type NotesComponent = (typeof import('./item-notes.tsx'))['ItemNotes'];
let notesModule: Promise<NotesComponent> | null = null;

/**
 * The editor (Tiptap + ProseMirror) is not part of the page's first load: it loads on first expand, or
 * earlier when the browser is idle (so notes still open after the connection drops). A failed load
 * (offline before it ever loaded) can be retried, unlike React.lazy, which caches the failure.
 */
export function loadNotesEditor(): Promise<NotesComponent> {
  notesModule ??= import('./item-notes.tsx').then(
    (module) => module.ItemNotes,
    (error: unknown) => {
      notesModule = null;
      throw error;
    },
  );
  return notesModule;
}

function useNotesEditor(): { Notes: NotesComponent | null; failed: boolean; retry: () => void } {
  const [state, setState] = useState<{ Notes: NotesComponent | null; failed: boolean }>({ Notes: null, failed: false });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let cancelled = false;
    loadNotesEditor().then(
      (Notes) => !cancelled && setState({ Notes, failed: false }),
      () => !cancelled && setState({ Notes: null, failed: true }),
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);
  return { ...state, retry: () => setAttempt((n) => n + 1) };
}

const inputClass = textControlClass;

/** Notes, figures and evidence of one item (shown when the row is expanded). */
export function ItemDetails({ item, editable }: { item: ItemView; editable: boolean }) {
  const actions = useActions();
  const { Notes, failed, retry } = useNotesEditor();
  return (
    <div className="grid gap-3 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <div>
        <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">Notes</h3>
        {Notes ? (
          <Notes doc={actions.doc} provider={actions.provider} itemId={item.id} itemTitle={item.title} user={actions.user} editable={editable} />
        ) : failed ? (
          <p role="alert" className="text-sm text-slate-600 dark:text-slate-300">
            The notes editor could not be loaded (it needs the connection once).{' '}
            <button type="button" onClick={retry} className="font-medium text-sky-700 underline dark:text-sky-400">
              Try again
            </button>
          </p>
        ) : (
          <p className="text-sm text-slate-400">Loading notes…</p>
        )}
      </div>
      <div className="space-y-3">
        <FiguresEditor item={item} editable={editable} />
        <EvidenceList item={item} editable={editable} />
        <ItemFiles item={item} editable={editable} />
      </div>
    </div>
  );
}

function parseValue(raw: string): { value: number | null } | { error: string } {
  const cleaned = raw.replace(/[,\s$%]/g, '');
  if (cleaned === '') return { value: null };
  const value = Number(cleaned);
  return Number.isFinite(value) ? { value } : { error: 'Enter a number, e.g. 1300 or 12.5' };
}

function FiguresEditor({ item, editable }: { item: ItemView; editable: boolean }) {
  const actions = useActions();
  const [kind, setKind] = useState<FigureKind>('mw');
  const [label, setLabel] = useState('');
  const [value, setValue] = useState('');
  const { error, setError, errorId, invalidProps } = useFieldError();
  // Old data written before values were checked is shown, flagged, and left out of roll-ups.
  const issues = figureIssues(item.figures);
  const onAdd = (event: FormEvent) => {
    event.preventDefault();
    if (!label.trim()) return setError('Give the figure a label, e.g. Contracted power');
    const parsed = parseValue(value);
    if ('error' in parsed) return setError(parsed.error);
    // The doc model's checks (the server's guard applies the same): a value in range for its kind, a label not taken.
    const problem = figureValueProblem(kind, parsed.value) ?? duplicateFigureLabel({ label }, item.figures);
    if (problem) return setError(problem);
    if (actions.saveFigure(item.id, { kind, label: label.trim(), value: parsed.value }, setError)) {
      setLabel('');
      setValue('');
    }
  };
  return (
    <section aria-label={`Figures of ${item.title}`}>
      <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">Figures</h3>
      {item.figures.length === 0 ? <p className="text-sm text-slate-500">No figures yet.</p> : null}
      <ul className="space-y-1">
        {item.figures.map((figure) => (
          <FigureRow key={figure.id} figure={figure} itemId={item.id} itemTitle={item.title} editable={editable} issue={issues.get(figure.id)} />
        ))}
      </ul>
      <form onSubmit={onAdd} className="mt-2 flex flex-wrap items-center gap-1.5" noValidate>
        <select
          aria-label={`New figure kind for ${item.title}`}
          value={kind}
          disabled={!editable}
          onChange={(event) => setKind(event.target.value as FigureKind)}
          className={`${selectClass} ${controlTone} w-28`}
        >
          {FIGURE_KIND_NAMES.map((name) => (
            <option key={name} value={name}>
              {FIGURE_KINDS[name].unit}
            </option>
          ))}
        </select>
        <input
          aria-label={`New figure label for ${item.title}`}
          placeholder="Label"
          maxLength={FIGURE_LABEL_MAX_LENGTH}
          value={label}
          disabled={!editable}
          onChange={(event) => setLabel(event.target.value)}
          {...invalidProps}
          className={`${inputClass} min-w-0 flex-1`}
        />
        <input
          aria-label={`New figure value for ${item.title}`}
          placeholder="Value"
          inputMode="decimal"
          value={value}
          disabled={!editable}
          onChange={(event) => setValue(event.target.value)}
          {...invalidProps}
          className={`${inputClass} w-24`}
        />
        <button type="submit" disabled={!editable} aria-label={`Add figure to ${item.title}`} className={smallButtonClass}>
          Add
        </button>
        <FieldError id={errorId} error={error} />
      </form>
    </section>
  );
}

function FigureRow({
  figure,
  itemId,
  itemTitle,
  editable,
  issue,
}: {
  figure: Figure;
  itemId: string;
  itemTitle: string;
  editable: boolean;
  issue?: string | undefined;
}) {
  const actions = useActions();
  const unit = FIGURE_KINDS[figure.kind].unit;
  const [draft, setDraft] = useState(figure.value === null ? '' : String(figure.value));
  const { error, setError, errorId, invalidProps } = useFieldError();
  useEffect(() => setDraft(figure.value === null ? '' : String(figure.value)), [figure.value]);
  const commit = () => {
    const parsed = parseValue(draft);
    if ('error' in parsed) return setError(parsed.error);
    const problem = figureValueProblem(figure.kind, parsed.value);
    if (problem) return setError(problem);
    if (parsed.value !== figure.value) actions.saveFigure(itemId, { ...figure, value: parsed.value }, setError);
    else setError(null);
  };
  return (
    <li className="flex flex-wrap items-center gap-1.5 text-sm">
      <span className="min-w-0 flex-1 truncate text-slate-700 dark:text-slate-300" title={figure.label}>
        {figure.label}
      </span>
      <input
        aria-label={`${figure.label} (${unit}) of ${itemTitle}`}
        inputMode="decimal"
        value={draft}
        placeholder="Unknown"
        disabled={!editable}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            commit();
          } else if (event.key === 'Escape') {
            setDraft(figure.value === null ? '' : String(figure.value));
            setError(null);
          }
        }}
        {...invalidProps}
        className={`${inputClass} w-24 text-right tabular-nums`}
      />
      <span className="w-12 text-xs text-slate-500">{unit}</span>
      <button
        type="button"
        aria-label={`Remove figure ${figure.label} from ${itemTitle}`}
        disabled={!editable}
        onClick={() => actions.removeFigure(itemId, figure.id)}
        className={iconButtonClass}
      >
        <Icon name="close" className="h-3.5 w-3.5" />
      </button>
      <FieldError id={errorId} error={error} />
      {issue ? (
        <p className="w-full text-xs text-amber-700 dark:text-amber-400" role="note">
          {issue}: not counted in totals
        </p>
      ) : null}
    </li>
  );
}

function linkText(evidence: Evidence): string {
  if (evidence.label) return evidence.label;
  try {
    const url = new URL(evidence.url);
    return `${url.hostname}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return evidence.url;
  }
}

function EvidenceList({ item, editable }: { item: ItemView; editable: boolean }) {
  const actions = useActions();
  const [url, setUrl] = useState('');
  const [label, setLabel] = useState('');
  const { error, setError, errorId, invalidProps } = useFieldError();
  const onAdd = (event: FormEvent) => {
    event.preventDefault();
    const problem = actions.addEvidence(item.id, url.trim(), label.trim());
    setError(problem);
    if (!problem) {
      setUrl('');
      setLabel('');
    }
  };
  return (
    <section aria-label={`Evidence for ${item.title}`}>
      <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">Evidence</h3>
      {item.evidence.length === 0 ? <p className="text-sm text-slate-500">No links yet.</p> : null}
      <ul className="space-y-1">
        {item.evidence.map((evidence) => (
          <li key={evidence.id} className="flex items-center gap-1.5 text-sm">
            <a
              href={evidence.url}
              target="_blank"
              rel="noopener noreferrer nofollow"
              className="min-w-0 flex-1 truncate text-sky-700 underline-offset-2 hover:underline dark:text-sky-400"
              title={evidence.url}
            >
              {linkText(evidence)}
            </a>
            <button
              type="button"
              aria-label={`Remove evidence ${linkText(evidence)} from ${item.title}`}
              disabled={!editable}
              onClick={() => actions.removeEvidence(item.id, evidence.id)}
              className={iconButtonClass}
            >
              <Icon name="close" className="h-3.5 w-3.5" />
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={onAdd} className="mt-2 flex flex-wrap gap-1.5" noValidate>
        <input
          type="url"
          aria-label={`Evidence link for ${item.title}`}
          placeholder="https://…"
          value={url}
          disabled={!editable}
          onChange={(event) => setUrl(event.target.value)}
          {...invalidProps}
          className={`${inputClass} min-w-0 flex-[2]`}
        />
        <input
          aria-label={`Evidence label for ${item.title}`}
          placeholder="Label (optional)"
          maxLength={EVIDENCE_LABEL_MAX_LENGTH}
          value={label}
          disabled={!editable}
          onChange={(event) => setLabel(event.target.value)}
          className={`${inputClass} min-w-0 flex-1`}
        />
        <button type="submit" disabled={!editable} aria-label={`Add evidence to ${item.title}`} className={smallButtonClass}>
          Add
        </button>
        <FieldError id={errorId} error={error} />
      </form>
    </section>
  );
}
