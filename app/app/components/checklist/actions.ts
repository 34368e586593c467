import type { Figure, ItemPatch } from '@tieout/doc-model';
import { createContext, useContext } from 'react';
import type { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import type { PresenceUser } from '~/utils/collab.ts';

/**
 * Everything a row or section can do, as one object that stays the same for the page's life, so memoized
 * rows do not re-render when unrelated state changes. Every method goes through @tieout/doc-model.
 */
export interface ChecklistActions {
  doc: Y.Doc;
  provider: WebsocketProvider;
  user: PresenceUser;
  /**
   * Runs a document change; on failure shows the error and returns false. Refused for read-only roles. With
   * `report`, the field that made the change shows its problem next to itself (and gets null when it succeeds);
   * without, the page's banner does.
   */
  edit: (change: () => void, report?: (problem: string | null) => void) => boolean;
  patchItem: (itemId: string, patch: ItemPatch, report?: (problem: string | null) => void) => boolean;
  /** Keyboard and button moves: one step within the visible order, crossing into the next section at an end. */
  moveItemBy: (itemId: string, step: -1 | 1, focusControl?: string) => void;
  /** Drag and drop (mouse and touch, see drag.ts): before `targetId` (or after it; null is the section's end). */
  dropItem: (itemId: string, targetSectionId: string, targetId: string | null, place: 'before' | 'after') => void;
  deleteItem: (itemId: string) => Promise<void>;
  saveFigure: (itemId: string, figure: Omit<Figure, 'id'> & { id?: string }, report?: (problem: string | null) => void) => boolean;
  removeFigure: (itemId: string, figureId: string) => void;
  /** Returns an error message for a bad link, or null when added. */
  addEvidence: (itemId: string, url: string, label: string) => string | null;
  removeEvidence: (itemId: string, evidenceId: string) => void;
  toggleSelected: (itemId: string, selected: boolean) => void;
  focusItem: (itemId: string | null) => void;
  renameSection: (sectionId: string, title: string) => boolean;
  moveSectionBy: (sectionId: string, step: -1 | 1) => void;
  dropSection: (sectionId: string, targetId: string, place: 'before' | 'after') => void;
  deleteSection: (sectionId: string) => Promise<void>;
  addItem: (sectionId: string, title: string, report?: (problem: string | null) => void) => boolean;
  /** After a move re-orders the DOM, the control that had focus gets it back. */
  takePendingFocus: (itemId: string) => string | null;
}

export const ActionsContext = createContext<ChecklistActions | null>(null);

export function useActions(): ChecklistActions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error('useActions outside the checklist page');
  return actions;
}
