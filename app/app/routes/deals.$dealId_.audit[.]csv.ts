import type { LoaderFunctionArgs } from '@remix-run/node';
import { data } from '@remix-run/node';
import { getDeal, listMembers, recordAuditEvent } from '@tieout/db';
import { z } from 'zod';
import { auditCsv, loadActivity } from '~/models/activity.server.ts';
import { requireUser } from '~/utils/auth.server.ts';

/** A deal's audit trail as CSV (the activity page's filters apply). The export is itself audited. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const dealId = z.uuid().safeParse(params.dealId);
  const deal = dealId.success ? await getDeal(context.db, session.claims, dealId.data) : null;
  if (!deal) throw data('This deal does not exist or you do not have access to it.', { status: 404, headers: session.headers });
  const activity = await loadActivity(context.db, session.claims, { dealId: deal.id }, new URL(request.url), 10_000);
  if (activity.error) throw data(activity.error, { status: 400, headers: session.headers });
  const members = await listMembers(context.db, session.claims, deal.workspace.id);
  const csv = auditCsv(activity.entries, new Map(members.map((member) => [member.userId, member.displayName])));
  await context.db.asUser(session.claims, (sql) =>
    recordAuditEvent(sql, {
      workspaceId: deal.workspace.id,
      dealId: deal.id,
      kind: 'audit_exported',
      newValue: { rows: activity.entries.length, format: 'csv' },
    }),
  );
  const name = deal.name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'deal';
  return new Response(`\uFEFF${csv}`, {
    headers: {
      ...Object.fromEntries(session.headers),
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}-audit-trail.csv"`,
      'Cache-Control': 'private, no-store',
    },
  });
}
