/*
 * The review state of one checklist in the browser: comment threads, each item's review state, "done requires
 * approval" and sign-offs, read from /checklists/:id/review and read again when a live 'comments' or 'approvals'
 * event of this checklist arrives (docs/decisions/130-comment-stream.md). Actions post to the same route and
 * re-read; refusals come back as messages to show, and nothing is changed.
 */
import type { CommentAnchor, ItemReviewState, ReviewSettings, Signoff, ThreadView } from '@tieout/db';
import { canComment, canReview, isOwner, type MemberRole } from '@tieout/db/roles';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useLiveEvents } from '~/utils/live.ts';

export interface ReviewMember {
  id: string;
  name: string;
  role: MemberRole;
}

export interface ReviewData {
  threads: ThreadView[];
  states: ItemReviewState[];
  settings: ReviewSettings;
  signoffs: Signoff[];
}

/** A thread being written: on an item, or on a range of its notes. */
export interface Draft {
  itemId: string;
  anchor: CommentAnchor | null;
  quote: string | null;
}

export type ThreadFilter = 'open' | 'resolved' | 'mine' | 'mentions' | 'all';

export interface ReviewApi {
  checklistId: string;
  me: { id: string; name: string };
  role: MemberRole | null;
  members: ReviewMember[];
  data: ReviewData | null;
  loadError: string | null;
  canComment: boolean;
  canReview: boolean;
  isOwner: boolean;
  /** Open threads per item (not resolved, not deleted). */
  openCount: ReadonlyMap<string, number>;
  stateOf(itemId: string): ItemReviewState | undefined;
  /** May the item be set to done from the UI (false where done requires a current approval it lacks)? */
  doneAllowed(itemId: string): boolean;
  /**
   * The item as this page shows it is what the server stores (an approval of it is recorded as it is seen), or
   * false while its latest edits are still being saved. True when the page cannot tell (no live document).
   */
  showsStoredItem(itemId: string): boolean;
  /** The item's fingerprint in the page's live document (what an approval from this page covers), if known. */
  fingerprintOf(itemId: string): string | null;
  /** The side panel: open or not, its filters, the thread in focus, the draft being written. */
  panel: { open: boolean; filter: ThreadFilter; itemId: string | null; threadId: string | null; draft: Draft | null };
  openPanel(options?: { itemId?: string | null; threadId?: string | null; draft?: Draft | null; filter?: ThreadFilter }): void;
  closePanel(): void;
  setFilter(filter: ThreadFilter, itemId?: string | null): void;
  /** Posts one action; resolves to null on success or the message to show. */
  post(intent: string, fields: Record<string, string | string[] | undefined | null>): Promise<string | null>;
  reload(): void;
}

const ReviewContext = createContext<ReviewApi | null>(null);

export function useReview(): ReviewApi | null {
  return useContext(ReviewContext);
}

const NO_COUNTS: ReadonlyMap<string, number> = new Map();

export function ReviewProvider({
  checklistId,
  me,
  role,
  members,
  focus,
  apiRef,
  fingerprintOf,
  children,
}: {
  checklistId: string;
  me: { id: string; name: string };
  role: MemberRole | null;
  members: ReviewMember[];
  /** Opened from a link (?item=…&thread=…): the panel starts on that thread. */
  focus?: { itemId: string | null; threadId: string | null };
  /** Filled with the current API, for code outside the provider's tree (the page's bulk edits). */
  apiRef?: { current: ReviewApi | null };
  /**
   * doc-model itemFingerprint of an item in the page's live document (null: not there, or no document yet). The
   * review state follows it at once, before the projection has caught up (decision 133).
   */
  fingerprintOf?: (itemId: string) => string | null;
  children: ReactNode;
}) {
  const [data, setData] = useState<ReviewData | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [panel, setPanel] = useState<ReviewApi['panel']>(() => ({
    open: Boolean(focus?.threadId),
    filter: 'open',
    itemId: null,
    threadId: focus?.threadId ?? null,
    draft: null,
  }));
  const url = `/checklists/${checklistId}/review`;
  const generation = useRef(0);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    fetch(url, { headers: { Accept: 'application/json' } })
      .then(async (response) => {
        const body = (await response.json()) as ReviewData & { error?: string };
        if (mine !== generation.current) return;
        if (!response.ok) {
          setLoadError(body.error ?? 'Comments could not be loaded.');
          return;
        }
        setLoadError(null);
        setData(body);
      })
      .catch(() => {
        if (mine === generation.current) setLoadError('Comments could not be loaded (no connection).');
      });
  }, [url]);

  useEffect(reload, [reload]);
  // Typing in notes projects the item every persistence window: one re-read per 250 ms at most, and one after the last.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef(0);
  const reloadSoon = useCallback(() => {
    if (pending.current) return;
    pending.current = setTimeout(
      () => {
        pending.current = null;
        last.current = Date.now();
        reload();
      },
      Math.max(0, last.current + 250 - Date.now()),
    );
  }, [reload]);
  useEffect(() => () => void (pending.current && clearTimeout(pending.current)), []);
  // A new comment, reply, edit, resolve or decision by anyone, in any server process, or a change of the items
  // (an edit after approval changes the review state) (null: after a gap).
  useLiveEvents(
    (event) => (event.topic === 'comments' || event.topic === 'approvals' || event.topic === 'items') && event.checklistId === checklistId,
    reloadSoon,
  );

  const post = useCallback<ReviewApi['post']>(
    async (intent, fields) => {
      const form = new FormData();
      form.set('intent', intent);
      for (const [name, value] of Object.entries(fields)) {
        if (value === undefined || value === null) continue;
        if (Array.isArray(value)) for (const entry of value) form.append(name, entry);
        else form.set(name, value);
      }
      try {
        const response = await fetch(url, { method: 'POST', body: form, headers: { Accept: 'application/json' } });
        const body = (await response.json().catch(() => ({}))) as { error?: string };
        if (!response.ok) return body.error ?? `The server refused this (${response.status}).`;
        reload();
        return null;
      } catch {
        return 'No connection: nothing was sent. Try again when you are back online.';
      }
    },
    [url, reload],
  );

  const api = useMemo<ReviewApi>(() => {
    const openCount = new Map<string, number>();
    for (const thread of data?.threads ?? []) {
      if (!thread.resolvedAt && !thread.deletedAt) openCount.set(thread.itemId, (openCount.get(thread.itemId) ?? 0) + 1);
    }
    const states = new Map((data?.states ?? []).map((state) => [state.itemId, state]));
    const doneRequiresApproval = data?.settings.doneRequiresApproval ?? false;
    const liveFingerprint = (itemId: string) => fingerprintOf?.(itemId) ?? null;
    const stateOf = (itemId: string): ItemReviewState | undefined => liveState(states.get(itemId), liveFingerprint(itemId));
    return {
      checklistId,
      me,
      role,
      members,
      data,
      loadError,
      canComment: canComment(role),
      canReview: canReview(role),
      isOwner: isOwner(role),
      openCount: data ? openCount : NO_COUNTS,
      stateOf,
      fingerprintOf: liveFingerprint,
      doneAllowed: (itemId) => !doneRequiresApproval || stateOf(itemId)?.state === 'approved',
      showsStoredItem: (itemId) => {
        const live = liveFingerprint(itemId);
        return live === null || live === (states.get(itemId)?.fingerprint ?? null);
      },
      panel,
      openPanel: (options = {}) =>
        setPanel((current) => ({
          open: true,
          filter: options.filter ?? (options.itemId !== undefined ? 'all' : current.filter),
          itemId: options.itemId !== undefined ? options.itemId : current.itemId,
          threadId: options.threadId ?? null,
          draft: options.draft ?? null,
        })),
      closePanel: () => setPanel((current) => ({ ...current, open: false, draft: null })),
      setFilter: (filter, itemId) => setPanel((current) => ({ ...current, filter, itemId: itemId === undefined ? current.itemId : itemId })),
      post,
      reload,
    };
  }, [checklistId, me, role, members, data, loadError, panel, post, reload, fingerprintOf]);

  if (apiRef) apiRef.current = api;
  return <ReviewContext.Provider value={api}>{children}</ReviewContext.Provider>;
}

/**
 * The review state as the live document tells it: an approval stands while the item is exactly what was approved,
 * whatever the projection holds yet (the collaboration server checks "done requires approval" the same way).
 */
export function liveState(stored: ItemReviewState | undefined, liveFingerprint: string | null): ItemReviewState | undefined {
  if (!stored || liveFingerprint === null || stored.approvedFingerprint === null) return stored;
  const state = stored.approvedFingerprint === liveFingerprint ? 'approved' : 'changed_since_approval';
  return state === stored.state ? stored : { ...stored, state };
}

export const REVIEW_STATE_LABELS: Record<ItemReviewState['state'], string> = {
  approved: 'Approved',
  changed_since_approval: 'Changed since approval',
  sent_back: 'Sent back',
  none: 'Not reviewed',
};
