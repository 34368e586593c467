import { type Page } from '@playwright/test';
import { demoChecklists, demoUsers } from '@tieout/db/testing';
import ExcelJS from 'exceljs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { addSection, openNotes, uniqueTag } from './support/checklist-page.ts';
import { openChecklist } from './support/session.ts';
import { expect, hydrated, test } from './support/fixtures.ts';

const checklistId = demoChecklists.energyContracts.id;

/** A PDF built here (pdf-lib), one page per text. */
async function pdfFile(name: string, pages: string[]) {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const text of pages) pdf.addPage([420, 240]).drawText(text, { x: 24, y: 180, size: 13, font });
  return { name, mimeType: 'application/pdf', buffer: Buffer.from(await pdf.save()) };
}

async function xlsxFile(name: string, rows: string[][]) {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Schedule');
  rows.forEach((row) => sheet.addRow(row));
  return {
    name,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: Buffer.from(await workbook.xlsx.writeBuffer()),
  };
}

const filesRegion = (page: Page, title: string) => page.getByRole('region', { name: `Files of ${title}`, exact: true });
const fileList = (page: Page, title: string) => page.getByRole('list', { name: `Files of ${title}`, exact: true });

async function searchFor(page: Page, words: string) {
  const box = page.getByRole('searchbox', { name: 'Search all deals' });
  await box.fill(words);
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\?/);
}

test('files on an item: upload a PDF and an XLSX, preview both, a new version, seen live; search finds the PDF text and opens it; an outsider finds nothing and cannot use a copied link', async ({
  signedInPage,
}) => {
  test.setTimeout(120_000);
  const tag = uniqueTag();
  const title = `Capacity letter ${tag}`;
  const phrase = `curtailment${tag} waiver`;
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  await addSection(eddie, `Files ${tag}`, [title]);
  await openNotes(eddie, title);
  await expect(erin.getByRole('button', { name: `Notes for ${title}`, exact: true })).toBeVisible();
  await openNotes(erin, title);
  await expect(filesRegion(erin, title).getByText('No files yet.')).toBeVisible();

  // Two files at once through the picker.
  const pdf = await pdfFile(`PPA ${tag}.pdf`, ['Power purchase agreement, first page', `Clause 14: ${phrase} applies to the site`]);
  const xlsx = await xlsxFile(`Lease schedule ${tag}.xlsx`, [
    ['Site', 'MW'],
    ['Denton', '260'],
    [`Row ${tag}`, '42'],
  ]);
  await filesRegion(eddie, title).locator('input[type=file][multiple]').setInputFiles([pdf, xlsx]);
  await expect(fileList(eddie, title).getByText(pdf.name, { exact: true })).toBeVisible();
  await expect(fileList(eddie, title).getByText(xlsx.name, { exact: true })).toBeVisible();
  await expect(fileList(eddie, title)).toContainText('SHA-256');

  // The other browser sees them without reloading (live 'files' events).
  await expect(fileList(erin, title).getByText(pdf.name, { exact: true })).toBeVisible();
  await expect(fileList(erin, title).getByText(xlsx.name, { exact: true })).toBeVisible();

  // Previews: the PDF drawn by pdf.js, the first sheet as a table.
  await erin.getByRole('button', { name: `Preview ${pdf.name}`, exact: true }).click();
  const pdfPreview = erin.getByRole('region', { name: `Preview of ${pdf.name}` });
  await expect(pdfPreview.getByRole('status', { name: 'PDF page' })).toHaveText('Page 1 of 2');
  await expect(pdfPreview.getByRole('status', { name: 'PDF page' })).not.toHaveAttribute('data-rendered', '0');
  await pdfPreview.getByRole('button', { name: 'Next page' }).click();
  await expect(pdfPreview.getByRole('status', { name: 'PDF page' })).toHaveText('Page 2 of 2');
  await erin.getByRole('button', { name: `Preview ${xlsx.name}`, exact: true }).click();
  const table = erin.getByRole('table', { name: `Table of ${xlsx.name}` });
  await expect(table.getByRole('columnheader', { name: 'MW' })).toBeVisible();
  await expect(table.getByRole('cell', { name: `Row ${tag}` })).toBeVisible();

  // A new version of the PDF: version 2 listed, version 1 kept under earlier versions.
  const chooser = eddie.waitForEvent('filechooser');
  await eddie.getByRole('button', { name: `Upload a new version of ${pdf.name}`, exact: true }).click();
  await (await chooser).setFiles(await pdfFile(pdf.name, ['Power purchase agreement, signed', `Clause 14: ${phrase} applies to the site`]));
  await expect(fileList(eddie, title).getByText(/^v2 · PDF/)).toBeVisible();
  await expect(fileList(erin, title).getByText(/^v2 · PDF/)).toBeVisible();
  await expect(fileList(erin, title).getByText('Earlier versions (1)')).toBeVisible();

  // Search across deals finds the phrase that is only inside the PDF (once its text has been read) and opens it.
  await expect
    .poll(
      async () => {
        await searchFor(erin, `"${phrase}"`);
        return erin.getByRole('region', { name: 'Search results' }).getByRole('link').count();
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThan(0);
  const results = erin.getByRole('region', { name: 'Search results' });
  const hit = results.getByRole('link').filter({ hasText: title }).first();
  await expect(hit).toContainText(pdf.name);
  await expect(hit.locator('mark').first()).toHaveText(new RegExp(`curtailment${tag}`, 'i'));
  await hit.click();
  await expect(erin).toHaveURL(new RegExp(`/checklists/${checklistId}\\?item=.+&file=.+&page=2`));
  const opened = erin.getByRole('region', { name: new RegExp(`^Preview of ${pdf.name}`) });
  await expect(opened.getByRole('status', { name: 'PDF page' })).toHaveText('Page 2 of 2');

  // A member of another workspace finds nothing and cannot download with a copied link.
  const fileId = new URL(erin.url()).searchParams.get('file')!;
  const link = await erin.evaluate(async (id) => {
    const response = await fetch(`/files/${id}/link?purpose=download`);
    return ((await response.json()) as { url: string }).url;
  }, fileId);
  expect((await erin.request.get(link)).status()).toBe(200);
  const oscar = await signedInPage(demoUsers.outsider.email);
  await searchFor(oscar, `"${phrase}"`);
  await expect(oscar.getByRole('region', { name: 'Search results' }).getByRole('status')).toHaveText(/Nothing matches/);
  await expect(oscar.getByRole('region', { name: 'Search results' }).getByRole('link')).toHaveCount(0);
  const refused = await oscar.request.get(link);
  expect(refused.status()).toBe(403);
  expect(await refused.text()).toMatch(/not for a workspace you are a member of/);
  expect((await oscar.request.get(`/files/${fileId}/link?purpose=download`)).status()).toBe(404);
});

test('search box: keyboard shortcut, queries full of operators read as text, a 10,000-character query refused clearly', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  await eddie.goto('/');
  await hydrated(eddie);
  await eddie.keyboard.press('/');
  await expect(eddie.getByRole('searchbox', { name: 'Search all deals' })).toBeFocused();
  await eddie.keyboard.type('!!! & | ( ) <-> :* "unclosed -');
  await eddie.keyboard.press('Enter');
  await expect(eddie).toHaveURL(/\/search\?/);
  await expect(eddie.getByRole('region', { name: 'Search results' }).getByRole('status')).toBeVisible();
  await expect(eddie.getByRole('alert')).toHaveCount(0);

  const long = 'curtailment '.repeat(834).slice(0, 10_000);
  const response = await eddie.goto(`/search?${new URLSearchParams({ q: long })}`);
  expect(response?.status()).toBe(400);
  await expect(eddie.getByRole('alert')).toHaveText(/at most 500 characters/);
  // Ctrl+K from a page focuses the box too.
  await eddie.goto('/');
  await hydrated(eddie);
  await eddie.keyboard.press('Control+k');
  await expect(eddie.getByRole('searchbox', { name: 'Search all deals' })).toBeFocused();
});
