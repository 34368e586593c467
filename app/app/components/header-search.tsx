import { Form, useLocation, useSearchParams } from '@remix-run/react';
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
      const shortcut = (event.key === 'k' && (event.metaKey || event.ctrlKey)) || (event.key === '/' && !typing && !event.metaKey && !event.ctrlKey && !event.altKey);
      if (!shortcut) return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <Form method="get" action="/search" role="search" aria-label="Search all deals" className="min-w-0 flex-1 sm:max-w-sm">
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
  );
}
