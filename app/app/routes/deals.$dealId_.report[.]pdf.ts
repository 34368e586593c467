import type { LoaderFunctionArgs } from '@remix-run/node';
import { getDealReport, recordDealExport } from '@tieout/db';
import { dealReportHtml, fileStem, htmlToPdf } from '@tieout/reports';
import { readOrRespond, requestToday } from '~/models/dashboard.server.ts';
import { requireUser } from '~/utils/auth.server.ts';

/** GET /deals/:dealId/report.pdf: the status report printed by headless Chromium on the server. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const report = await readOrRespond(() => getDealReport(context.db, session.claims, params.dealId ?? '', requestToday()), session.headers);
  const pdf = await htmlToPdf(dealReportHtml(report));
  await recordDealExport(context.db, session.claims, {
    workspaceId: report.dashboard.scope.workspace.id,
    dealId: report.dashboard.scope.deal!.id,
    format: 'pdf',
    items: report.items.length,
  });
  const headers = new Headers(session.headers);
  headers.set('Content-Type', 'application/pdf');
  headers.set('Content-Disposition', `attachment; filename="${fileStem(report)}.pdf"`);
  headers.set('Cache-Control', 'private, no-store');
  return new Response(new Uint8Array(pdf), { headers });
}
