import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { getDashboard } from '@tieout/db';
import { DashboardView, itemsHref } from '~/components/dashboard.tsx';
import { readOrRefuse, requestToday } from '~/models/dashboard.server.ts';
import { requireUser } from '~/utils/auth.server.ts';
import { useLiveRevalidation } from '~/utils/live.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `Dashboard · ${loaderData.dashboard.scope.workspace.name} · Tieout` : 'Dashboard · Tieout' },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const dashboard = await readOrRefuse(
    () => getDashboard(context.db, session.claims, { kind: 'workspace', workspaceId: params.workspaceId ?? '' }, requestToday()),
    session.headers,
  );
  return data({ dashboard }, { headers: session.headers });
}

export default function WorkspaceDashboard() {
  const { dashboard } = useLoaderData<typeof loader>();
  const workspaceId = dashboard.scope.workspace.id;
  // The projection (items) and approvals (verified figures) of this workspace: re-read the numbers, never a document.
  useLiveRevalidation((event) => (event.topic === 'items' || event.topic === 'approvals') && event.workspaceId === workspaceId);
  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to="/" className="hover:underline">
          {dashboard.scope.workspace.name}
        </Link>
      </nav>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Dashboard: {dashboard.scope.workspace.name}</h1>
        <Link to={itemsHref(workspaceId, {})} className="text-sm font-medium text-sky-700 hover:underline dark:text-sky-400">
          All items
        </Link>
      </div>
      <ul className="flex flex-wrap gap-3 text-sm" aria-label="Deal dashboards">
        {dashboard.scope.deals.map((deal) => (
          <li key={deal.id}>
            <Link
              to={`/deals/${deal.id}/dashboard`}
              className="rounded-full border border-slate-300 px-3 py-1 hover:border-sky-400 dark:border-slate-700"
            >
              {deal.name}
            </Link>
          </li>
        ))}
      </ul>
      <DashboardView dashboard={dashboard} />
    </div>
  );
}
