import type { LoaderFunctionArgs } from '@remix-run/node';
import { getDealReport, recordDealExport } from '@tieout/db';
import { dealReportHtml } from '@tieout/reports';
import { readOrRespond, requestToday } from '~/models/dashboard.server.ts';
import { requireUser } from '~/utils/auth.server.ts';

/**
 * GET /deals/:dealId/report: the printable status report, a self-contained HTML page styled for print, with a
 * "Download PDF" link (hidden in print) to the same page printed by headless Chromium on the server.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const report = await readOrRespond(() => getDealReport(context.db, session.claims, params.dealId ?? '', requestToday()), session.headers);
  const deal = report.dashboard.scope.deal!;
  await recordDealExport(context.db, session.claims, {
    workspaceId: report.dashboard.scope.workspace.id,
    dealId: deal.id,
    format: 'html',
    items: report.items.length,
  });
  const headers = new Headers(session.headers);
  headers.set('Content-Type', 'text/html; charset=utf-8');
  headers.set('Cache-Control', 'private, no-store');
  // The page runs no script and loads nothing: a strict policy of its own.
  headers.set(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  );
  return new Response(dealReportHtml(report, { pdfHref: `/deals/${deal.id}/report.pdf`, backHref: `/deals/${deal.id}/dashboard` }), { headers });
}
