import {
  addEvidence,
  addItem,
  deleteItem,
  deleteSection,
  moveItem,
  moveSection,
  problemMessage,
  readChecklist,
  removeEvidence,
  removeFigure,
  renameSection,
  setFigure,
  updateItem,
  type ChecklistView,
} from '@tieout/doc-model';
import type { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import type { ConfirmRequest } from '~/components/confirm-dialog.tsx';
import type { PresenceUser } from '~/utils/collab.ts';
import type { ChecklistActions } from './actions.ts';
import type { VisibleSection } from './view.ts';

export interface PageState {
  view: ChecklistView;
  visible: VisibleSection[];
  editable: boolean;
  reorderable: boolean;
}

export const READ_ONLY_MESSAGE = 'Your role can follow this checklist but not change it.';

/** The page's actions over one document; state is read through `getState` so the object never changes. */
export function createActions(deps: {
  doc: Y.Doc;
  provider: WebsocketProvider;
  user: PresenceUser;
  getState: () => PageState;
  setError: (message: string | null) => void;
  announce: (message: string) => void;
  confirm: (request: ConfirmRequest) => Promise<boolean>;
  setSelected: (update: (selected: ReadonlySet<string>) => ReadonlySet<string>) => void;
  setFocusItem: (itemId: string | null) => void;
}): ChecklistActions {
  const { doc, getState, setError, announce } = deps;
  const pendingFocus = new Map<string, string>();

  const edit = (change: () => void, report?: (problem: string | null) => void): boolean => {
    // Controls are disabled for read-only roles; this also stops a control enabled by hand (the server
    // would drop the change anyway, but the local copy would then show something that is not saved).
    if (!getState().editable) {
      setError(READ_ONLY_MESSAGE);
      return false;
    }
    try {
      change();
      setError(null);
      report?.(null);
      return true;
    } catch (failure) {
      (report ?? setError)(problemMessage(failure));
      return false;
    }
  };

  const announceSectionPlace = (sectionId: string) => {
    const sections = readChecklist(doc).sections;
    const at = sections.findIndex((section) => section.id === sectionId);
    announce(`Moved section ${sections[at]?.title}: now ${at + 1} of ${sections.length}`);
  };

  const describePlace = (itemId: string) => {
    const view = readChecklist(doc);
    for (const section of view.sections) {
      const index = section.items.findIndex((item) => item.id === itemId);
      if (index !== -1) {
        return `${section.items[index]!.title}: now ${index + 1} of ${section.items.length} in ${section.title}`;
      }
    }
    return '';
  };

  const itemTitle = (itemId: string) =>
    getState()
      .view.sections.flatMap((section) => section.items)
      .find((item) => item.id === itemId)?.title ?? 'this item';

  const move = (itemId: string, sectionId: string, beforeId: string | null, focusControl?: string) => {
    if (!getState().reorderable) return setError('Reordering is off while the list is sorted. Choose “Checklist order” to move items.');
    if (focusControl) pendingFocus.set(itemId, focusControl);
    if (edit(() => moveItem(doc, itemId, { sectionId, beforeId }))) announce(`Moved ${describePlace(itemId)}`);
    else pendingFocus.delete(itemId);
  };

  /** The id of the item after `targetId` in its whole section (ignoring the moving item), or null at the end. */
  const afterTarget = (sectionId: string, targetId: string, movingId: string): string | null => {
    const section = getState().view.sections.find((s) => s.id === sectionId);
    const siblings = (section?.items ?? []).filter((item) => item.id !== movingId);
    const index = siblings.findIndex((item) => item.id === targetId);
    return siblings[index + 1]?.id ?? null;
  };

  return {
    doc,
    provider: deps.provider,
    user: deps.user,
    edit,
    patchItem: (itemId, patch, report) => edit(() => updateItem(doc, itemId, patch), report),

    moveItemBy(itemId, step, focusControl) {
      const { visible } = getState();
      const sectionIndex = visible.findIndex((entry) => entry.items.some((item) => item.id === itemId));
      if (sectionIndex === -1) return;
      const { section, items } = visible[sectionIndex]!;
      const index = items.findIndex((item) => item.id === itemId);
      if (step === -1) {
        if (index > 0) return move(itemId, section.id, items[index - 1]!.id, focusControl);
        const previous = visible[sectionIndex - 1];
        if (previous) move(itemId, previous.section.id, null, focusControl);
      } else {
        const next = items[index + 1];
        if (next) return move(itemId, section.id, afterTarget(section.id, next.id, itemId), focusControl);
        const following = visible[sectionIndex + 1];
        if (following) move(itemId, following.section.id, following.section.items[0]?.id ?? null, focusControl);
      }
    },

    dropItem(itemId, sectionId, targetId, place) {
      const beforeId = targetId === null ? null : place === 'before' ? targetId : afterTarget(sectionId, targetId, itemId);
      move(itemId, sectionId, beforeId, 'handle');
    },

    async deleteItem(itemId) {
      if (!getState().editable) return setError(READ_ONLY_MESSAGE);
      const title = itemTitle(itemId);
      const ok = await deps.confirm({
        title: 'Delete this item?',
        message: `“${title}” and its notes, figures and evidence will be removed for everyone.`,
        confirmLabel: 'Delete item',
      });
      if (!ok) return;
      // Focus moves to the neighbouring row, not to the top of the page.
      const row = document.querySelector(`[data-item-id="${CSS.escape(itemId)}"]`);
      const neighbour = (row?.nextElementSibling ?? row?.previousElementSibling) as HTMLElement | null;
      if (edit(() => deleteItem(doc, itemId))) {
        deps.setSelected((selected) => {
          if (!selected.has(itemId)) return selected;
          const next = new Set(selected);
          next.delete(itemId);
          return next;
        });
        announce(`Deleted ${title}`);
        neighbour?.querySelector<HTMLElement>('[data-control="title"]')?.focus();
      }
    },

    saveFigure: (itemId, figure, report) => edit(() => void setFigure(doc, itemId, figure), report),
    removeFigure: (itemId, figureId) => void edit(() => removeFigure(doc, itemId, figureId)),

    addEvidence(itemId, url, label) {
      if (!getState().editable) return READ_ONLY_MESSAGE;
      let problem: string | null = null;
      edit(
        () => void addEvidence(doc, itemId, { url, label }),
        (message) => (problem = message),
      );
      return problem;
    },
    removeEvidence: (itemId, evidenceId) => void edit(() => removeEvidence(doc, itemId, evidenceId)),

    toggleSelected(itemId, selected) {
      deps.setSelected((current) => {
        if (current.has(itemId) === selected) return current;
        const next = new Set(current);
        if (selected) next.add(itemId);
        else next.delete(itemId);
        return next;
      });
    },
    focusItem: deps.setFocusItem,

    renameSection: (sectionId, title) => edit(() => renameSection(doc, sectionId, title)),

    moveSectionBy(sectionId, step) {
      const { view, reorderable } = getState();
      if (!reorderable) return setError('Reordering is off while the list is sorted. Choose “Checklist order” to move sections.');
      const index = view.sections.findIndex((section) => section.id === sectionId);
      if (index === -1) return;
      if (step === -1 && index === 0) return;
      if (step === 1 && index === view.sections.length - 1) return;
      const beforeId = step === -1 ? view.sections[index - 1]!.id : (view.sections[index + 2]?.id ?? null);
      pendingFocus.set(sectionId, step === -1 ? 'section-up' : 'section-down');
      if (edit(() => moveSection(doc, sectionId, beforeId))) announceSectionPlace(sectionId);
    },

    dropSection(sectionId, targetId, place) {
      const { view, reorderable } = getState();
      if (!reorderable) return;
      const others = view.sections.filter((section) => section.id !== sectionId);
      const index = others.findIndex((section) => section.id === targetId);
      if (index === -1) return;
      const beforeId = place === 'before' ? targetId : (others[index + 1]?.id ?? null);
      if (edit(() => moveSection(doc, sectionId, beforeId))) announceSectionPlace(sectionId);
    },

    async deleteSection(sectionId) {
      if (!getState().editable) return setError(READ_ONLY_MESSAGE);
      const section = getState().view.sections.find((entry) => entry.id === sectionId);
      if (!section) return;
      const count = section.items.length;
      const ok = await deps.confirm({
        title: 'Delete this section?',
        message: `“${section.title}” and its ${count} ${count === 1 ? 'item' : 'items'} will be removed for everyone.`,
        confirmLabel: 'Delete section',
      });
      if (ok && edit(() => deleteSection(doc, sectionId))) announce(`Deleted section ${section.title}`);
    },

    addItem: (sectionId, title, report) => edit(() => void addItem(doc, { sectionId, title }), report),

    takePendingFocus(id) {
      const control = pendingFocus.get(id) ?? null;
      pendingFocus.delete(id);
      return control;
    },
  };
}
