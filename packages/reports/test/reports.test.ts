import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDealReport, loadStoredDocument, migrate, writeProjection, type Database, type DealReport } from '@tieout/db';
import {
  demoChecklists,
  demoDeal,
  demoUsers,
  demoWorkspace,
  openScratchDatabase,
  SEED_TODAY,
  type ScratchDatabase,
  userClaims,
} from '@tieout/db/testing';
import { readChecklist, updateItem } from '@tieout/doc-model';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS, closePdfBrowser, dealCsv, dealReportHtml, dealXlsx, htmlToPdf } from '../src/index.ts';

const HOSTILE = '=HYPERLINK("http://evil.test") <img src=x onerror=alert(1)>';

describe('deal exports', () => {
  let scratch: ScratchDatabase;
  let db: Database;
  let report: DealReport;
  /** Request-list numbers given to items of the lease checklist, by the item's title. */
  const references = new Map<string, string>();

  beforeAll(async () => {
    scratch = await openScratchDatabase({ label: 'reports', migrate: false });
    db = scratch.db;
    await migrate(db, { seedIfFresh: true });
    // A title a hostile editor could type: it must come out as text in every format.
    const doc = await loadStoredDocument(db, demoChecklists.leaseExposure.id);
    const first = readChecklist(doc).sections[0]!.items[0]!;
    updateItem(doc, first.id, { title: HOSTILE });
    // References (request-list numbers) on the first items; the Ref column must carry them in every format.
    for (const [index, item] of readChecklist(doc).sections[0]!.items.slice(0, 3).entries()) {
      const reference = ['LE-1', 'LE-2', 'LE-10'][index]!;
      updateItem(doc, item.id, { reference });
      references.set(readChecklist(doc).sections[0]!.items[index]!.title, reference);
    }
    await writeProjection(
      db,
      { checklistId: demoChecklists.leaseExposure.id, workspaceId: demoWorkspace.id, dealId: demoDeal.id },
      doc,
      demoUsers.editor.id,
    );
    report = await getDealReport(db, userClaims(demoUsers.owner), demoDeal.id, SEED_TODAY, new Date('2026-11-22T12:00:00Z'));
  }, 120_000);
  afterAll(async () => {
    await closePdfBrowser();
    await scratch?.dispose();
  });

  it('writes every item to the CSV with the shared columns, formulas neutralised', () => {
    const parsed = Papa.parse<Record<string, string>>(dealCsv(report).replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true });
    expect(parsed.meta.fields).toEqual([...EXPORT_COLUMNS]);
    expect(parsed.data).toHaveLength(report.items.length);
    expect(report.items.length).toBeGreaterThan(40);
    const blocked = parsed.data.find((row) => row.Title === 'Utility ramp schedule and energization milestones')!;
    expect(blocked).toMatchObject({ Workstream: 'Site retrofits', Status: 'Blocked', Due: '2026-11-13', Risk: 'High' });
    const reported = parsed.data.find((row) => row.Title === 'Reconcile contracted vs deliverable MW per site')!;
    expect(reported.Figures).toBe('Reported gross capacity (portfolio): 1,300 MW');
    expect(parsed.data.some((row) => row.Title === `'${HOSTILE}`)).toBe(true);
    // Ref holds the references given in the documents, and nothing for items without one.
    const lease = parsed.data.filter((row) => row.Workstream === 'Lease exposure');
    expect(lease.filter((row) => row.Ref !== '').map((row) => [(row.Title ?? '').replace(/^'/, ''), row.Ref])).toEqual([...references]);
    expect(parsed.data.filter((row) => row.Ref !== '')).toHaveLength(3);
  });

  it('writes one XLSX sheet per workstream with the items in checklist order', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await dealXlsx(report)) as never);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Site retrofits', 'Energy contracts', 'Lease exposure', 'Summary']);
    const sheet = workbook.getWorksheet('Energy contracts')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(['Checklist', 'Section', 'Ref', 'Title', 'Status', 'Owner', 'Due', 'Risk', 'Figures', 'Approval', 'Last change']);
    const energy = report.items.filter((item) => item.workstreamName === 'Energy contracts');
    expect(sheet.actualRowCount).toBe(energy.length + 1);
    const titles = sheet.getColumn(4).values.slice(2);
    expect(titles).toEqual(energy.map((item) => item.title));
    const debt = energy.findIndex(
      (item) => item.title === 'Target\u2019s cost of short-term debt' || item.title === "Target's cost of short-term debt",
    );
    expect(sheet.getRow(debt + 2).getCell(9).value).toBe('Reported short-term debt cost: 10.1%');
    const lease = workbook.getWorksheet('Lease exposure')!;
    const refs = lease
      .getSheetValues()
      .slice(2)
      .filter((row) => Array.isArray(row) && row[3])
      .map((row) => [String((row as unknown[])[4]).replace(/^'/, ''), String((row as unknown[])[3])]);
    expect(refs).toEqual([...references]);
  });

  it('renders a self-contained, escaped status report and prints it to a PDF whose first page renders to PNG', async () => {
    const html = dealReportHtml(report);
    expect(html).toContain('Status report: CoreWeave / Core Scientific');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<script|src="http|href="http/);
    for (const heading of ['Summary', 'Risk heatmap (open items)', 'Exposure', 'Overdue items', 'Other open items', 'Sign-offs'])
      expect(html).toContain(heading);
    const numberedOpen = report.items.filter((item) => item.reference && item.status !== 'done');
    expect(numberedOpen.length).toBeGreaterThan(0);
    for (const item of numberedOpen) expect(html).toContain(`<td class="ref">${item.reference}</td>`);

    const pdf = await htmlToPdf(html);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(join(tmpdir(), 'tieout-report-'));
    writeFileSync(join(dir, 'report.pdf'), pdf);
    const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', join(dir, 'report.pdf'), '-']).toString();
    expect(text).toContain('Status report: CoreWeave / Core Scientific');
    execFileSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', '-singlefile', join(dir, 'report.pdf'), join(dir, 'page')]);
    const png = readFileSync(join(dir, 'page.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    // A4 portrait at 50 dpi: 413 x 585 pixels.
    expect(width).toBeGreaterThan(400);
    expect(height / width).toBeCloseTo(297 / 210, 1);
  }, 60_000);
});
