/* The header's links to the inbox (with the unread count, live) and to "My work". */
import { Link, useLocation } from '@remix-run/react';
import { useCallback, useEffect, useState } from 'react';
import { useLiveEvents } from '~/utils/live.ts';

export function HeaderInbox({ userId }: { userId: string }) {
  const [unread, setUnread] = useState<number | null>(null);
  const location = useLocation();
  const refresh = useCallback(() => {
    fetch('/inbox/count', { headers: { Accept: 'application/json' } })
      .then((response) => (response.ok ? (response.json() as Promise<{ unread: number }>) : null))
      .then((body) => body && setUnread(body.unread))
      .catch(() => {});
  }, []);
  // Also after each navigation (marking read on the inbox page).
  useEffect(refresh, [refresh, location.pathname, location.search]);
  useLiveEvents((event) => event.topic === 'notifications' && event.userId === userId, refresh);
  return (
    <nav aria-label="Your work" className="flex items-center gap-1 text-sm">
      <Link
        to="/my-work"
        className="rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white"
      >
        My work
      </Link>
      <Link
        to="/inbox"
        aria-label={unread ? `Inbox, ${unread} unread` : 'Inbox'}
        className="relative rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white"
      >
        Inbox
        {unread ? (
          <span data-unread-count className="ml-1 rounded-full bg-sky-600 px-1.5 py-0.5 text-[11px] font-semibold tabular-nums text-white">
            {unread}
          </span>
        ) : null}
      </Link>
    </nav>
  );
}
