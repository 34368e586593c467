import type { LoaderFunctionArgs } from '@remix-run/node';
import { data } from '@remix-run/node';
import { getChecklist, listMembers, loadDocument, recordAuditEvent } from '@tieout/db';
import { FIGURE_KINDS, readChecklist, STATUS_LABELS } from '@tieout/doc-model';
import Papa from 'papaparse';
import { z } from 'zod';
import { requireUser } from '~/utils/auth.server.ts';

/**
 * A checklist's items as CSV, one row per item in checklist order, with the headers the import recognises, so the
 * file can be edited in a spreadsheet and imported again (rows are then matched by reference, else title). The
 * export is audited.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const checklistId = z.uuid().safeParse(params.checklistId);
  const checklist = checklistId.success ? await getChecklist(context.db, session.claims, checklistId.data) : null;
  if (!checklist) throw data('This checklist does not exist or you do not have access to it.', { status: 404, headers: session.headers });
  const [doc, members] = await Promise.all([
    loadDocument(context.db, session.claims, checklist.id),
    listMembers(context.db, session.claims, checklist.workspaceId),
  ]);
  const emails = new Map(members.map((member) => [member.userId, member.email]));
  const view = readChecklist(doc);
  const rows = view.sections.flatMap((section) =>
    section.items.map((item) => ({
      Ref: item.reference ?? '',
      Section: section.title,
      Title: item.title,
      Status: STATUS_LABELS[item.status],
      'Owner email': item.ownerId ? (emails.get(item.ownerId) ?? '') : '',
      'Due date': item.dueDate ?? '',
      Risk: item.risk ?? '',
      Figures: item.figures
        .filter((figure) => figure.value !== null)
        .map((figure) => `${figure.label}: ${figure.value} ${FIGURE_KINDS[figure.kind].unit}`)
        .join('; '),
    })),
  );
  // A cell starting with = + - @ would run as a formula in a spreadsheet: quote it as text.
  const safe = rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([key, value]) => [key, /^[=+\-@\t\r]/.test(value) ? `'${value}` : value])),
  );
  const csv = Papa.unparse(safe, { columns: ['Ref', 'Section', 'Title', 'Status', 'Owner email', 'Due date', 'Risk', 'Figures'] });
  await context.db.asUser(session.claims, (sql) =>
    recordAuditEvent(sql, {
      workspaceId: checklist.workspaceId,
      dealId: checklist.deal.id,
      checklistId: checklist.id,
      kind: 'items_exported',
      newValue: { rows: rows.length, format: 'csv' },
    }),
  );
  const name = checklist.title.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'checklist';
  return new Response(`\uFEFF${csv}`, {
    headers: {
      ...Object.fromEntries(session.headers),
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}-items.csv"`,
      'Cache-Control': 'private, no-store',
    },
  });
}
