import type { LoaderFunctionArgs } from '@remix-run/node';
import { getDealReport, recordDealExport } from '@tieout/db';
import { dealCsv, fileStem } from '@tieout/reports';
import { readOrRespond, requestToday } from '~/models/dashboard.server.ts';
import { requireUser } from '~/utils/auth.server.ts';

/** GET /deals/:dealId/export.csv: every item of the deal, as the caller may see it; recorded in the audit trail. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const report = await readOrRespond(() => getDealReport(context.db, session.claims, params.dealId ?? '', requestToday()), session.headers);
  const body = dealCsv(report);
  await recordDealExport(context.db, session.claims, {
    workspaceId: report.dashboard.scope.workspace.id,
    dealId: report.dashboard.scope.deal!.id,
    format: 'csv',
    items: report.items.length,
  });
  const headers = new Headers(session.headers);
  headers.set('Content-Type', 'text/csv; charset=utf-8');
  headers.set('Content-Disposition', `attachment; filename="${fileStem(report)}.csv"`);
  headers.set('Cache-Control', 'private, no-store');
  return new Response(body, { headers });
}
