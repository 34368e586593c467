import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { canEdit, getDashboard, isMemberRole, setTargetSigningDate } from '@tieout/db';
import { useId } from 'react';
import { DashboardView, itemsHref } from '~/components/dashboard.tsx';
import { fieldClass } from '~/components/form.tsx';
import { readOrRefuse, requestToday } from '~/models/dashboard.server.ts';
import { attempt } from '~/models/tenancy.server.ts';
import { requireUser } from '~/utils/auth.server.ts';
import { useLiveRevalidation } from '~/utils/live.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `Dashboard · ${loaderData.dashboard.scope.deal?.name ?? ''} · Tieout` : 'Dashboard · Tieout' },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const dashboard = await readOrRefuse(
    () => getDashboard(context.db, session.claims, { kind: 'deal', dealId: params.dealId ?? '' }, requestToday()),
    session.headers,
  );
  const role = dashboard.scope.role;
  return data({ dashboard, canEdit: isMemberRole(role) && canEdit(role) }, { headers: session.headers });
}

/** Sets the deal's target signing date (editors and owners; the deals policy decides). */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const session = await requireUser(request, context);
  const form = await request.formData();
  const raw = String(form.get('targetSigningDate') ?? '').trim();
  const changed = await attempt(() => setTargetSigningDate(context.db, session.claims, params.dealId ?? '', raw === '' ? null : raw));
  if (!changed.ok) return data({ error: changed.message }, { status: changed.status, headers: session.headers });
  if (!changed.value)
    return data({ error: 'Only editors and owners of this workspace can set the target signing date.' }, { status: 403, headers: session.headers });
  return data({ error: null }, { headers: session.headers });
}

export default function DealDashboard() {
  const { dashboard, canEdit: editable } = useLoaderData<typeof loader>();
  const deal = dashboard.scope.deal!;
  const workspaceId = dashboard.scope.workspace.id;
  useLiveRevalidation((event) => (event.topic === 'items' || event.topic === 'approvals') && event.workspaceId === workspaceId);
  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="flex gap-2 text-sm text-slate-500">
        <Link to={`/workspaces/${workspaceId}/dashboard`} className="hover:underline">
          {dashboard.scope.workspace.name}
        </Link>
        <span aria-hidden="true">/</span>
        <Link to={`/deals/${deal.id}`} className="hover:underline">
          {deal.name}
        </Link>
      </nav>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Dashboard: {deal.name}</h1>
          {deal.buyer && deal.target ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">{`${deal.buyer} acquiring ${deal.target}`}</p>
          ) : null}
        </div>
        <ul className="flex flex-wrap items-center gap-4 text-sm" aria-label="Reports">
          <li>
            <Link to={itemsHref(workspaceId, { deal: deal.id })} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
              All items
            </Link>
          </li>
          <li>
            <a href={`/deals/${deal.id}/export.csv`} className="font-medium text-sky-700 hover:underline dark:text-sky-400" download>
              Export CSV
            </a>
          </li>
          <li>
            <a href={`/deals/${deal.id}/export.xlsx`} className="font-medium text-sky-700 hover:underline dark:text-sky-400" download>
              Export XLSX
            </a>
          </li>
          <li>
            <a href={`/deals/${deal.id}/report`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
              Status report
            </a>
          </li>
        </ul>
      </div>
      <SigningDate dealId={deal.id} date={deal.targetSigningDate} editable={editable} />
      <DashboardView dashboard={dashboard} />
    </div>
  );
}

function SigningDate({ dealId, date, editable }: { dealId: string; date: string | null; editable: boolean }) {
  const id = useId();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  if (!editable) return date ? <p className="text-sm text-slate-600 dark:text-slate-400">Target signing date: {date}</p> : null;
  return (
    <Form method="post" action={`/deals/${dealId}/dashboard`} className="flex flex-wrap items-center gap-2 text-sm" key={date ?? 'none'}>
      <label htmlFor={id} className="text-slate-600 dark:text-slate-400">
        Target signing date
      </label>
      <input
        id={id}
        type="date"
        name="targetSigningDate"
        defaultValue={date ?? ''}
        className={`${fieldClass} py-1`}
        aria-describedby={result?.error ? `${id}-error` : undefined}
      />
      <button
        type="submit"
        className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
        disabled={navigation.state !== 'idle'}
      >
        Save
      </button>
      {result?.error ? (
        <p id={`${id}-error`} role="alert" className="text-red-600 dark:text-red-400">
          {result.error}
        </p>
      ) : null}
    </Form>
  );
}
