import { demoChecklists, demoUsers } from '@tieout/db/testing';
import { openChecklist } from './support/session.ts';
import { uniqueTag } from './support/checklist-page.ts';
import { expect, test } from './support/fixtures.ts';

const checklist = demoChecklists.leaseExposure;

/** A request list as deal teams send them: numbered, owners by name (any case, no accents), US dates. */
function requestList(tag: string, statusOf: (n: number) => string) {
  const owners = ['erin alvarez', 'EDDIE NG', 'Olivia Owens', 'Somebody Outside', demoUsers.editor2.email];
  const lines = ['No.,Request,Section,Responsible,Due,Status'];
  for (let n = 1; n <= 20; n += 1) {
    const month = ((n - 1) % 12) + 1;
    lines.push(`${Math.ceil(n / 10)}.${n},Request ${n} ${tag},Leases ${tag},${owners[n % owners.length]},${month}/${n + 10}/2027,${statusOf(n)}`);
  }
  return lines.join('\n');
}

test('a 20-row request list with owner names, US dates and references imports with no refused row; importing it again updates instead of duplicating', async ({ signedInPage }) => {
  const tag = uniqueTag();
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(erin, checklist.id);

  const upload = async (content: string) => {
    await eddie.goto(`/checklists/${checklist.id}/import`);
    await eddie.getByLabel('Request list').setInputFiles({ name: 'requests.csv', mimeType: 'text/csv', buffer: Buffer.from(content) });
    await eddie.getByRole('button', { name: 'Preview' }).click();
  };

  await upload(requestList(tag, () => 'Open'));
  await expect(eddie.getByRole('combobox', { name: 'Import column “No.” as' })).toHaveValue('reference');
  await expect(eddie.getByRole('combobox', { name: 'Import column “Responsible” as' })).toHaveValue('owner');
  // 1/11 .. 12/22: the days above 12 tell the order; the rows that read both ways are listed
  await expect(eddie.getByRole('combobox', { name: 'Dates like 03/04/2027 are written as' })).toHaveValue('mdy');
  await expect(eddie.getByRole('region', { name: 'Dates that read both ways' })).toContainText('Row 2: 1/11/2027');
  await expect(eddie.getByRole('status', { name: 'Import summary' })).toHaveText('20 rows ready to import');
  await expect(eddie.getByRole('region', { name: 'Rows to check' })).toContainText('Owner “Somebody Outside” is not a member of this workspace: left unassigned');
  await eddie.getByRole('button', { name: 'Import 20 items' }).click();
  await expect(eddie.getByRole('status')).toContainText('Imported 20 items into');

  const first = `Request 1 ${tag}`;
  await expect(erin.getByRole('textbox', { name: `Title of ${first}` })).toHaveValue(first, { timeout: 30_000 });
  await expect(erin.getByRole('combobox', { name: `Owner of ${first}` })).toHaveValue(demoUsers.editor.id);
  await expect(erin.getByLabel(`Due date of ${first}`)).toHaveValue('2027-01-11');
  await expect(erin.getByLabel('Reference 1.1', { exact: true })).toBeVisible();

  // The same list again, with progress: every row is found (by reference) and updated, none added.
  await upload(requestList(tag, (n) => (n <= 5 ? 'Done' : 'In progress')));
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
