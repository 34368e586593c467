import type { DealReport } from '@tieout/db';
import ExcelJS from 'exceljs';
import { EXPORT_COLUMNS, exportRow, type ExportColumn } from './rows.ts';
import { neutralise } from './csv.ts';

const SHEET_COLUMNS = EXPORT_COLUMNS.filter((column) => column !== 'Workstream');
const WIDTHS: Partial<Record<ExportColumn, number>> = {
  Checklist: 22,
  Section: 28,
  Ref: 8,
  Title: 60,
  Status: 14,
  Owner: 18,
  Due: 12,
  Risk: 10,
  Figures: 48,
  Approval: 32,
  'Last change': 34,
};

/** Sheet names: at most 31 characters, none of : \ / ? * [ ], unique (Excel's rules). */
function sheetName(name: string, taken: Set<string>): string {
  const base =
    name
      .replace(/[:\\/?*[\]]/g, ' ')
      .trim()
      .slice(0, 31) || 'Workstream';
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n += 1) candidate = `${base.slice(0, 31 - String(n).length - 1)} ${n}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** The deal as an XLSX workbook: one sheet per workstream (exceljs), then a summary sheet. */
export async function dealXlsx(report: DealReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Tieout';
  workbook.created = new Date(report.generatedAt);
  const taken = new Set<string>();
  const deal = report.dashboard.scope.deal;
  for (const workstream of report.dashboard.workstreams) {
    const sheet = workbook.addWorksheet(sheetName(workstream.name, taken), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = SHEET_COLUMNS.map((column) => ({ header: column, key: column, width: WIDTHS[column] ?? 16 }));
    sheet.getRow(1).font = { bold: true };
    for (const item of report.items.filter((candidate) => candidate.workstreamId === workstream.id)) {
      const row = exportRow(item);
      sheet.addRow(Object.fromEntries(SHEET_COLUMNS.map((column) => [column, neutralise(row[column])])));
    }
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: SHEET_COLUMNS.length } };
  }
  const summary = workbook.addWorksheet(sheetName('Summary', taken));
  summary.columns = [
    { header: 'Workstream', key: 'workstream', width: 28 },
    { header: 'Items', key: 'total', width: 10 },
    { header: 'Done', key: 'done', width: 10 },
    { header: 'Blocked', key: 'blocked', width: 10 },
    { header: 'Needs review', key: 'review', width: 14 },
  ];
  summary.getRow(1).font = { bold: true };
  for (const workstream of report.dashboard.workstreams) {
    summary.addRow({
      workstream: workstream.name,
      total: workstream.counts.total,
      done: workstream.counts.done,
      blocked: workstream.counts.blocked,
      review: workstream.counts.needs_review,
    });
  }
  summary.addRow({});
  summary.addRow({
    workstream: `${deal?.name ?? ''}: generated ${report.generatedAt.replace('T', ' ').slice(0, 16)} UTC; overdue means due before ${report.dashboard.today}`,
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
