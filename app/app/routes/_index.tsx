import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { FigureRollups } from '~/components/figure-rollups.tsx';
import { buttonClass } from '~/components/form.tsx';
import { ProgressBadges, ProgressBar } from '~/components/progress.tsx';
import { listWorkspacesWithDeals } from '@tieout/db';
import { canEdit, roleLabels } from '@tieout/db/roles';
import { requireUser } from '~/utils/auth.server.ts';
import { requestToday } from '~/models/dashboard.server.ts';
import { formatUsd, titleCase } from '~/utils/format.ts';
import { useLiveRevalidation } from '~/utils/live.ts';
import { itemsHref } from '~/components/dashboard.tsx';

export const meta: MetaFunction = () => [{ title: 'Deals · Tieout' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const workspaces = await listWorkspacesWithDeals(context.db, session.claims, requestToday());
  return data({ workspaces }, { headers: session.headers });
}

export default function Home() {
  const { workspaces } = useLoaderData<typeof loader>();
  // Progress and figures follow the projection: re-read when items or approvals change in one of these workspaces.
  const ids = new Set(workspaces.map((workspace) => workspace.id));
  useLiveRevalidation((event) => (event.topic === 'items' || event.topic === 'approvals') && ids.has(event.workspaceId ?? ''));
  return (
    <div className="space-y-10">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Your deals</h1>
        <Link to="/workspaces/new" className="text-sm font-medium text-sky-700 hover:underline dark:text-sky-400">
          New workspace
        </Link>
      </div>
      {workspaces.length === 0 ? (
        <p className="text-slate-600 dark:text-slate-400">You are not a member of any workspace yet. Ask a workspace owner to add you.</p>
      ) : null}
      {workspaces.map((workspace) => (
        <section key={workspace.id} aria-labelledby={`ws-${workspace.id}`} className="space-y-3">
          <div className="flex flex-wrap items-baseline gap-3">
            <h2 id={`ws-${workspace.id}`} className="text-lg font-semibold">
              {workspace.name}
            </h2>
            {workspace.role ? <span className="text-xs uppercase tracking-wide text-slate-500">{roleLabels[workspace.role]}</span> : null}
            <Link
              to={`/workspaces/${workspace.id}/dashboard`}
              aria-label={`Dashboard of ${workspace.name}`}
              className="text-sm text-sky-700 hover:underline dark:text-sky-400"
            >
              Dashboard
            </Link>
            <Link
              to={`/workspaces/${workspace.id}/members`}
              aria-label={`Members of ${workspace.name}`}
              className="text-sm text-sky-700 hover:underline dark:text-sky-400"
            >
              Members
            </Link>
            <Link
              to={`/workspaces/${workspace.id}/archived`}
              aria-label={`Archived in ${workspace.name}`}
              className="text-sm text-sky-700 hover:underline dark:text-sky-400"
            >
              Archived
            </Link>
            {canEdit(workspace.role) ? (
              <Link
                to={`/deals/new?${new URLSearchParams({ workspace: workspace.id })}`}
                aria-label={`New deal in ${workspace.name}`}
                className={`${buttonClass} ml-auto`}
              >
                New deal
              </Link>
            ) : null}
          </div>
          {workspace.deals.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">No deals in this workspace yet.</p>
          ) : (
            <ul className="grid gap-4 md:grid-cols-2">
              {workspace.deals.map((deal) => (
                <li key={deal.id}>
                  <div className="relative space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm transition hover:border-sky-300 hover:shadow dark:border-slate-800 dark:bg-slate-900 dark:hover:border-sky-700">
                    <div className="flex items-start justify-between gap-4">
                      <div>
                        <h3 className="font-semibold">
                          {/* The whole card opens the deal; the badges and the dashboard link on it lead to their own pages. */}
                          <Link to={`/deals/${deal.id}`} className="after:absolute after:inset-0">
                            {deal.name}
                          </Link>
                        </h3>
                        <p className="text-sm text-slate-600 dark:text-slate-400">
                          {deal.buyer && deal.target ? `${deal.buyer} acquiring ${deal.target}` : titleCase(deal.stage)}
                        </p>
                      </div>
                      <div className="text-right text-sm">
                        <div className="font-medium tabular-nums">{formatUsd(deal.valueUsd)}</div>
                        <div className="text-xs text-slate-500">{titleCase(deal.stage)}</div>
                      </div>
                    </div>
                    <ProgressBar progress={deal.progress} label={`Progress of ${deal.name}`} />
                    <div className="flex flex-wrap items-center justify-between gap-2">
                      <ProgressBadges progress={deal.progress} links={(query) => itemsHref(workspace.id, { deal: deal.id, ...query })} />
                      <Link
                        to={`/deals/${deal.id}/dashboard`}
                        className="relative z-10 text-xs font-medium text-sky-700 hover:underline dark:text-sky-400"
                        aria-label={`Dashboard of ${deal.name}`}
                      >
                        Dashboard
                      </Link>
                    </div>
                    <FigureRollups figures={deal.figures} label={`Figures of ${deal.name}`} />
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </div>
  );
}
