import { Form, Link, useLocation, useSearchParams } from '@remix-run/react';
import { useEffect, useRef } from 'react';

/** The one search box (every deal the person can see). "/" or Ctrl/⌘+K focuses it from anywhere but a text field. */
export function HeaderSearch() {
  const input = useRef<HTMLInputElement>(null);
  const location = useLocation();
  const [params] = useSearchParams();
  const current = location.pathname === '/search' ? (params.get('q') ?? '') : '';
  useEffect(() => {
    if (input.current && document.activeElement !== input.current) input.current.value = current;
  }, [current]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      const typing = !!target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
      const shortcut =
        (event.key === 'k' && (event.metaKey || event.ctrlKey)) ||
        (event.key === '/' && !typing && !event.metaKey && !event.ctrlKey && !event.altKey);
      if (!shortcut) return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  // On a phone the header has no room for a box (squeezed between the name and the links it was an empty square a
  // finger could not use): a 44 px magnifier opens the search page, whose own form has the words and filters.
  return (
    <>
      <Link
        to="/search"
        aria-label="Search all deals"
        title="Search all deals"
        className="flex h-11 w-11 shrink-0 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100 hover:text-slate-900 sm:hidden dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" className="h-5 w-5">
          <circle cx="8.5" cy="8.5" r="5.5" />
          <path d="m13 13 4.5 4.5" />
        </svg>
      </Link>
      <Form method="get" action="/search" role="search" aria-label="Search all deals" className="hidden min-w-0 flex-1 sm:block sm:max-w-sm">
        <input
          ref={input}
          type="search"
          name="q"
          defaultValue={current}
          maxLength={500}
          placeholder="Search all deals  ( / )"
          aria-label="Search all deals"
          aria-keyshortcuts="/ Control+K Meta+K"
          className="w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm placeholder:text-slate-400 focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/30 dark:border-slate-700 dark:bg-slate-900"
        />
      </Form>
    </>
  );
}
