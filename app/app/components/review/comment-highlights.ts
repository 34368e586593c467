/*
 * Comment anchors in the notes editor: each open thread anchored to a range of the item's notes is shown as a
 * highlight (a ProseMirror inline decoration), computed on every render from the thread's Yjs relative positions
 * through y-tiptap's mapping, so it stays on the same words while others edit around them, for everyone.
 * Selecting text and choosing "Comment" turns the selection into such an anchor.
 */
import { Extension, type Editor } from '@tiptap/core';
import { Plugin, PluginKey, type EditorState } from '@tiptap/pm/state';
import { Decoration, DecorationSet } from '@tiptap/pm/view';
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap';
import * as Y from 'yjs';
import type { CommentAnchor } from '@tieout/db';

export interface HighlightedThread {
  id: string;
  anchor: CommentAnchor;
}

export interface CommentHighlightsOptions {
  /** The anchored open threads of this item (read on every render). */
  threads: () => readonly HighlightedThread[];
  /** The thread in focus (highlighted more strongly). */
  activeThreadId: () => string | null;
  /** A click on a highlight. */
  onActivate: (threadId: string) => void;
}

const key = new PluginKey('tieoutCommentHighlights');

interface SyncState {
  doc: Y.Doc;
  type: Y.XmlFragment;
  binding: { mapping: Map<Y.AbstractType<unknown>, unknown> } | null;
}

function syncState(state: EditorState): SyncState | null {
  const sync = ySyncPluginKey.getState(state) as SyncState | undefined;
  return sync?.binding ? sync : null;
}

/** The range [from, to) of a thread in the editor now, or null when its text is gone. */
export function anchorRange(state: EditorState, anchor: CommentAnchor): { from: number; to: number } | null {
  const sync = syncState(state);
  if (!sync) return null;
  try {
    const mapping = sync.binding!.mapping as never;
    const from = relativePositionToAbsolutePosition(sync.doc, sync.type, Y.createRelativePositionFromJSON(anchor.start), mapping);
    const to = relativePositionToAbsolutePosition(sync.doc, sync.type, Y.createRelativePositionFromJSON(anchor.end), mapping);
    if (from === null || to === null || to <= from) return null;
    return { from, to };
  } catch {
    return null;
  }
}

/** The editor's selection as an anchor and its text, or null when nothing is selected. */
export function selectionAnchor(editor: Editor): { anchor: CommentAnchor; quote: string } | null {
  const { state } = editor;
  let { from, to } = state.selection;
  // A read-only editor may not track the browser's selection: read it from the DOM then.
  if (from === to && typeof window !== 'undefined') {
    const selection = window.getSelection();
    if (selection && selection.rangeCount > 0 && !selection.isCollapsed && editor.view.dom.contains(selection.anchorNode)) {
      const range = selection.getRangeAt(0);
      try {
        from = editor.view.posAtDOM(range.startContainer, range.startOffset);
        to = editor.view.posAtDOM(range.endContainer, range.endOffset);
      } catch {
        return null;
      }
    }
  }
  if (to <= from) return null;
  const quote = state.doc.textBetween(from, to, ' ').trim();
  const sync = syncState(state);
  if (!quote || !sync) return null;
  const mapping = sync.binding!.mapping as never;
  // y-tiptap's relative position for `pos` names the character before it, associated to its right ("after it").
  // The start must name the first character of the range ("before it": association 0), so that text typed or
  // moved just before the range never enters it; the end names the last character ("after it"), so that typing right
  // after the range does not extend it.
  const first = absolutePositionToRelativePosition(from + 1, sync.type, mapping) as Y.RelativePosition;
  const start =
    first.item !== null
      ? new Y.RelativePosition(first.type, first.tname, first.item, 0)
      : (absolutePositionToRelativePosition(from, sync.type, mapping) as Y.RelativePosition);
  const end = absolutePositionToRelativePosition(to, sync.type, mapping) as Y.RelativePosition;
  const endJson = Y.relativePositionToJSON(end);
  return { anchor: { start: Y.relativePositionToJSON(start), end: endJson }, quote: quote.slice(0, 1000) };
}

export const CommentHighlights = Extension.create<CommentHighlightsOptions>({
  name: 'tieoutCommentHighlights',
  addOptions() {
    return { threads: () => [], activeThreadId: () => null, onActivate: () => {} };
  },
  addProseMirrorPlugins() {
    const options = this.options;
    return [
      new Plugin({
        key,
        props: {
          decorations(state) {
            const active = options.activeThreadId();
            const decorations = options.threads().flatMap((thread) => {
              const range = anchorRange(state, thread.anchor);
              if (!range) return [];
              return [
                Decoration.inline(range.from, range.to, {
                  class:
                    thread.id === active
                      ? 'comment-anchor comment-anchor-active rounded-sm bg-amber-300 ring-1 ring-amber-500 dark:bg-amber-600/70'
                      : 'comment-anchor rounded-sm bg-amber-100 underline decoration-amber-500 decoration-2 dark:bg-amber-900/60',
                  'data-thread-id': thread.id,
                }),
              ];
            });
            return decorations.length ? DecorationSet.create(state.doc, decorations) : DecorationSet.empty;
          },
          handleClick(view, _pos, event) {
            const target = (event.target as HTMLElement | null)?.closest?.('[data-thread-id]');
            const id = target?.getAttribute('data-thread-id');
            if (id && target && view.dom.contains(target)) {
              options.onActivate(id);
              return false;
            }
            return false;
          },
        },
      }),
    ];
  },
});

/** Redraws the highlights after the threads changed (no document change happened). */
export function refreshHighlights(editor: Editor): void {
  if (!editor.isDestroyed) editor.view.dispatch(editor.state.tr.setMeta(key, Date.now()));
}
