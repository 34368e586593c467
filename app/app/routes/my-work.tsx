/*
 * "My work": across every deal, the items assigned to me, the threads waiting for my reply and the reviews
 * waiting for me, with counts. Re-read on live comment, approval, item and notification events.
 * Accessible names: region "Assigned to me", region "Waiting for my reply", region "Reviews waiting for me".
 */
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { STATUS_LABELS, type ItemStatus } from '@tieout/doc-model';
import { getMyWork, type MyWorkItem } from '@tieout/db';
import type { ReactNode } from 'react';
import { REVIEW_STATE_LABELS } from '~/components/review/review-context.tsx';
import { requireUser } from '~/utils/auth.server.ts';
import { useLiveRevalidation } from '~/utils/live.ts';

export const meta: MetaFunction = () => [{ title: 'My work · Tieout' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const work = await getMyWork(context.db, session.claims);
  return data(
    { work, today: new Date().toISOString().slice(0, 10) },
    { headers: { ...Object.fromEntries(session.headers), 'Cache-Control': 'private, no-store' } },
  );
}

function Section({ title, count, children, empty }: { title: string; count: number; children: ReactNode; empty: string }) {
  const id = title.toLowerCase().replace(/\W+/g, '-');
  return (
    <section aria-labelledby={id} className="space-y-2">
      <h2 id={id} className="text-lg font-semibold">
        {title} <span className="text-sm font-normal tabular-nums text-slate-500">({count})</span>
      </h2>
      {count === 0 ? <p className="text-sm text-slate-500">{empty}</p> : children}
    </section>
  );
}

const itemHref = (item: { checklistId: string; itemId: string }) => `/checklists/${item.checklistId}?item=${encodeURIComponent(item.itemId)}`;

function ItemList({ items, today, label }: { items: MyWorkItem[]; today: string; label: string }) {
  return (
    <ul
      aria-label={label}
      className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900"
    >
      {items.map((item) => (
        <li key={`${item.checklistId}:${item.itemId}`} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2.5">
          <div className="min-w-0">
            <Link to={itemHref(item)} className="text-sm font-medium hover:underline">
              {item.title}
            </Link>
            <p className="text-xs text-slate-500 dark:text-slate-400">
              {item.dealName} · {item.checklistTitle}
            </p>
          </div>
          <div className="flex items-center gap-2 text-xs">
            <span className="rounded bg-slate-100 px-1.5 py-0.5 dark:bg-slate-800">{STATUS_LABELS[item.status as ItemStatus] ?? item.status}</span>
            {item.reviewState !== 'none' ? <span className="text-slate-600 dark:text-slate-300">{REVIEW_STATE_LABELS[item.reviewState]}</span> : null}
            {item.dueDate ? (
              <span className={item.dueDate < today ? 'font-medium text-amber-700 dark:text-amber-400' : 'text-slate-500'}>
                {item.dueDate < today ? 'Overdue · ' : 'Due '}
                {item.dueDate}
              </span>
            ) : null}
          </div>
        </li>
      ))}
    </ul>
  );
}

export default function MyWorkPage() {
  const { work, today } = useLoaderData<typeof loader>();
  useLiveRevalidation((event) => ['comments', 'approvals', 'items', 'notifications'].includes(event.topic), 1_000);
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">My work</h1>
        <p aria-label="Counts" className="text-sm tabular-nums text-slate-600 dark:text-slate-300">
          {work.counts.assigned} assigned · {work.counts.threads} waiting for my reply · {work.counts.reviews} reviews
        </p>
      </div>
      <Section title="Assigned to me" count={work.counts.assigned} empty="No open items are assigned to you.">
        <ItemList items={work.assigned} today={today} label="Items assigned to me" />
      </Section>
      <Section title="Waiting for my reply" count={work.counts.threads} empty="No thread waits for your reply.">
        <ul
          aria-label="Threads waiting for my reply"
          className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900"
        >
          {work.threads.map((thread) => (
            <li key={thread.threadId} className="px-4 py-2.5">
              <Link
                to={`/checklists/${thread.checklistId}?item=${encodeURIComponent(thread.itemId)}&thread=${thread.threadId}`}
                className="text-sm font-medium hover:underline"
              >
                {thread.itemTitle ?? 'A deleted item'}
              </Link>
              <p className="text-xs text-slate-500 dark:text-slate-400">
                {thread.dealName} · {thread.checklistTitle} · {thread.lastAuthorName ?? 'Someone'} wrote:
              </p>
              <p className="line-clamp-2 text-sm text-slate-700 dark:text-slate-300">“{thread.lastBody}”</p>
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Reviews waiting for me" count={work.counts.reviews} empty="No item waits for your review.">
        <ItemList items={work.reviews} today={today} label="Items waiting for my review" />
      </Section>
    </div>
  );
}
