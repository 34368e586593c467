import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { ProgressBadges, ProgressBar } from '~/components/progress.tsx';
import { getDeal } from '~/models/deals.server.ts';
import { ROLE_LABELS } from '~/models/roles.ts';
import { requireUser } from '~/utils/auth.server.ts';
import { formatUsd, titleCase } from '~/utils/format.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `${loaderData.deal.name} · Tieout` : 'Deal · Tieout' },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const dealId = z.uuid().safeParse(params.dealId);
  const deal = dealId.success ? await getDeal(context.db, session.claims, dealId.data) : null;
  if (!deal) throw data('This deal does not exist or you do not have access to it.', { status: 404, headers: session.headers });
  return data({ deal }, { headers: session.headers });
}

export default function DealPage() {
  const { deal } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to="/" className="hover:underline">
          {deal.workspace.name}
        </Link>
      </nav>
      <header className="space-y-4">
        <div className="flex flex-wrap items-end justify-between gap-4">
          <div>
            <h1 className="text-2xl font-semibold tracking-tight">{deal.name}</h1>
            <p className="mt-1 text-slate-600 dark:text-slate-400">
              {deal.buyer && deal.target ? `${deal.buyer} acquiring ${deal.target}` : null}
              {deal.valueUsd !== null ? ` · ${formatUsd(deal.valueUsd)}` : null} · {titleCase(deal.stage)}
            </p>
          </div>
          {deal.role ? (
            <span className="rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-300">
              You are {ROLE_LABELS[deal.role].toLowerCase()}
            </span>
          ) : null}
        </div>
        <div className="max-w-xl space-y-2">
          <ProgressBar progress={deal.progress} label={`Progress of ${deal.name}`} />
          <ProgressBadges progress={deal.progress} />
        </div>
      </header>

      {deal.workstreams.length === 0 ? <p className="text-slate-600 dark:text-slate-400">No workstreams yet.</p> : null}
      <div className="grid gap-6 lg:grid-cols-3">
        {deal.workstreams.map((workstream) => (
          <section
            key={workstream.id}
            aria-labelledby={`wsm-${workstream.id}`}
            className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
          >
            <h2 id={`wsm-${workstream.id}`} className="font-semibold">
              {workstream.name}
            </h2>
            {workstream.checklists.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">No checklists yet.</p>
            ) : (
              <ul className="space-y-4">
                {workstream.checklists.map((checklist) => (
                  <li key={checklist.id} className="space-y-2">
                    <Link to={`/checklists/${checklist.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
                      {checklist.title}
                    </Link>
                    <ProgressBar progress={checklist.progress} label={`Progress of ${checklist.title}`} />
                    <ProgressBadges progress={checklist.progress} />
                  </li>
                ))}
              </ul>
            )}
          </section>
        ))}
      </div>
    </div>
  );
}
