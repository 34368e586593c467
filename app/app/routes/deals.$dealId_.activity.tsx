/*
 * The activity of a whole deal: every audited change in its checklists, filterable by person, field and date range,
 * and the audit trail as CSV (deals.$dealId_.audit[.]csv.ts).
 */
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Link, useLoaderData, useLocation } from '@remix-run/react';
import { getDeal, listMembers } from '@tieout/db';
import { z } from 'zod';
import { ActivityFeed } from '~/components/history/activity-feed.tsx';
import { loadActivity } from '~/models/activity.server.ts';
import { requireUser } from '~/utils/auth.server.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `Activity · ${loaderData.deal.name} · Tieout` : 'Activity · Tieout' },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const dealId = z.uuid().safeParse(params.dealId);
  const deal = dealId.success ? await getDeal(context.db, session.claims, dealId.data) : null;
  if (!deal) throw data('This deal does not exist or you do not have access to it.', { status: 404, headers: session.headers });
  const [members, activity] = await Promise.all([
    listMembers(context.db, session.claims, deal.workspace.id),
    loadActivity(context.db, session.claims, { dealId: deal.id }, new URL(request.url)),
  ]);
  return data(
    { deal: { id: deal.id, name: deal.name }, members: members.map(({ userId, displayName }) => ({ id: userId, name: displayName })), activity },
    { headers: { ...Object.fromEntries(session.headers), 'Cache-Control': 'private, no-store' } },
  );
}

export default function DealActivity() {
  const { deal, members, activity } = useLoaderData<typeof loader>();
  const location = useLocation();
  const names = new Map(members.map((member) => [member.id, member.name]));
  return (
    <div className="mx-auto max-w-5xl space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to={`/deals/${deal.id}`} className="hover:underline">
          {deal.name}
        </Link>
      </nav>
      <h1 className="text-2xl font-semibold tracking-tight">Activity</h1>
      <ActivityFeed
        entries={activity.entries}
        query={activity.query}
        error={activity.error}
        members={members}
        names={names}
        showChecklist
        heading={false}
        exportHref={`/deals/${deal.id}/audit.csv${location.search}`}
      />
    </div>
  );
}
