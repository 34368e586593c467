import { smallButtonClass } from './labels.ts';
import type { UndoApi } from './use-undo.ts';

/** Undo / Redo buttons (Ctrl+Z, Ctrl+Shift+Z) and the notice about a deleted item, with its Undo or Restore. */
export function UndoBar({ undo, editable }: { undo: UndoApi; editable: boolean }) {
  const notice = undo.deleted;
  return (
    <div className="flex flex-wrap items-center gap-2">
      <div role="toolbar" aria-label="History of your changes" className="flex gap-1">
        <button
          type="button"
          className={smallButtonClass}
          disabled={!editable || !undo.canUndo}
          onClick={undo.undo}
          aria-keyshortcuts="Control+Z"
          title="Undo your last change (Ctrl+Z)"
        >
          Undo
        </button>
        <button
          type="button"
          className={smallButtonClass}
          disabled={!editable || !undo.canRedo}
          onClick={undo.redo}
          aria-keyshortcuts="Control+Shift+Z"
          title="Redo (Ctrl+Shift+Z)"
        >
          Redo
        </button>
      </div>
      {notice ? (
        <p
          role="status"
          className="flex items-center gap-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-1.5 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100"
        >
          {notice.kind === 'mine' ? `Deleted “${notice.title}”` : `${notice.by ?? 'Someone'} deleted “${notice.title}” while you were editing it`}
          <button type="button" className="font-medium underline" disabled={!editable} onClick={undo.restoreDeleted}>
            {notice.kind === 'mine' ? 'Undo' : 'Restore it with your changes'}
          </button>
          <button type="button" className="text-xs underline" onClick={undo.dismissDeleted}>
            Dismiss
          </button>
        </p>
      ) : null}
    </div>
  );
}
