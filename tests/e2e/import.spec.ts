import { type Page } from '@playwright/test';
import { demoChecklists, demoDeal, demoUsers } from '@tieout/db/testing';
import { openChecklist } from './support/session.ts';
import { uniqueTag } from './support/checklist-page.ts';
import { expect, test } from './support/fixtures.ts';

const checklist = demoChecklists.energyContracts;

/** The request list, its titles tagged so each run imports items of its own. */
const requestList = (tag: string) =>
  [
    'Request,Section,Status,Owner email,Due date,Risk,Contracted capacity (MW),Termination payment (USD)',
    `Copy of the Denton ESA with all amendments ${tag},Interconnection,Not started,${demoUsers.editor2.email},2026-12-15,high,300,"$12,500,000"`,
    `Utility consent to change of control ${tag},Consents,in progress,,15 Jan 2027,medium,,`,
    `Hedge confirmations for 2027 ${tag},Hedges,Finished,nobody@example.com,12/31/2026,low,lots,`,
    `Schedule of demand-response enrolments ${tag},,,,,,"1,050",`,
  ].join('\n');

async function upload(page: Page, name: string, content: string | Buffer, mimeType = 'text/csv') {
  await page.getByLabel('Request list').setInputFiles({ name, mimeType, buffer: Buffer.isBuffer(content) ? content : Buffer.from(content) });
  await page.getByRole('button', { name: /Preview|Read the file again/ }).click();
}

test('an editor imports a CSV: bad rows are explained and skipped on request, good rows appear live', async ({ signedInPage }) => {
  // Erin has the checklist open: the import must reach her without a reload.
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(erin, checklist.id);

  const eddie = await signedInPage(demoUsers.editor.email);
  await eddie.goto(`/deals/${demoDeal.id}`);
  await eddie.getByRole('link', { name: `Import requests into ${checklist.title}` }).click();
  const tag = uniqueTag();
  await upload(eddie, 'energy-requests.csv', requestList(tag));

  // columns detected from the headers
  await expect(eddie.getByRole('combobox', { name: 'Import column “Request” as' })).toHaveValue('title');
  await expect(eddie.getByRole('combobox', { name: 'Import column “Owner email” as' })).toHaveValue('owner');
  await expect(eddie.getByRole('combobox', { name: 'Import column “Contracted capacity (MW)” as' })).toHaveValue('figure:mw');
  await expect(eddie.getByRole('combobox', { name: 'Import column “Termination payment (USD)” as' })).toHaveValue('figure:usd');

  // the bad row is explained, field by field
  await expect(eddie.getByRole('status', { name: 'Import summary' })).toHaveText('3 rows ready to import · 1 row with errors');
  const errors = eddie.getByRole('region', { name: 'Rows with errors' });
  await expect(errors).toContainText(`Row 4 “Hedge confirmations for 2027 ${tag}”`);
  await expect(errors).toContainText('Unknown status “Finished”');
  // 12/31/2026 can only be month first: the order is taken from the data (an unknown owner is a warning, not an error)
  await expect(eddie.getByRole('combobox', { name: 'Dates like 03/04/2027 are written as' })).toHaveValue('mdy');
  await expect(errors).toContainText('Contracted capacity (MW): “lots” is not a number');

  // nothing is imported until the user confirms that the bad row is skipped
  const importButton = eddie.getByRole('button', { name: 'Import 3 items' });
  await expect(importButton).toBeDisabled();
  await eddie.getByLabel('Skip the 1 row with errors and import the other 3').check();
  await importButton.click();
  await expect(eddie.getByRole('status')).toContainText('Imported 3 items into Energy contracts.');
  await expect(eddie.getByRole('status')).toContainText('Skipped 1 row with errors');

  // live in Erin's open checklist: new sections, fields and figures
  const esa = `Copy of the Denton ESA with all amendments ${tag}`;
  await expect(erin.getByRole('textbox', { name: `Title of ${esa}` })).toHaveValue(esa, { timeout: 30_000 });
  await expect(erin.getByRole('combobox', { name: `Owner of ${esa}` })).toHaveValue(demoUsers.editor2.id);
  await expect(erin.getByRole('combobox', { name: `Risk of ${esa}` })).toHaveValue('high');
  await expect(erin.getByRole('combobox', { name: `Status of Utility consent to change of control ${tag}` })).toHaveValue('in_progress');
  await expect(
    erin.getByRole('region', { name: 'Imported requests' }).getByRole('textbox', { name: `Title of Schedule of demand-response enrolments ${tag}` }),
  ).toBeVisible();
  await expect(erin.getByRole('textbox', { name: `Title of Hedge confirmations for 2027 ${tag}` })).toHaveCount(0);

  // stored: a fresh load shows them, and the deal's roll-ups include the imported figures
  await erin.reload();
  await expect(erin.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  await expect(erin.getByRole('textbox', { name: `Title of ${esa}` })).toHaveValue(esa);
});

test('a file that is not a request list, or has no title column, gets a clear error', async ({ signedInPage }) => {
  const page = await signedInPage(demoUsers.editor.email);
  await page.goto(`/checklists/${checklist.id}/import`);

  await upload(page, 'photo.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x00, 0x0d]), 'image/png');
  await expect(page.getByRole('alert')).toContainText('is not a CSV or XLSX file');

  await upload(page, 'old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'application/vnd.ms-excel');
  await expect(page.getByRole('alert')).toContainText('Old Excel files (.xls) cannot be read');

  await upload(page, 'big.csv', Buffer.alloc(5 * 1024 * 1024 + 10, 'a'));
  await expect(page.getByRole('alert')).toContainText('larger than 5 MB');

  await upload(page, 'figures.csv', 'Site,MW\nDenton,300\n');
  await expect(page.getByRole('alert')).toContainText('Choose the column that holds the item titles.');
  await page.getByRole('combobox', { name: 'Import column “Site” as' }).selectOption('title');
  await expect(page.getByRole('status', { name: 'Import summary' })).toHaveText('1 row ready to import');
});
