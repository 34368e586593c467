import { Link } from '@remix-run/react';
import type { ReactNode } from 'react';

/** A page about one checklist (import, save as template): breadcrumb back to its deal and to it, then a heading. */
export function ChecklistSubpage({
  checklist,
  title,
  width = 'max-w-5xl',
  children,
}: {
  checklist: { id: string; title: string; deal: { id: string; name: string } };
  title: string;
  width?: 'max-w-5xl' | 'max-w-xl';
  children: ReactNode;
}) {
  return (
    <div className={`mx-auto ${width} space-y-6`}>
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to={`/deals/${checklist.deal.id}`} className="hover:underline">
          {checklist.deal.name}
        </Link>
        {' / '}
        <Link to={`/checklists/${checklist.id}`} className="hover:underline">
          {checklist.title}
        </Link>
      </nav>
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      {children}
    </div>
  );
}
