/*
 * The comment panel of a checklist (complementary landmark "Comments"): every thread, filtered (open, resolved,
 * mine, mentioning me, all; and by item), each with its quoted text when anchored to notes ("detached" once the
 * text is gone), its comments, replies, edit/delete of your own, resolve/reopen. New threads start here too
 * (from an item's "Comment" button, or from selected notes text).
 *
 * Accessible names: complementary "Comments"; combobox "Show threads", combobox "Threads of item"; article
 * "Thread on <item>" per thread; textbox (combobox) "New comment" / "Reply to thread on <item>" / "Edit comment";
 * buttons "Post comment", "Reply", "Resolve thread", "Reopen thread", "Edit comment", "Delete comment", "Close comments".
 */
import type { CommentView, ThreadView } from '@tieout/db';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type * as Y from 'yjs';
import { isDetached } from './anchors.ts';
import { mentionsIn, MentionInput } from './mention-input.tsx';
import { useReview, type ThreadFilter } from './review-context.tsx';

const buttonClass =
  'rounded-md border border-slate-300 px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-40 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800';
const primaryClass =
  'rounded-md bg-sky-600 px-2.5 py-1 text-xs font-semibold text-white hover:bg-sky-700 disabled:opacity-40 dark:bg-sky-500 dark:hover:bg-sky-400';
const linkClass = 'text-xs font-medium text-slate-600 hover:text-slate-900 hover:underline dark:text-slate-300 dark:hover:text-white';

const FILTER_LABELS: Record<ThreadFilter, string> = {
  open: 'Open',
  resolved: 'Resolved',
  mine: 'Mine',
  mentions: 'Mentioning me',
  all: 'All',
};

function when(iso: string): string {
  return new Date(iso).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
}

/** A comment body with "@Name" of its mentions shown as mentions. */
function Body({ comment }: { comment: CommentView }) {
  if (comment.deletedAt) return <p className="text-sm italic text-slate-400">Comment deleted</p>;
  const names = comment.mentions.map((mention) => `@${mention.name}`).sort((a, b) => b.length - a.length);
  if (names.length === 0) return <p className="whitespace-pre-wrap break-words text-sm">{comment.body}</p>;
  const pattern = new RegExp(`(${names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'g');
  return (
    <p className="whitespace-pre-wrap break-words text-sm">
      {comment.body.split(pattern).map((part, index) =>
        names.includes(part) ? (
          <span key={index} className="rounded bg-sky-100 px-0.5 font-medium text-sky-900 dark:bg-sky-900 dark:text-sky-100">
            {part}
          </span>
        ) : (
          part
        ),
      )}
    </p>
  );
}

function Composer({
  label,
  submitLabel,
  initial = '',
  onSend,
  onCancel,
  autoFocus,
}: {
  label: string;
  submitLabel: string;
  initial?: string;
  onSend: (body: string, mentions: string[]) => Promise<string | null>;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const review = useReview()!;
  const [body, setBody] = useState(initial);
  const picked = useRef<ReadonlyMap<string, string>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const errorId = useId();
  const send = async () => {
    if (sending) return;
    setSending(true);
    const refusal = await onSend(body, mentionsIn(body, picked.current));
    setSending(false);
    setError(refusal);
    if (!refusal) setBody('');
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };
  return (
    <form onSubmit={onSubmit} className="space-y-1.5" noValidate>
      <MentionInput
        label={label}
        value={body}
        members={review.members.filter((member) => member.id !== review.me.id)}
        onChange={(next, map) => {
          setBody(next);
          picked.current = map;
          if (error) setError(null);
        }}
        onSubmit={() => void send()}
        autoFocus={autoFocus}
        invalid={Boolean(error)}
        describedBy={error ? errorId : undefined}
        placeholder="Write a comment; @ to mention someone"
      />
      {error ? (
        <p id={errorId} role="alert" className="text-xs text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      <div className="flex items-center gap-2">
        <button type="submit" disabled={sending} className={primaryClass}>
          {submitLabel}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel} className={linkClass}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

function CommentEntry({ comment, itemTitle }: { comment: CommentView; itemTitle: string }) {
  const review = useReview()!;
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mine = comment.authorId === review.me.id && !comment.deletedAt && review.canComment;
  return (
    <li className="space-y-1" data-comment-id={comment.id}>
      <div className="flex items-baseline justify-between gap-2 text-xs text-slate-500 dark:text-slate-400">
        <span>
          <span className="font-semibold text-slate-800 dark:text-slate-100">{comment.authorName}</span> · {when(comment.createdAt)}
          {comment.editedAt && !comment.deletedAt ? ' · edited' : ''}
        </span>
        {mine && !editing ? (
          <span className="flex gap-2">
            <button type="button" className={linkClass} aria-label="Edit comment" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button
              type="button"
              className={`${linkClass} hover:text-red-700`}
              aria-label="Delete comment"
              onClick={async () => setError(await review.post('delete', { commentId: comment.id }))}
            >
              Delete
            </button>
          </span>
        ) : null}
      </div>
      {editing ? (
        <Composer
          label="Edit comment"
          submitLabel="Save"
          initial={comment.body}
          autoFocus
          onCancel={() => setEditing(false)}
          onSend={async (body, mentions) => {
            const keep = comment.mentions.filter((mention) => body.includes(`@${mention.name}`)).map((mention) => mention.userId);
            const refusal = await review.post('edit', { commentId: comment.id, body, mention: [...new Set([...keep, ...mentions])] });
            if (!refusal) setEditing(false);
            return refusal;
          }}
        />
      ) : (
        <Body comment={comment} />
      )}
      {error ? (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">
          {error} ({itemTitle})
        </p>
      ) : null}
    </li>
  );
}

function ThreadCard({ thread, itemTitle, doc, focused }: { thread: ThreadView; itemTitle: string; doc: Y.Doc | null; focused: boolean }) {
  const review = useReview()!;
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLElement>(null);
  const detached = thread.anchor && doc ? isDetached(doc, thread.anchor) : false;
  useEffect(() => {
    if (focused) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [focused]);
  const open = !thread.resolvedAt && !thread.deletedAt;
  return (
    <article
      ref={ref}
      aria-label={`Thread on ${itemTitle}`}
      data-thread-id={thread.id}
      data-state={thread.deletedAt ? 'deleted' : thread.resolvedAt ? 'resolved' : 'open'}
      className={`space-y-2 rounded-lg border bg-white p-3 dark:bg-slate-900 ${focused ? 'border-amber-400 ring-2 ring-amber-300/50' : 'border-slate-200 dark:border-slate-700'}`}
    >
      <header className="flex items-start justify-between gap-2">
        <button
          type="button"
          className="min-w-0 truncate text-left text-xs font-semibold text-sky-800 hover:underline dark:text-sky-300"
          onClick={() => review.openPanel({ threadId: thread.id, itemId: thread.itemId })}
        >
          {itemTitle}
        </button>
        <span className="shrink-0 text-xs text-slate-500">{thread.deletedAt ? 'Deleted' : thread.resolvedAt ? 'Resolved' : 'Open'}</span>
      </header>
      {thread.quote ? (
        <blockquote className="border-l-2 border-amber-400 pl-2 text-xs text-slate-600 dark:text-slate-300">
          {detached ? (
            <span className="mr-1 rounded bg-slate-200 px-1 py-0.5 text-[10px] font-semibold uppercase tracking-wide text-slate-700 dark:bg-slate-700 dark:text-slate-200">
              Detached
            </span>
          ) : null}
          <span data-quote>“{thread.quote}”</span>
          {detached ? <span className="block text-[11px] text-slate-500">The commented text was deleted from the notes.</span> : null}
        </blockquote>
      ) : null}
      <ol className="space-y-2">
        {thread.comments.map((comment) => (
          <CommentEntry key={comment.id} comment={comment} itemTitle={itemTitle} />
        ))}
      </ol>
      {review.canComment && !thread.deletedAt ? (
        <div className="space-y-2 border-t border-slate-100 pt-2 dark:border-slate-800">
          {open ? (
            <Composer
              label={`Reply to thread on ${itemTitle}`}
              submitLabel="Reply"
              onSend={(body, mentions) => review.post('reply', { threadId: thread.id, body, mention: mentions })}
            />
          ) : null}
          <button
            type="button"
            className={buttonClass}
            aria-label={open ? 'Resolve thread' : 'Reopen thread'}
            onClick={async () => setError(await review.post(open ? 'resolve' : 'reopen', { threadId: thread.id }))}
          >
            {open ? 'Resolve' : 'Reopen'}
          </button>
          {error ? (
            <p role="alert" className="text-xs text-red-700 dark:text-red-300">
              {error}
            </p>
          ) : null}
        </div>
      ) : null}
    </article>
  );
}

export function ReviewPanel({ itemTitles, doc }: { itemTitles: ReadonlyMap<string, string>; doc: Y.Doc | null }) {
  const review = useReview();
  const threads = review?.data?.threads;
  const filtered = useMemo(() => {
    if (!review || !threads) return [];
    const { filter, itemId } = review.panel;
    const me = review.me.id;
    return threads
      .filter((thread) => !itemId || thread.itemId === itemId)
      .filter((thread) => {
        const open = !thread.resolvedAt && !thread.deletedAt;
        switch (filter) {
          case 'open':
            return open;
          case 'resolved':
            return Boolean(thread.resolvedAt) && !thread.deletedAt;
          case 'mine':
            return thread.createdBy === me || thread.comments.some((comment) => comment.authorId === me);
          case 'mentions':
            return thread.comments.some((comment) => comment.mentions.some((mention) => mention.userId === me));
          case 'all':
            return true;
        }
      })
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }, [review, threads]);
  if (!review || !review.panel.open) return null;
  const { panel } = review;
  const draft = panel.draft;
  const titleOf = (itemId: string) => itemTitles.get(itemId) ?? 'A deleted item';
  const itemsWithThreads = [...new Set((threads ?? []).map((thread) => thread.itemId))];

  return (
    <aside
      aria-label="Comments"
      className="fixed bottom-0 right-0 top-0 z-40 flex w-full max-w-md flex-col border-l border-slate-200 bg-slate-50 shadow-xl dark:border-slate-800 dark:bg-slate-950"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !event.defaultPrevented) review.closePanel();
      }}
    >
      <div className="flex items-center justify-between gap-2 border-b border-slate-200 px-4 py-3 dark:border-slate-800">
        <h2 className="text-base font-semibold">Comments</h2>
        <button type="button" className={buttonClass} onClick={review.closePanel} aria-label="Close comments">
          Close
        </button>
      </div>
      <div className="flex flex-wrap gap-2 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
        <select
          aria-label="Show threads"
          value={panel.filter}
          onChange={(event) => review.setFilter(event.target.value as ThreadFilter)}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
        >
          {(Object.keys(FILTER_LABELS) as ThreadFilter[]).map((filter) => (
            <option key={filter} value={filter}>
              {FILTER_LABELS[filter]}
            </option>
          ))}
        </select>
        <select
          aria-label="Threads of item"
          value={panel.itemId ?? ''}
          onChange={(event) => review.setFilter(panel.filter, event.target.value || null)}
          className="min-w-0 max-w-[14rem] flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
        >
          <option value="">Every item</option>
          {[...new Set([...(panel.itemId ? [panel.itemId] : []), ...itemsWithThreads])].map((itemId) => (
            <option key={itemId} value={itemId}>
              {titleOf(itemId)}
            </option>
          ))}
        </select>
      </div>
      <div className="flex-1 space-y-3 overflow-y-auto px-4 py-3">
        {review.loadError ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {review.loadError}
          </p>
        ) : null}
        {draft && review.canComment ? (
          <section aria-label="New thread" className="space-y-2 rounded-lg border border-sky-300 bg-white p-3 dark:border-sky-800 dark:bg-slate-900">
            <p className="text-xs font-semibold text-sky-800 dark:text-sky-300">New thread on {titleOf(draft.itemId)}</p>
            {draft.quote ? (
              <blockquote className="border-l-2 border-amber-400 pl-2 text-xs text-slate-600 dark:text-slate-300">“{draft.quote}”</blockquote>
            ) : null}
            <Composer
              label="New comment"
              submitLabel="Post comment"
              autoFocus
              onCancel={() => review.openPanel({ itemId: draft.itemId })}
              onSend={async (body, mentions) => {
                const refusal = await review.post('thread', {
                  itemId: draft.itemId,
                  body,
                  mention: mentions,
                  anchor: draft.anchor ? JSON.stringify(draft.anchor) : null,
                  quote: draft.quote,
                });
                if (!refusal) review.openPanel({ itemId: draft.itemId, filter: 'open' });
                return refusal;
              }}
            />
          </section>
        ) : null}
        {!review.canComment ? <p className="text-xs text-slate-500">Viewers can read comments but not write them.</p> : null}
        {review.data === null && !review.loadError ? <p className="text-sm text-slate-500">Loading comments…</p> : null}
        {review.data !== null && filtered.length === 0 ? <p className="text-sm text-slate-500">No threads here.</p> : null}
        {filtered.map((thread) => (
          <ThreadCard key={thread.id} thread={thread} itemTitle={titleOf(thread.itemId)} doc={doc} focused={thread.id === panel.threadId} />
        ))}
      </div>
    </aside>
  );
}
