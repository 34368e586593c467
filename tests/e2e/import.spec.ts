import { type Page } from '@playwright/test';
import { demoChecklists, demoDeal, demoUsers } from '@tieout/db/testing';
import { openChecklist } from './support/session.ts';
import { uniqueTag } from './support/checklist-page.ts';
import { expect, test } from './support/fixtures.ts';

const checklist = demoChecklists.energyContracts;
const leases = demoChecklists.leaseExposure;

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

/** A request list as deal teams send them: numbered, owners by name (any case, no accents), US dates. */
function teamRequestList(tag: string, statusOf: (n: number) => string) {
  const owners = ['erin alvarez', 'EDDIE NG', 'Olivia Owens', 'Somebody Outside', demoUsers.editor2.email];
  const lines = ['No.,Request,Section,Responsible,Due,Status'];
  for (let n = 1; n <= 20; n += 1) {
    const month = ((n - 1) % 12) + 1;
    lines.push(`${Math.ceil(n / 10)}.${n},Request ${n} ${tag},Leases ${tag},${owners[n % owners.length]},${month}/${n + 10}/2027,${statusOf(n)}`);
  }
  return lines.join('\n');
}

test('a 20-row request list with owner names, US dates and references imports with no refused row; importing it again updates instead of duplicating', async ({
  signedInPage,
}) => {
  const tag = uniqueTag();
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(erin, leases.id);

  const importList = async (content: string) => {
    await eddie.goto(`/checklists/${leases.id}/import`);
    await upload(eddie, 'requests.csv', content);
  };

  await importList(teamRequestList(tag, () => 'Open'));
  await expect(eddie.getByRole('combobox', { name: 'Import column “No.” as' })).toHaveValue('reference');
  await expect(eddie.getByRole('combobox', { name: 'Import column “Responsible” as' })).toHaveValue('owner');
  // 1/11 .. 12/22: the days above 12 tell the order; the rows that read both ways are listed
  await expect(eddie.getByRole('combobox', { name: 'Dates like 03/04/2027 are written as' })).toHaveValue('mdy');
  await expect(eddie.getByRole('region', { name: 'Dates that read both ways' })).toContainText('Row 2: 1/11/2027');
  await expect(eddie.getByRole('status', { name: 'Import summary' })).toHaveText('20 rows ready to import');
  await expect(eddie.getByRole('region', { name: 'Rows to check' })).toContainText(
    'Owner “Somebody Outside” is not a member of this workspace: left unassigned',
  );
  await eddie.getByRole('button', { name: 'Import 20 items' }).click();
  await expect(eddie.getByRole('status')).toContainText('Imported 20 items into');

  const first = `Request 1 ${tag}`;
  await expect(erin.getByRole('textbox', { name: `Title of ${first}` })).toHaveValue(first, { timeout: 30_000 });
  await expect(erin.getByRole('combobox', { name: `Owner of ${first}` })).toHaveValue(demoUsers.editor.id);
  await expect(erin.getByLabel(`Due date of ${first}`)).toHaveValue('2027-01-11');
  await expect(erin.getByLabel('Reference 1.1', { exact: true })).toBeVisible();

  // The same list again, with progress: every row is found (by reference) and updated, none added.
  await importList(teamRequestList(tag, (n) => (n <= 5 ? 'Done' : 'In progress')));
  await expect(eddie.getByText('20 rows are already in this checklist')).toBeVisible();
  await expect(eddie.getByRole('radio', { name: "Update those items with the file's values" })).toBeChecked();
  await eddie.getByRole('button', { name: 'Import 0 new, update 20' }).click();
  await expect(eddie.getByRole('status')).toContainText('Imported 0 new items into');
  await expect(eddie.getByRole('status')).toContainText('updated 20 existing items');
  await expect(erin.getByRole('combobox', { name: `Status of ${first}` })).toHaveValue('done');
  await expect(erin.getByRole('combobox', { name: `Status of Request 6 ${tag}` })).toHaveValue('in_progress');
  await expect(erin.getByRole('textbox', { name: `Title of ${first}` })).toHaveCount(1);
  await expect(erin.getByRole('region', { name: `Leases ${tag}`, exact: true }).locator('li[data-item-id]')).toHaveCount(20);
});
