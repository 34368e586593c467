/*
 * Review controls of one item row and of the checklist header.
 * Accessible names: button "Comments on <item>" (text: open-thread count), button "Comment on <item>",
 * the review state as text in the row ([data-review-state]: Approved by … / Changed since approval / Sent back by …), buttons "Approve <item>" and
 * "Send back <item>" (reviewers and owners; send back asks for a comment: textbox "Why send <item> back?");
 * header: button "Comments", checkbox "Done requires approval" (owners), button "Sign off checklist" (owners),
 * status "Sign-off".
 */
import { memo, useEffect, useState } from 'react';
import { mentionsIn, MentionInput } from './mention-input.tsx';
import { REVIEW_STATE_LABELS, useReview } from './review-context.tsx';

const chipTone = {
  approved: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
  changed_since_approval: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  sent_back: 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200',
  none: '',
} as const;

const smallButton =
  'inline-flex h-7 items-center gap-1 rounded-md pointer-coarse:h-11 pointer-coarse:min-w-11 pointer-coarse:justify-center border border-slate-300 px-2 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-40 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800';

/** May this item be set to done from the UI? (Everywhere but where done requires an approval it lacks.) */
export function useDoneAllowed(itemId: string): boolean {
  const review = useReview();
  return review ? review.doneAllowed(itemId) : true;
}

export const ItemReviewControls = memo(function ItemReviewControls({ itemId, title }: { itemId: string; title: string }) {
  const review = useReview();
  const [sendingBack, setSendingBack] = useState(false);
  const [body, setBody] = useState('');
  const [picked, setPicked] = useState<ReadonlyMap<string, string>>(new Map());
  const [error, setError] = useState<string | null>(null);
  if (!review) return null;
  const count = review.openCount.get(itemId) ?? 0;
  const state = review.stateOf(itemId);
  const decidedBy = state?.decidedByName ? ` by ${state.decidedByName}` : '';
  // An approval covers the item as shown: offered once the server stores exactly that (decision 133).
  const stored = review.showsStoredItem(itemId);

  const decide = async (intent: 'approve' | 'send-back') => {
    const refusal = await review.post(intent, {
      itemId,
      body: intent === 'send-back' ? body : undefined,
      mention: intent === 'send-back' ? mentionsIn(body, picked) : undefined,
      fingerprint: intent === 'approve' ? review.fingerprintOf(itemId) : undefined,
    });
    setError(refusal);
    if (!refusal && intent === 'send-back') {
      setSendingBack(false);
      setBody('');
    }
  };

  return (
    <div className="flex shrink-0 flex-wrap items-center gap-1">
      <button
        type="button"
        aria-label={`Comments on ${title}`}
        title={`${count} open ${count === 1 ? 'thread' : 'threads'}`}
        onClick={() => review.openPanel({ itemId, filter: 'all' })}
        className={`${smallButton} ${count ? 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100' : ''}`}
      >
        <svg aria-hidden="true" viewBox="0 0 16 16" className="h-3.5 w-3.5" fill="none" stroke="currentColor" strokeWidth="1.5">
          <path d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" strokeLinejoin="round" />
        </svg>
        <span data-open-threads className="tabular-nums">
          {count}
        </span>
      </button>
      {review.canComment ? (
        <button
          type="button"
          aria-label={`Comment on ${title}`}
          onClick={() => review.openPanel({ itemId, draft: { itemId, anchor: null, quote: null } })}
          className={smallButton}
        >
          Comment
        </button>
      ) : null}
      {state && state.state !== 'none' ? (
        <span data-review-state={state.state} className={`rounded px-1.5 py-0.5 text-xs font-medium ${chipTone[state.state]}`}>
          {REVIEW_STATE_LABELS[state.state]}
          {state.state === 'approved' || state.state === 'sent_back' ? decidedBy : ''}
        </span>
      ) : null}
      {review.canReview ? (
        <>
          <button
            type="button"
            aria-label={`Approve ${title}`}
            onClick={() => void decide('approve')}
            disabled={state?.state === 'approved' || !stored}
            title={stored ? undefined : 'Saving the latest edits: approve once they are stored'}
            className={smallButton}
          >
            {stored ? 'Approve' : 'Saving…'}
          </button>
          <button
            type="button"
            aria-label={`Send back ${title}`}
            aria-expanded={sendingBack}
            onClick={() => setSendingBack((open) => !open)}
            className={smallButton}
          >
            Send back
          </button>
        </>
      ) : null}
      {sendingBack ? (
        <form
          className="mt-1 w-full space-y-1 rounded-md border border-red-200 bg-white p-2 dark:border-red-900 dark:bg-slate-900"
          onSubmit={(event) => {
            event.preventDefault();
            void decide('send-back');
          }}
          noValidate
        >
          <MentionInput
            label={`Why send ${title} back?`}
            value={body}
            members={review.members.filter((member) => member.id !== review.me.id)}
            onChange={(next, map) => {
              setBody(next);
              setPicked(new Map(map));
              setError(null);
            }}
            autoFocus
            invalid={Boolean(error)}
            placeholder="Say what needs to change (required)"
          />
          <div className="flex gap-2">
            <button type="submit" className="rounded-md bg-red-600 px-2 py-1 text-xs font-semibold text-white hover:bg-red-700">
              Send back
            </button>
            <button type="button" className="text-xs text-slate-600 hover:underline dark:text-slate-300" onClick={() => setSendingBack(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {error ? (
        <p role="alert" className="w-full text-xs text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
    </div>
  );
});

/** Under the checklist title: the comment panel's button, the owner's rule and sign-off, the latest sign-off. */
export function ReviewBar({ itemCount }: { itemCount: number }) {
  const review = useReview();
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  // The box follows the click at once; the server's answer (re-read) settles it.
  const [pendingRule, setPendingRule] = useState<boolean | null>(null);
  const savedRule = review?.data?.settings.doneRequiresApproval;
  useEffect(() => setPendingRule(null), [savedRule]);
  if (!review) return null;
  const open = [...review.openCount.values()].reduce((sum, n) => sum + n, 0);
  const approved = (review.data?.states ?? []).filter((state) => state.state === 'approved').length;
  const latest = review.data?.signoffs[0];
  const rule = review.data?.settings.doneRequiresApproval ?? false;
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      <button type="button" onClick={() => review.openPanel({ itemId: null, filter: 'open' })} className={smallButton} aria-label="Comments">
        Comments <span className="tabular-nums text-slate-500">({open} open)</span>
      </button>
      <span className="text-slate-600 dark:text-slate-300" aria-label="Approvals">
        {approved}/{itemCount} approved
      </span>
      {review.isOwner ? (
        <label className="flex items-center gap-1.5 text-slate-700 dark:text-slate-300">
          <input
            type="checkbox"
            checked={pendingRule ?? rule}
            disabled={review.data === null}
            onChange={async (event) => {
              const on = event.target.checked;
              setPendingRule(on);
              const refusal = await review.post('done-rule', { on: String(on) });
              if (refusal) setPendingRule(null);
              setMessage(refusal ? { error: true, text: refusal } : null);
            }}
            className="h-4 w-4 accent-sky-600"
          />
          Done requires approval
        </label>
      ) : rule ? (
        <span className="text-xs text-slate-500">Done requires approval</span>
      ) : null}
      {review.isOwner ? (
        <button
          type="button"
          className={smallButton}
          onClick={async () => {
            const refusal = await review.post('sign-off', {});
            setMessage(refusal ? { error: true, text: refusal } : { error: false, text: 'Checklist signed off.' });
          }}
        >
          Sign off checklist
        </button>
      ) : null}
      {latest ? (
        <span role="status" aria-label="Sign-off" className="text-xs text-emerald-800 dark:text-emerald-300" title={`State hash ${latest.stateHash}`}>
          Signed off by {latest.signedByName ?? 'a former member'} on{' '}
          {new Date(latest.signedAt).toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' })} · {latest.itemCount} items ·
          state {latest.stateHash.slice(0, 10)}
        </span>
      ) : null}
      {message ? (
        <p
          role={message.error ? 'alert' : 'status'}
          className={`w-full text-xs ${message.error ? 'text-red-700 dark:text-red-300' : 'text-emerald-800 dark:text-emerald-300'}`}
        >
          {message.text}
        </p>
      ) : null}
    </div>
  );
}
