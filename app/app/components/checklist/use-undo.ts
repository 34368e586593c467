import { itemsOf, metaOf, restoreItem, sectionsOf, snapshotItem } from '@tieout/doc-model';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/*
 * Undo and redo of your own changes (docs/decisions/123-restore-and-undo.md): one Y.UndoManager per person and page,
 * tracking only this page's own edits (origin null: the doc-model functions; plain-object origins: the title fields),
 * never what arrives from the server (the provider's origin) or the offline copy. Undoing a change someone else has
 * overwritten since leaves their value: Yjs undoes only what is still yours. Notes have the editor's own undo.
 *
 * Deletions: the person who deleted an item gets "Deleted … · Undo"; a person who was editing that item (their focus
 * was on it) is told who deleted it and can restore it as it was when they last saw it, with what they typed.
 */

export interface DeletedNotice {
  itemId: string;
  title: string;
  /** 'mine': I deleted it (Undo). 'theirs': someone deleted the item I was editing (Restore). */
  kind: 'mine' | 'theirs';
  by: string | null;
}

export interface UndoApi {
  canUndo: boolean;
  canRedo: boolean;
  undo(): void;
  redo(): void;
  deleted: DeletedNotice | null;
  dismissDeleted(): void;
  /** Undo for 'mine', restore from the last copy for 'theirs'. */
  restoreDeleted(): void;
}

const isTextTarget = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT');

export function useUndo(doc: Y.Doc | null, provider: WebsocketProvider | null, editable: boolean): UndoApi {
  const managerRef = useRef<Y.UndoManager | null>(null);
  const [stacks, setStacks] = useState({ canUndo: false, canRedo: false });
  const [deleted, setDeleted] = useState<DeletedNotice | null>(null);
  /** A copy of the item I am focused on (and its section), as of its last change: what "restore" brings back. */
  const copyRef = useRef<{ itemId: string; doc: Y.Doc } | null>(null);
  const refreshRef = useRef<() => void>(() => {});

  useEffect(() => {
    if (!doc || !provider) return;
    const manager = new Y.UndoManager([itemsOf(doc), sectionsOf(doc), metaOf(doc)], {
      trackedOrigins: new Set<unknown>([null, Object]),
      captureTimeout: 500,
    });
    managerRef.current = manager;
    const update = () => setStacks({ canUndo: manager.undoStack.length > 0, canRedo: manager.redoStack.length > 0 });
    // An undo that finds nothing left to change (someone else overwrote it) pops without a 'stack-item-popped'.
    refreshRef.current = update;
    manager.on('stack-item-added', update);
    manager.on('stack-item-popped', update);
    manager.on('stack-cleared', update);

    const focused = () => (provider.awareness.getLocalState()?.focusItemId as string | null | undefined) ?? null;
    const refreshCopy = () => {
      const itemId = focused();
      if (!itemId || !itemsOf(doc).has(itemId)) return;
      const copy = new Y.Doc();
      try {
        restoreItem(copy, doc, itemId);
      } catch {
        copy.destroy();
        return;
      }
      copyRef.current?.doc.destroy();
      copyRef.current = { itemId, doc: copy };
    };
    const titles = new Map<string, string>();
    const onTransaction = (transaction: Y.Transaction) => {
      // Someone else's edit in between: your edits before and after it are separate undo steps.
      if (!transaction.local) manager.stopCapturing();
      const items = itemsOf(doc);
      const keys = transaction.changed.get(items as unknown as Y.AbstractType<Y.YEvent<any>>);
      if (keys) {
        for (const key of keys) {
          if (key === null || items.has(key)) continue;
          const title = titles.get(key) ?? 'an item';
          const mine = transaction.local && transaction.origin !== provider;
          if (mine) {
            setDeleted({ itemId: key, title, kind: 'mine', by: null });
            provider.awareness.setLocalStateField('deletedItem', { itemId: key, at: Date.now() });
          } else if (copyRef.current?.itemId === key && focused() === key) {
            const states = [...provider.awareness.getStates().values()] as { user?: { name?: string }; deletedItem?: { itemId?: string } }[];
            const by = states.find((state) => state.deletedItem?.itemId === key)?.user?.name ?? null;
            setDeleted({ itemId: key, title, kind: 'theirs', by });
          }
        }
      }
      // Titles and the focused item's copy, for the notices above.
      transaction.changed.forEach((_keys, type) => {
        for (let current: Y.AbstractType<any> | null = type as Y.AbstractType<any>; current?._item;) {
          const parent: unknown = current._item.parent;
          if (parent === (items as unknown)) {
            const id = current._item.parentSub;
            if (id) titles.set(id, snapshotItem(doc, id)?.title ?? titles.get(id) ?? 'an item');
            break;
          }
          current = parent instanceof Y.AbstractType ? parent : null;
        }
      });
      if (focused() && items.has(focused()!)) refreshCopy();
    };
    itemsOf(doc).forEach((_value, id) => titles.set(id, snapshotItem(doc, id)?.title ?? 'an item'));
    doc.on('afterTransaction', onTransaction);
    const onAwareness = () => {
      if (focused() !== copyRef.current?.itemId) refreshCopy();
    };
    provider.awareness.on('change', onAwareness);

    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || isTextTarget(event.target)) return;
      const key = event.key.toLowerCase();
      if (key === 'z' && !event.shiftKey) {
        event.preventDefault();
        manager.undo();
        update();
      } else if ((key === 'z' && event.shiftKey) || key === 'y') {
        event.preventDefault();
        manager.redo();
        update();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      doc.off('afterTransaction', onTransaction);
      provider.awareness.off('change', onAwareness);
      manager.destroy();
      managerRef.current = null;
      copyRef.current?.doc.destroy();
      copyRef.current = null;
    };
  }, [doc, provider]);

  const undo = useCallback(() => {
    if (!editable) return;
    managerRef.current?.undo();
    refreshRef.current();
  }, [editable]);
  const redo = useCallback(() => {
    if (!editable) return;
    managerRef.current?.redo();
    refreshRef.current();
  }, [editable]);
  const restoreDeleted = useCallback(() => {
    if (!deleted || !doc || !editable) return;
    if (deleted.kind === 'mine') {
      managerRef.current?.undo();
      refreshRef.current();
    } else if (copyRef.current?.itemId === deleted.itemId) {
      restoreItem(doc, copyRef.current.doc, deleted.itemId);
    }
    setDeleted(null);
  }, [deleted, doc, editable]);
  const dismissDeleted = useCallback(() => setDeleted(null), []);
  return { ...stacks, undo, redo, deleted, dismissDeleted, restoreDeleted };
}
