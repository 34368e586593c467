import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoChecklists, demoDeal, demoUsers, demoWorkspace, otherWorkspace } from '@tieout/db/testing';
import { buildSeedData, otherChecklist } from '../../packages/db/src/seed/index.ts';
import { isDueThisWeek, isOverdue, todayIso } from '@tieout/doc-model';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { addSection, openNotes, uniqueTag } from './support/checklist-page.ts';
import { openChecklist } from './support/session.ts';

/*
 * The managers' dashboard (issue 14): its numbers against the seeded data, live changes from another browser,
 * click-through from the heatmap, a new checklist that rolls up nothing until a value is entered, and the exports
 * (CSV and XLSX read back, a PDF page rendered to PNG).
 */

const stat = (page: Page, name: string) => page.getByTestId(`stat-${name}`);

test('the dashboard shows the seeded numbers of a workspace', async ({ signedInPage }) => {
  // The other workspace's checklist: seeded, and no other spec edits it.
  const seeded = buildSeedData()
    .items.filter((item) => item.checklistId === otherChecklist.id)
    .map((item) => item.row);
  const today = todayIso();
  const page = await signedInPage(demoUsers.outsider.email);
  await page.goto(`/workspaces/${otherWorkspace.id}/dashboard`);
  const done = seeded.filter((row) => row.status === 'done').length;
  await expect(stat(page, 'done')).toHaveText(`${Math.floor((done / seeded.length) * 100)}%`);
  await expect(page.getByText(`${done} of ${seeded.length} items`)).toBeVisible();
  await expect(stat(page, 'open')).toHaveText(String(seeded.length - done));
  await expect(stat(page, 'overdue')).toHaveText(
    String(seeded.filter((row) => isOverdue({ status: row.status, dueDate: row.due_date }, today)).length),
  );
  await expect(stat(page, 'due-this-week')).toHaveText(
    String(seeded.filter((row) => isDueThisWeek({ status: row.status, dueDate: row.due_date }, today)).length),
  );
  await expect(stat(page, 'blocked')).toHaveText(String(seeded.filter((row) => row.status === 'blocked').length));
  await expect(stat(page, 'waiting-for-review')).toHaveText(String(seeded.filter((row) => row.status === 'needs_review').length));
  const open = seeded.filter((row) => row.status !== 'done');
  for (const risk of ['critical', 'high', 'medium', 'low'] as const) {
    await expect(page.getByTestId(`heat-Power contracts-${risk}`)).toHaveText(String(open.filter((row) => row.risk === risk).length));
  }
  // Nothing of the demo workspace is on it.
  await expect(page.getByText(demoDeal.name)).toHaveCount(0);
});

test('every number leads to its items: the overdue count and a heatmap cell open the matching items', async ({ signedInPage }) => {
  const page = await signedInPage(demoUsers.owner2.email);
  await page.goto(`/deals/${demoDeal.id}/dashboard`);
  const overdue = Number(await stat(page, 'overdue').textContent());
  expect(overdue).toBeGreaterThan(0);
  await stat(page, 'overdue').click();
  await expect(page).toHaveURL(new RegExp(`/workspaces/${demoWorkspace.id}/items\\?deal=${demoDeal.id}&due=overdue$`));
  await expect(page.getByTestId('item-count')).toContainText(`${overdue} items`);
  await expect(page.getByTestId('item-row')).toHaveCount(overdue);

  await page.goBack();
  const cell = page.getByTestId('heat-Site retrofits-high');
  const count = Number(await cell.textContent());
  expect(count).toBeGreaterThan(0);
  await cell.click();
  await expect(page).toHaveURL(/\/items\?deal=[0-9a-f-]{36}&workstream=[0-9a-f-]{36}&risk=high&status=open$/);
  await expect(page.getByTestId('item-count')).toContainText(`${count} item`);
  const rows = page.getByTestId('item-row');
  await expect(rows).toHaveCount(count);
  // Cells: Ref, Item, Deal / checklist, Status, Owner, Due, Risk, ...
  for (const row of await rows.all()) {
    await expect(row.getByRole('cell').nth(6)).toHaveText('High');
    await expect(row.getByRole('cell').nth(3)).not.toHaveText('Done');
    await expect(row.getByRole('cell').nth(2)).toContainText('Site retrofits');
  }
  // The filters are in the URL and in the form: a shared link shows the same view.
  await expect(page.getByLabel('Risk')).toHaveValue('high');
  await expect(page.getByLabel('Status')).toHaveValue('open');
  // The Ref and Due headers sort, keeping the filters; pressed again, the other way.
  const filtered = new URL(page.url()).search;
  await page.getByRole('link', { name: 'Ref', exact: true }).click();
  await expect(page).toHaveURL(`${new URL(page.url()).pathname}${filtered}&sort=ref`);
  await expect(page.getByRole('columnheader', { name: 'Ref' })).toHaveAttribute('aria-sort', 'ascending');
  await expect(rows).toHaveCount(count);
  await page.getByRole('link', { name: 'Ref', exact: true }).click();
  await expect(page).toHaveURL(/&sort=-ref$/);
  await expect(page.getByRole('columnheader', { name: 'Ref' })).toHaveAttribute('aria-sort', 'descending');
  await page.getByRole('link', { name: 'Due', exact: true }).click();
  await expect(page).toHaveURL(`${new URL(page.url()).pathname}${filtered}`);
  await expect(page.getByRole('columnheader', { name: 'Due' })).toHaveAttribute('aria-sort', 'ascending');
  const dues = (await page.getByTestId('item-row').evaluateAll((found) => found.map((row) => row.children[5]!.textContent ?? ''))).map((text) =>
    text.replace('overdue', ''),
  );
  const dated = dues.filter((due) => due !== '—');
  expect(dated).toEqual([...dated].sort());
  expect(dues.slice(dated.length).every((due) => due === '—')).toBe(true);
  // A filter value or a sort that does not exist is refused with a clear message.
  const refused = await page.goto(`/workspaces/${demoWorkspace.id}/items?status=finished`);
  expect(refused?.status()).toBe(400);
  await expect(page.getByText('Filter “status”: Status is one of')).toBeVisible();
  const unsorted = await page.goto(`/workspaces/${demoWorkspace.id}/items?sort=colour`);
  expect(unsorted?.status()).toBe(400);
  await expect(page.getByText('Sort is one of due, -due, ref, -ref (got “colour”)')).toBeVisible();
});

test('the dashboard and the deal page change live when an item’s status changes in another browser', async ({ signedInPage }) => {
  const maya = await signedInPage(demoUsers.owner2.email);
  await maya.goto(`/deals/${demoDeal.id}/dashboard`);
  const blockedBefore = Number(await stat(maya, 'blocked').textContent());
  const deal = await signedInPage(demoUsers.owner.email);
  await deal.goto(`/deals/${demoDeal.id}`);
  const badge = deal
    .getByRole('list', { name: 'Attention' })
    .first()
    .getByText(/blocked$/);
  const badgeBefore = await badge.textContent();
  // Marks on both pages: a reload would drop them.
  await maya.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
  await deal.evaluate(() => ((window as unknown as { marker: number }).marker = 1));

  // Eddie blocks an item of his own (a new one, not started: not counted as blocked until he says so).
  const eddie = await signedInPage(demoUsers.editor.email);
  await openChecklist(eddie, demoChecklists.energyContracts.id);
  const tag = uniqueTag();
  const item = `Curtailment clause ${tag}`;
  await addSection(eddie, `Dashboard ${tag}`, [item]);
  const status = eddie.getByRole('combobox', { name: `Status of ${item}` });
  await status.selectOption('blocked');
  const expected = blockedBefore + 1;

  await expect(stat(maya, 'blocked')).toHaveText(String(expected));
  await expect(badge).not.toHaveText(badgeBefore ?? '');
  expect(await maya.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  expect(await deal.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  await status.selectOption('in_progress');
  await expect(stat(maya, 'blocked')).toHaveText(String(blockedBefore));
});

test('a new checklist from a built-in template rolls up nothing until someone enters a value', async ({ signedInPage }) => {
  const page = await signedInPage(demoUsers.editor.email);
  await page.goto('/');
  await page.getByRole('link', { name: `New deal in ${demoWorkspace.name}` }).click();
  const name = `Solar portfolio ${Date.now()}`;
  await page.getByLabel('Deal name').fill(name);
  await page.getByRole('button', { name: 'Create deal' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await page.getByLabel('Kind').selectOption('site_retrofits');
  await page.getByRole('button', { name: 'Add workstream' }).click();
  await page.getByRole('link', { name: 'New checklist in Site retrofits' }).click();
  await page.getByLabel('Title', { exact: true }).fill('Solar sites');
  await page.getByRole('button', { name: 'Create checklist' }).click();
  await expect(page).toHaveURL(/\/checklists\/[0-9a-f-]{36}$/);
  const checklistUrl = page.url();
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });

  await page.getByRole('link', { name }).first().click();
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Dashboard: ${name}` })).toBeVisible();
  await expect(page.getByText('No figure has a value yet.')).toBeVisible();
  await expect(page.getByText('1,300 MW')).toHaveCount(0);
  const reported = page.getByRole('row', { name: /Reported gross capacity \(portfolio\)/ });
  await expect(reported).toContainText('no value entered yet');
  const dashboardUrl = page.url();
  // The dashboard stays open in a second browser: it follows the projection live.
  const dashboard = await signedInPage(demoUsers.owner2.email);
  await dashboard.goto(dashboardUrl);
  await expect(dashboard.getByText('No figure has a value yet.')).toBeVisible();

  // Enter one value: it is rolled up, as unverified, from one item.
  await page.goto(checklistUrl);
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  const item = 'Reconcile contracted vs deliverable MW per site';
  await openNotes(page, item);
  const field = page.getByRole('textbox', { name: `Deliverable MW today (MW) of ${item}` });
  await field.fill('-50');
  await field.press('Enter');
  await expect(page.getByText('Power in MW cannot be negative')).toBeVisible();
  await field.fill('450');
  await field.press('Enter');
  const deliverable = dashboard.getByRole('row', { name: /Deliverable MW today/ }).first();
  await expect(deliverable).toContainText('450 MW');
  await expect(deliverable).toContainText('sum of 1 figure from 1 item');
  await expect(dashboard.getByRole('row', { name: /Reported gross capacity \(portfolio\)/ })).toContainText('no value entered yet');
});

test('exports: the CSV and XLSX hold the deal’s rows, and a page of the PDF renders', async ({ signedInPage }) => {
  const page = await signedInPage(demoUsers.owner2.email);
  await page.goto(`/deals/${demoDeal.id}/dashboard`);
  const total = Number(
    (await page
      .getByText(/ of \d+ items$/)
      .first()
      .textContent())!.match(/of (\d+) items/)![1],
  );

  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  const csv = readFileSync((await csvDownload.path())!, 'utf8').replace(/^\uFEFF/, '');
  const rows = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data;
  expect(rows).toHaveLength(total);
  expect(rows.find((row) => row.Title === 'Phase I environmental site assessment')).toMatchObject({
    Workstream: 'Site retrofits',
    Checklist: 'Site retrofits',
  });
  expect(rows.find((row) => row.Title === 'Revenue concentration in mining')?.Figures).toBe('Share of recent revenue from crypto mining: 89%');

  const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export XLSX' }).click()]);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(readFileSync((await xlsxDownload.path())!) as never);
  expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Site retrofits', 'Energy contracts', 'Lease exposure', 'Summary']);
  const perSheet = ['Site retrofits', 'Energy contracts', 'Lease exposure'].map((name) => workbook.getWorksheet(name)!.actualRowCount - 1);
  expect(perSheet.reduce((a, b) => a + b, 0)).toBe(total);
  const lease = workbook.getWorksheet('Lease exposure')!;
  const titles = lease.getColumn(4).values.slice(2) as string[];
  expect(titles).toContain('Obligations eliminated vs assumed and their ASC 842 lease liability');

  await page.getByRole('link', { name: 'Status report' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Status report: ${demoDeal.name}` })).toBeVisible();
  const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download PDF' }).click()]);
  const dir = mkdtempSync(join(tmpdir(), 'tieout-e2e-pdf-'));
  const pdfPath = join(dir, 'report.pdf');
  await pdfDownload.saveAs(pdfPath);
  expect(readFileSync(pdfPath).subarray(0, 5).toString()).toBe('%PDF-');
  execFileSync('pdftoppm', ['-png', '-r', '72', '-f', '1', '-l', '1', '-singlefile', pdfPath, join(dir, 'page')]);
  const png = readFileSync(join(dir, 'page.png'));
  // Look at the page as an image: A4 portrait, mostly white paper, with dark text and the heatmap's red.
  const pixels = await page.evaluate(
    async (dataUrl) => {
      const image = new Image();
      image.src = dataUrl;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, image.width, image.height);
      let dark = 0;
      let red = 0;
      for (let index = 0; index < data.length; index += 4) {
        const [r, g, b] = [data[index]!, data[index + 1]!, data[index + 2]!];
        if (r < 80 && g < 80 && b < 80) dark += 1;
        if (r > 180 && g < 140 && b < 140) red += 1;
      }
      return { width: image.width, height: image.height, dark, red };
    },
    `data:image/png;base64,${png.toString('base64')}`,
  );
  expect(pixels.width).toBe(595);
  expect(pixels.height).toBe(842);
  expect(pixels.dark).toBeGreaterThan(2_000);
  expect(pixels.red).toBeGreaterThan(200);
});
