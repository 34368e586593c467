import {
  applyTextChange,
  peekTitleText,
  problemMessage,
  sectionTitleSchema,
  titleSchema,
  titleText,
  TITLE_MAX_LENGTH,
  type TitleTarget,
} from '@tieout/doc-model';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { useActions } from './actions.ts';
import { FieldError, useFieldError } from './field-error.tsx';

/*
 * A title (item or section) bound to its Y.Text: every keystroke is a character-level edit that others see as it
 * is typed, and their typing appears here without moving this person's caret. Carets of other people in the same
 * field travel in awareness as `titleCaret: { field, anchor, head }` (Yjs relative positions, so they stay on the
 * right character while the text changes) and are drawn over the field. Escape undoes this person's own changes
 * since they focused the field (others' concurrent typing stays); an empty title on leaving is put back the same
 * way, with the doc model's message ("A section needs a name") next to the field and passed to `onDone`.
 */

export const fieldKey = (target: TitleTarget) => `${target.kind}:${target.id}`;

export interface RemoteCaret {
  clientId: number;
  name: string;
  color: string;
  anchor: number;
  head: number;
}

interface CaretState {
  field: string;
  anchor: unknown;
  head: unknown;
}

/** One awareness listener for every title on the page; each field re-renders only when its own carets change. */
class CaretStore {
  private readonly listeners = new Map<string, Set<() => void>>();
  private snapshot = new Map<string, RemoteCaret[]>();
  private keys = new Map<string, string>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly awareness: Awareness,
  ) {
    awareness.on('change', this.refresh);
    doc.on('update', this.refresh);
  }

  private readonly refresh = () => {
    const next = new Map<string, RemoteCaret[]>();
    this.awareness.getStates().forEach((state, clientId) => {
      if (clientId === this.awareness.clientID) return;
      const caret = state.titleCaret as CaretState | null | undefined;
      const user = state.user as { name?: unknown; color?: unknown } | undefined;
      if (!caret || typeof caret.field !== 'string' || typeof user?.name !== 'string') return;
      const anchor = this.absolute(caret.anchor);
      const head = this.absolute(caret.head);
      if (anchor === null || head === null) return;
      const list = next.get(caret.field) ?? [];
      list.push({ clientId, name: user.name, color: typeof user.color === 'string' ? user.color : '#0ea5e9', anchor, head });
      next.set(caret.field, list);
    });
    const nextKeys = new Map([...next].map(([field, carets]) => [field, JSON.stringify(carets)]));
    const changed = new Set([...this.keys.keys(), ...nextKeys.keys()].filter((field) => this.keys.get(field) !== nextKeys.get(field)));
    this.snapshot = next;
    this.keys = nextKeys;
    for (const field of changed) this.listeners.get(field)?.forEach((listener) => listener());
  };

  private absolute(json: unknown): number | null {
    if (!json || typeof json !== 'object') return null;
    try {
      return Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(json), this.doc)?.index ?? null;
    } catch {
      return null;
    }
  }

  subscribe(field: string, listener: () => void): () => void {
    const set = this.listeners.get(field) ?? new Set();
    set.add(listener);
    this.listeners.set(field, set);
    return () => set.delete(listener);
  }

  carets(field: string): RemoteCaret[] | undefined {
    return this.snapshot.get(field);
  }

  destroy() {
    this.awareness.off('change', this.refresh);
    this.doc.off('update', this.refresh);
  }
}

const stores = new WeakMap<Awareness, CaretStore>();
function caretStore(doc: Y.Doc, awareness: Awareness): CaretStore {
  let store = stores.get(awareness);
  if (!store) {
    store = new CaretStore(doc, awareness);
    stores.set(awareness, store);
  }
  return store;
}

const NO_CARETS: RemoteCaret[] = [];

function useRemoteCarets(doc: Y.Doc, awareness: Awareness, field: string): RemoteCaret[] {
  const store = caretStore(doc, awareness);
  return useSyncExternalStore(
    (listener) => store.subscribe(field, listener),
    () => store.carets(field) ?? NO_CARETS,
    () => NO_CARETS,
  );
}

/** Moves an index through someone else's Y.Text change (its delta), as the text moved under it. */
function shiftIndex(index: number, delta: { insert?: unknown; delete?: number; retain?: number }[]): number {
  let at = 0;
  let result = index;
  for (const op of delta) {
    if (op.retain) at += op.retain;
    else if (typeof op.insert === 'string') {
      // Text someone else inserts right at this caret goes after it: the caret stays where this person typed.
      if (at < result) result += op.insert.length;
      at += op.insert.length;
    } else if (op.delete) {
      if (at < result) result -= Math.min(op.delete, result - at);
    }
  }
  return result;
}

const singleLine = (value: string) => value.replace(/\s*[\r\n]+\s*/g, ' ');

export function CollabTitle({
  target,
  title,
  labelPrefix,
  disabled,
  className,
  autoFocus,
  onDone,
}: {
  target: TitleTarget;
  /** The title as readers show it (trimmed, with a fallback): shown until the Y.Text is there, and in the label. */
  title: string;
  /** The accessible name is this followed by the title ("Title of ", "Name of section "). */
  labelPrefix: string;
  disabled: boolean;
  className: string;
  autoFocus?: boolean;
  /**
   * Called when editing ends: 'saved' (Enter, leaving), 'cancelled' (Escape) or 'refused' (left empty: the title is
   * put back and `problem` says why, for a caller that unmounts the field and shows the message itself).
   */
  onDone?: (how: 'saved' | 'cancelled' | 'refused', problem?: string) => void;
}) {
  const actions = useActions();
  const { doc } = actions;
  const awareness = actions.provider.awareness;
  const field = fieldKey(target);
  const ref = useRef<HTMLTextAreaElement>(null);
  const textRef = useRef<Y.Text | null>(null);
  const origin = useMemo(() => ({ field }), [field]);
  const undo = useRef<Y.UndoManager | null>(null);
  const [focused, setFocused] = useState(false);
  // The accessible name keeps the title the field had when focus came, so it does not change under a person typing.
  const [labelWhileFocused, setLabelWhileFocused] = useState<string | null>(null);
  // The field is uncontrolled: the Y.Text is written into it synchronously, so what the browser shows is always
  // the text the next keystroke is diffed against (a React render in between would let a remote change be undone).
  const initial = useMemo(() => peekTitleText(doc, target)?.toString() ?? title, []); // eslint-disable-line react-hooks/exhaustive-deps
  const [shown, setShown] = useState(initial);
  const carets = useRemoteCarets(doc, awareness, field);
  const { error, setError, errorId, invalidProps } = useFieldError();

  // Follow the Y.Text: remote typing shows at once and keeps this person's selection where it was. The Y.Text
  // itself changes only when a version-1 title (a string) is upgraded.
  const liveText = peekTitleText(doc, target);
  const show = (next: string, delta?: { insert?: unknown; delete?: number; retain?: number }[]) => {
    const element = ref.current;
    if (element && element.value !== next) {
      const focusedNow = document.activeElement === element;
      const selection = focusedNow && delta ? [shiftIndex(element.selectionStart, delta), shiftIndex(element.selectionEnd, delta)] : null;
      element.value = next;
      if (selection) element.setSelectionRange(selection[0]!, selection[1]!);
    }
    setShown(next);
  };

  useEffect(() => {
    textRef.current = liveText;
    if (!liveText) {
      if (document.activeElement !== ref.current) show(title);
      return;
    }
    show(liveText.toString());
    const observer = (event: Y.YTextEvent, transaction: Y.Transaction) => {
      if (transaction.origin === origin) return;
      show(liveText.toString(), event.delta as { insert?: unknown; delete?: number; retain?: number }[]);
    };
    liveText.observe(observer);
    return () => liveText.unobserve(observer);
  }, [liveText, liveText ? null : title, origin]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => () => undo.current?.destroy(), []);

  const publishCaret = () => {
    const element = ref.current;
    const text = textRef.current;
    if (!element || !text || document.activeElement !== element) return;
    awareness.setLocalStateField('titleCaret', {
      field,
      anchor: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, element.selectionStart)),
      head: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, element.selectionEnd)),
    });
  };

  const begin = () => {
    setFocused(true);
    setLabelWhileFocused(title);
    if (disabled) return;
    // Binding the field may upgrade a version-1 title to Y.Text (decision 150).
    let text: Y.Text | null = null;
    actions.edit(() => {
      text = titleText(doc, target);
    });
    if (!text) return;
    textRef.current = text;
    undo.current?.destroy();
    undo.current = new Y.UndoManager(text, { trackedOrigins: new Set([origin]), captureTimeout: Number.POSITIVE_INFINITY });
    publishCaret();
  };

  const revert = () => {
    const manager = undo.current;
    if (!manager) return;
    while (manager.undoStack.length > 0) manager.undo();
    if (textRef.current) show(textRef.current.toString());
  };

  const end = (how: 'saved' | 'cancelled') => {
    setFocused(false);
    setLabelWhileFocused(null);
    if (awareness.getLocalState()?.titleCaret) awareness.setLocalStateField('titleCaret', null);
    let problem: string | null = null;
    if (how === 'cancelled') revert();
    else if (textRef.current) {
      // The doc model's own check of a title, so the message is the one the writers and the server's guard use.
      const check = (target.kind === 'section' ? sectionTitleSchema : titleSchema).safeParse(textRef.current.toString());
      if (!check.success) {
        revert();
        problem = problemMessage(check.error);
      }
    }
    setError(problem);
    undo.current?.destroy();
    undo.current = null;
    if (problem) onDone?.('refused', problem);
    else onDone?.(how);
  };

  const onInput = () => {
    const element = ref.current;
    const text = textRef.current;
    if (!element) return;
    const next = element.value;
    const clean = singleLine(next).slice(0, TITLE_MAX_LENGTH);
    if (clean !== next) {
      const [start, end] = [element.selectionStart, element.selectionEnd];
      element.value = clean;
      element.setSelectionRange(Math.min(start, clean.length), Math.min(end, clean.length));
    }
    if (!text) {
      // Not bound (a read-only role, or a field enabled by hand): nothing is written, the field shows the title.
      element.value = peekTitleText(doc, target)?.toString() ?? title;
      actions.edit(() => undefined);
      return;
    }
    if (!actions.edit(() => doc.transact(() => applyTextChange(text, clean), origin))) element.value = text.toString();
    setShown(element.value);
    publishCaret();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      event.currentTarget.blur();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      cancelling.current = true;
      end('cancelled');
      event.currentTarget.blur();
    }
  };
  const cancelling = useRef(false);

  return (
    <span className={`relative ${className}`}>
      <textarea
        ref={ref}
        rows={1}
        data-control="title"
        aria-label={`${labelPrefix}${labelWhileFocused ?? title}`}
        defaultValue={initial}
        disabled={disabled}
        autoFocus={autoFocus}
        maxLength={TITLE_MAX_LENGTH}
        {...invalidProps}
        onInput={onInput}
        onSelect={publishCaret}
        onFocus={begin}
        onBlur={() => {
          if (cancelling.current) cancelling.current = false;
          else end('saved');
        }}
        onKeyDown={onKeyDown}
        className="title-input field-sizing-content block w-full resize-none rounded-md border border-transparent bg-transparent px-2 py-1 leading-snug hover:border-slate-200 focus:border-sky-500 focus:bg-white focus:outline-none focus:ring-2 focus:ring-sky-500/30 disabled:cursor-default disabled:text-slate-900 disabled:hover:border-transparent dark:hover:border-slate-700 dark:focus:bg-slate-950 dark:disabled:text-slate-100"
      />
      {carets.length > 0 ? <CaretOverlay text={shown} carets={carets} /> : null}
      <FieldError id={errorId} error={error} inline />
      {focused && carets.length > 0 ? (
        <span className="sr-only" aria-live="polite">
          {carets.map((caret) => caret.name).join(', ')} also editing
        </span>
      ) : null}
    </span>
  );
}

/** Others' carets and selections, drawn over the field on a transparent copy of its text. */
function CaretOverlay({ text, carets }: { text: string; carets: RemoteCaret[] }) {
  const marks = [...carets].sort((a, b) => a.head - b.head || a.clientId - b.clientId);
  const pieces: React.ReactNode[] = [];
  let at = 0;
  for (const caret of marks) {
    const head = Math.min(caret.head, text.length);
    if (head > at) pieces.push(text.slice(at, head));
    at = Math.max(at, head);
    pieces.push(
      <span
        key={caret.clientId}
        className="relative inline-block h-[1.15em] w-0 align-text-bottom"
        style={{ borderLeft: `2px solid ${caret.color}` }}
      >
        <span
          className="absolute -top-4 left-[-2px] whitespace-nowrap rounded-sm px-1 text-[10px] font-medium leading-4 text-white"
          style={{ backgroundColor: caret.color }}
        >
          {caret.name}
        </span>
      </span>,
    );
  }
  pieces.push(text.slice(at));
  return (
    <span
      aria-hidden="true"
      data-testid="remote-carets"
      className="pointer-events-none absolute inset-0 whitespace-pre-wrap break-words border border-transparent px-2 py-1 leading-snug text-transparent"
    >
      {pieces}
    </span>
  );
}
