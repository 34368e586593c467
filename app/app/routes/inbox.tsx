/*
 * The inbox: mentions, replies in your threads, items assigned to you, sent back to you, approvals of your items,
 * your items due within 3 days or overdue. Each entry links to the item (and thread); mark read / all read; the
 * email preference (immediately, daily digest, off). Re-read on live 'notifications' events for you.
 * Accessible names: list "Notifications", link per entry (its summary), button "Mark read: <summary>",
 * button "Mark all read", combobox "Email me", button "Save email preference".
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { emailPreferences, getEmailPreference, listNotifications, markNotificationsRead, setEmailPreference, type EmailPreference } from '@tieout/db';
import { requireUser } from '~/utils/auth.server.ts';
import { useLiveRevalidation } from '~/utils/live.ts';

export const meta: MetaFunction = () => [{ title: 'Inbox · Tieout' }];

const PREFERENCE_LABELS: Record<EmailPreference, string> = {
  immediately: 'Immediately, one email per notification',
  daily_digest: 'Once a day, a digest',
  off: 'Never (the inbox only)',
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const [inbox, preference] = await Promise.all([
    listNotifications(context.db, session.claims, { limit: 100 }),
    getEmailPreference(context.db, session.claims),
  ]);
  return data(
    { inbox, preference, me: session.user.id },
    { headers: { ...Object.fromEntries(session.headers), 'Cache-Control': 'private, no-store' } },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireUser(request, context);
  const form = await request.formData();
  const intent = form.get('intent');
  if (intent === 'read-all') {
    await markNotificationsRead(context.db, session.claims, 'all');
    return data({ message: 'All notifications are marked read.', error: null });
  }
  if (intent === 'read') {
    const id = Number(form.get('id'));
    const marked = await markNotificationsRead(context.db, session.claims, Number.isSafeInteger(id) && id > 0 ? [id] : []);
    if (marked === 0) return data({ message: null, error: 'There is no such unread notification in your inbox.' }, { status: 404 });
    return data({ message: null, error: null });
  }
  if (intent === 'preference') {
    const value = String(form.get('email') ?? '');
    if (!(emailPreferences as readonly string[]).includes(value))
      return data({ message: null, error: 'Choose how often to be emailed.' }, { status: 400 });
    await setEmailPreference(context.db, session.claims, value as EmailPreference);
    return data({ message: 'Email preference saved.', error: null });
  }
  return data({ message: null, error: 'Unknown action' }, { status: 400 });
}

function ago(iso: string): string {
  return new Date(iso).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
}

export default function InboxPage() {
  const { inbox, preference, me } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  useLiveRevalidation((event) => event.topic === 'notifications' && event.userId === me);
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">
          Inbox <span className="text-base font-normal text-slate-500">({inbox.unread} unread)</span>
        </h1>
        <div className="flex items-center gap-3">
          <Link to="/my-work" className="text-sm font-medium text-sky-700 hover:underline dark:text-sky-400">
            My work
          </Link>
          <Form method="post">
            <button
              type="submit"
              name="intent"
              value="read-all"
              disabled={inbox.unread === 0 || navigation.state !== 'idle'}
              className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-40 dark:border-slate-700 dark:hover:bg-slate-800"
            >
              Mark all read
            </button>
          </Form>
        </div>
      </div>
      {result?.message || result?.error ? (
        <p
          role={result.error ? 'alert' : 'status'}
          className={`text-sm ${result.error ? 'text-red-700 dark:text-red-300' : 'text-emerald-800 dark:text-emerald-300'}`}
        >
          {result.error ?? result.message}
        </p>
      ) : null}
      {inbox.entries.length === 0 ? (
        <p className="text-slate-600 dark:text-slate-400">Nothing here yet. Mentions, replies, assignments and reviews of your items show up here.</p>
      ) : null}
      <ul
        aria-label="Notifications"
        className="divide-y divide-slate-200 overflow-hidden rounded-lg border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900"
      >
        {inbox.entries.map((entry) => (
          <li
            key={entry.id}
            data-kind={entry.kind}
            data-unread={entry.readAt ? undefined : 'true'}
            className={`flex items-start gap-3 px-4 py-3 ${entry.readAt ? '' : 'bg-sky-50/60 dark:bg-sky-950/30'}`}
          >
            <span aria-hidden="true" className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${entry.readAt ? 'bg-transparent' : 'bg-sky-500'}`} />
            <div className="min-w-0 flex-1">
              {entry.href ? (
                <Link to={entry.href} className="text-sm font-medium text-slate-900 hover:underline dark:text-slate-100">
                  {entry.summary}
                </Link>
              ) : (
                <span className="text-sm font-medium">{entry.summary}</span>
              )}
              <p className="text-xs text-slate-500 dark:text-slate-400">
                {[entry.dealName, entry.checklistTitle].filter(Boolean).join(' · ')} · {ago(entry.createdAt)}
              </p>
              {entry.excerpt ? <p className="mt-1 line-clamp-2 text-sm text-slate-600 dark:text-slate-300">“{entry.excerpt}”</p> : null}
            </div>
            {entry.readAt ? null : (
              <Form method="post">
                <input type="hidden" name="id" value={entry.id} />
                <button
                  type="submit"
                  name="intent"
                  value="read"
                  aria-label={`Mark read: ${entry.summary}`}
                  className="rounded-md px-2 py-1 text-xs text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
                >
                  Mark read
                </button>
              </Form>
            )}
          </li>
        ))}
      </ul>
      <Form
        method="post"
        className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
      >
        <label className="flex flex-col gap-1 text-sm">
          <span className="font-medium">Email me</span>
          <select
            name="email"
            defaultValue={preference}
            className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"
          >
            {(Object.keys(PREFERENCE_LABELS) as EmailPreference[]).map((value) => (
              <option key={value} value={value}>
                {PREFERENCE_LABELS[value]}
              </option>
            ))}
          </select>
        </label>
        <button
          type="submit"
          name="intent"
          value="preference"
          className="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-700"
        >
          Save email preference
        </button>
      </Form>
    </div>
  );
}
