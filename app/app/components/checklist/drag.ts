/**
 * Drag and drop of items and sections, for two kinds of input:
 * - mouse: native HTML5 drag and drop (the handle is `draggable`, the section card takes dragover and drop);
 * - touch and pen: pointer events on the handle, because HTML5 drag does not start from a finger in most
 *   mobile browsers. The handle has `touch-action: none`, so the finger drags instead of scrolling the page.
 * Both find the drop target the same way (`findDropTarget`), show it through one indicator store
 * (`useDropIndicator`) and end in the same action (`applyDrop`). See docs/decisions/083-touch-drag.md.
 */
import { useCallback, useSyncExternalStore, type DragEvent, type PointerEvent as ReactPointerEvent, type RefObject } from 'react';
import { useActions, type ChecklistActions } from './actions.ts';

export type DragKind = 'item' | 'section';
export interface Dragged {
  kind: DragKind;
  id: string;
}

/** Where a drop lands: before/after an item, before/after a section, or at the end of a section (items only). */
export type DropTarget =
  | { kind: 'item'; id: string; sectionId: string; place: 'before' | 'after' }
  | { kind: 'section'; id: string; place: 'before' | 'after' }
  | { kind: 'section-end'; id: string };

export type DropIndicator = 'before' | 'after' | 'end';

const DRAG_TYPES: Record<DragKind, string> = {
  item: 'application/x-tieout-item',
  section: 'application/x-tieout-section',
};

/** Above or below the middle of `element`. */
export function dropPlace(clientY: number, element: Element): 'before' | 'after' {
  const box = element.getBoundingClientRect();
  return clientY < box.top + box.height / 2 ? 'before' : 'after';
}

/**
 * The drop target for `dragged` at the element under the pointer: an item row (before/after), or for an item
 * anywhere else in a section card, that section's end; for a section, the section card (before/after).
 * Null over the dragged thing itself and outside every section. `dragged.id` is null when unknown (a mouse
 * drag only reveals its data on drop).
 */
export function findDropTarget(dragged: { kind: DragKind; id: string | null }, under: Element | null, clientY: number): DropTarget | null {
  const sectionElement = under?.closest<HTMLElement>('section[data-section-id]');
  const sectionId = sectionElement?.dataset.sectionId;
  if (!under || !sectionElement || !sectionId) return null;
  if (dragged.kind === 'section') {
    return sectionId === dragged.id ? null : { kind: 'section', id: sectionId, place: dropPlace(clientY, sectionElement) };
  }
  const row = under.closest<HTMLElement>('li[data-item-id]');
  const itemId = row && sectionElement.contains(row) ? row.dataset.itemId : undefined;
  if (row && itemId) return itemId === dragged.id ? null : { kind: 'item', id: itemId, sectionId, place: dropPlace(clientY, row) };
  return { kind: 'section-end', id: sectionId };
}

/** Performs a drop through the page's actions (which check permissions and sorting, and announce the move). */
export function applyDrop(actions: ChecklistActions, dragged: Dragged, target: DropTarget): void {
  if (dragged.kind === 'section') {
    if (target.kind === 'section') actions.dropSection(dragged.id, target.id, target.place);
  } else if (target.kind === 'item') {
    actions.dropItem(dragged.id, target.sectionId, target.id, target.place);
  } else if (target.kind === 'section-end') {
    actions.dropItem(dragged.id, target.id, null, 'after');
  }
}

// The indicator store: which row or section shows the drop line, and which one a finger is carrying.
// Listeners are kept per row/section, so a pointer move re-renders only the rows whose indicator changed.
const itemKey = (id: string) => `item:${id}`;
const sectionKey = (id: string) => `section:${id}`;
let shownIndicator: { key: string; indicator: DropIndicator } | null = null;
let carriedKey: string | null = null;
const listeners = new Map<string, Set<() => void>>();

function notify(key: string | null | undefined) {
  if (key) listeners.get(key)?.forEach((listener) => listener());
}

function showDropTarget(target: DropTarget | null) {
  const next =
    target === null
      ? null
      : target.kind === 'item'
        ? { key: itemKey(target.id), indicator: target.place }
        : { key: sectionKey(target.id), indicator: target.kind === 'section' ? target.place : ('end' as const) };
  if (next?.key === shownIndicator?.key && next?.indicator === shownIndicator?.indicator) return;
  const previous = shownIndicator?.key;
  shownIndicator = next;
  notify(previous);
  notify(next?.key);
}

function setCarried(dragged: Dragged | null) {
  const previous = carriedKey;
  carriedKey = dragged ? (dragged.kind === 'item' ? itemKey(dragged.id) : sectionKey(dragged.id)) : null;
  notify(previous);
  notify(carriedKey);
}

function useKeyedStore<T>(key: string, read: (key: string) => T): T {
  const subscribe = useCallback(
    (listener: () => void) => {
      let set = listeners.get(key);
      if (!set) listeners.set(key, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(key);
      };
    },
    [key],
  );
  return useSyncExternalStore(
    subscribe,
    () => read(key),
    () => read(''),
  );
}

const readIndicator = (key: string) => (shownIndicator?.key === key ? shownIndicator.indicator : null);
const readCarried = (key: string) => carriedKey === key;

/** The drop line (or end-of-section highlight) to show on this row or section, if any. */
export function useDropIndicator(kind: DragKind, id: string): DropIndicator | null {
  return useKeyedStore(kind === 'item' ? itemKey(id) : sectionKey(id), readIndicator);
}

/** True while a finger carries this row or section (a mouse drag has the browser's drag image instead). */
export function useIsCarried(kind: DragKind, id: string): boolean {
  return useKeyedStore(kind === 'item' ? itemKey(id) : sectionKey(id), readCarried);
}

// Mouse: HTML5 drag and drop. The dragged id is only readable on drop, so this page's own drag is remembered
// to leave out the dragged row itself while hovering.
let mouseDragged: Dragged | null = null;
/** A touch or pen drag is under way (one at a time; see startTouchDrag). */
let touchDragActive = false;

function draggedKind(dataTransfer: DataTransfer): DragKind | null {
  if (dataTransfer.types.includes(DRAG_TYPES.section)) return 'section';
  if (dataTransfer.types.includes(DRAG_TYPES.item)) return 'item';
  return null;
}

/** dragover/dragleave/drop for a section card: it takes drops on itself and on its rows. */
export function useDropZone(enabled: boolean) {
  const actions = useActions();
  if (!enabled) return {};
  return {
    onDragOver(event: DragEvent<HTMLElement>) {
      const kind = draggedKind(event.dataTransfer);
      if (!kind) return;
      const id = mouseDragged?.kind === kind ? mouseDragged.id : null;
      const target = findDropTarget({ kind, id }, event.target as Element, event.clientY);
      showDropTarget(target);
      if (!target) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
    },
    onDragLeave(event: DragEvent<HTMLElement>) {
      if (!event.currentTarget.contains(event.relatedTarget as Node | null)) showDropTarget(null);
    },
    onDrop(event: DragEvent<HTMLElement>) {
      showDropTarget(null);
      const kind = draggedKind(event.dataTransfer);
      const id = kind ? event.dataTransfer.getData(DRAG_TYPES[kind]) : '';
      if (!kind || !id) return;
      event.preventDefault();
      const target = findDropTarget({ kind, id }, event.target as Element, event.clientY);
      if (target) applyDrop(actions, { kind, id }, target);
    },
  };
}

/**
 * Props for a drag handle: HTML5 drag for the mouse, a pointer-event drag for touch and pen.
 * Give the handle the `touch-action: none` style (Tailwind `touch-none`) while enabled.
 */
export function useDragHandle(dragged: Dragged, enabled: boolean, dragImage?: RefObject<HTMLElement>) {
  const actions = useActions();
  if (!enabled) return { draggable: false };
  return {
    draggable: true,
    onDragStart(event: DragEvent<HTMLElement>) {
      // A long press can start a native drag on some touch browsers; the pointer drag already has it.
      if (touchDragActive) return event.preventDefault();
      mouseDragged = dragged;
      event.dataTransfer.setData(DRAG_TYPES[dragged.kind], dragged.id);
      event.dataTransfer.effectAllowed = 'move';
      if (dragImage?.current) event.dataTransfer.setDragImage(dragImage.current, 16, 16);
    },
    onDragEnd() {
      mouseDragged = null;
      showDropTarget(null);
    },
    onPointerDown(event: ReactPointerEvent<HTMLElement>) {
      if (event.pointerType === 'mouse' || !event.isPrimary || touchDragActive) return;
      startTouchDrag(actions, dragged, event.nativeEvent, event.currentTarget);
    },
    onContextMenu(event: { preventDefault: () => void }) {
      // A long press opens the context menu on Android, which would end the drag.
      if (touchDragActive) event.preventDefault();
    },
  };
}

// Touch and pen: driven by window listeners for the drag's length, so a re-rendered row cannot lose it.

/** Finger movement (px) before a press on the handle becomes a drag; less is a tap. */
const DRAG_THRESHOLD = 4;
/** Height (px) of the band at the top and bottom of the viewport in which the page scrolls. */
const SCROLL_EDGE = 56;
/** Fastest auto-scroll, in px per frame, reached at the very edge. */
const SCROLL_MAX_STEP = 18;

/** Auto-scroll step (px, negative is up) for a finger at `y`, with the visible page between `top` and `bottom`. */
export function autoScrollStep(y: number, top: number, bottom: number): number {
  const speed = (depth: number) => Math.ceil(SCROLL_MAX_STEP * Math.min(1, depth / SCROLL_EDGE));
  if (y < top + SCROLL_EDGE) return -speed(top + SCROLL_EDGE - y);
  if (y > bottom - SCROLL_EDGE) return speed(y - (bottom - SCROLL_EDGE));
  return 0;
}

/** The bottom of whatever is pinned over the top of the viewport (the sticky filter bar), or 0. */
function pinnedTop(x: number): number {
  for (let element = document.elementFromPoint(x, 0); element; element = element.parentElement) {
    const { position } = getComputedStyle(element);
    if (position === 'sticky' || position === 'fixed') return Math.max(0, element.getBoundingClientRect().bottom);
  }
  return 0;
}

function startTouchDrag(actions: ChecklistActions, dragged: Dragged, start: PointerEvent, handle: HTMLElement) {
  const { pointerId } = start;
  let point = { x: start.clientX, y: start.clientY };
  let dragging = false;
  let target: DropTarget | null = null;
  let frame = 0;

  const locate = () => {
    target = findDropTarget(dragged, document.elementFromPoint(point.x, point.y), point.y);
    showDropTarget(target);
  };
  const scroll = () => {
    frame = requestAnimationFrame(scroll);
    if (!dragging) return;
    const step = autoScrollStep(point.y, pinnedTop(point.x), window.innerHeight);
    if (step === 0) return;
    const before = window.scrollY;
    window.scrollBy(0, step);
    // The page moved under a still finger: what it points at changed.
    if (window.scrollY !== before) locate();
  };
  const onMove = (event: PointerEvent) => {
    if (event.pointerId !== pointerId) return;
    point = { x: event.clientX, y: event.clientY };
    if (!dragging) {
      if (Math.hypot(point.x - start.clientX, point.y - start.clientY) < DRAG_THRESHOLD) return;
      dragging = true;
      setCarried(dragged);
    }
    locate();
  };
  const finish = (drop: boolean) => {
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onUp);
    window.removeEventListener('pointercancel', onCancel);
    window.removeEventListener('keydown', onKey, true);
    cancelAnimationFrame(frame);
    if (dragging) {
      showDropTarget(null);
      setCarried(null);
    }
    touchDragActive = false;
    if (drop && dragging && target) applyDrop(actions, dragged, target);
  };
  const onUp = (event: PointerEvent) => {
    if (event.pointerId !== pointerId) return;
    point = { x: event.clientX, y: event.clientY };
    if (dragging) locate();
    finish(true);
  };
  const onCancel = (event: PointerEvent) => {
    if (event.pointerId === pointerId) finish(false);
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    finish(false);
  };

  window.addEventListener('pointermove', onMove);
  window.addEventListener('pointerup', onUp);
  window.addEventListener('pointercancel', onCancel);
  window.addEventListener('keydown', onKey, true);
  frame = requestAnimationFrame(scroll);
  touchDragActive = true;
  try {
    // Touch pointers are captured by the pressed element anyway; pen pointers are not.
    handle.setPointerCapture(pointerId);
  } catch {
    // The pointer is already gone (released before this ran): pointerup/cancel ends the drag.
  }
}
