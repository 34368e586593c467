import { demoChecklists, demoUsers } from '@tieout/db/testing';
import { openChecklist } from './support/session.ts';
import { addSection, itemTitles, openNotes, uniqueTag } from './support/checklist-page.ts';
import { expect, test } from './support/fixtures.ts';

const checklistId = demoChecklists.leaseExposure.id;

test('search (titles and notes), filters by status, owner, risk and overdue, sort, and bulk edit and delete (with undo) of the selection', async ({
  signedInPage,
}) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  const tag = uniqueTag();
  const section = `Find ${tag}`;
  const [alpha, bravo, charlie, delta] = ['Alpha', 'Bravo', 'Charlie', 'Delta'].map((name) => `${name} ${tag}`) as [string, string, string, string];
  await addSection(eddie, section, [alpha, bravo, charlie, delta]);
  await eddie.getByRole('combobox', { name: `Status of ${bravo}` }).selectOption('blocked');
  await eddie.getByRole('combobox', { name: `Owner of ${charlie}` }).selectOption({ label: demoUsers.editor2.name });
  await eddie.getByRole('combobox', { name: `Risk of ${delta}` }).selectOption('critical');
  await eddie.getByRole('combobox', { name: `Risk of ${alpha}` }).selectOption('low');
  await eddie.getByLabel(`Due date of ${alpha}`).fill('2020-01-31');
  await eddie.getByLabel(`Due date of ${charlie}`).fill('2020-02-28');
  await eddie.getByRole('combobox', { name: `Status of ${charlie}` }).selectOption('done'); // done: not overdue
  const notes = await openNotes(eddie, delta);
  await notes.click();
  await eddie.keyboard.type(`Landlord consent required ${tag}-needle`);

  const search = erin.getByRole('searchbox', { name: 'Search items' });
  // by title
  await search.fill(`Bravo ${tag}`);
  await expect.poll(() => itemTitles(erin, section)).toEqual([bravo]);
  // by notes text (typed live by Eddie)
  await search.fill(`${tag}-needle`);
  await expect.poll(() => itemTitles(erin, section)).toEqual([delta]);
  await expect(erin.getByRole('status', { name: 'Items shown' })).toContainText('Showing 1 of');
  await search.fill('no such thing anywhere');
  await expect(erin.getByText('No items match these filters.')).toBeVisible();
  await erin.getByRole('button', { name: 'Clear filters' }).click();
  await expect(search).toHaveValue('');
  await expect.poll(() => itemTitles(erin, section)).toEqual([alpha, bravo, charlie, delta]);

  // filters (the section's tag narrows the check to this test's items)
  await search.fill(tag);
  await erin.getByRole('combobox', { name: 'Filter by status' }).selectOption('blocked');
  await expect.poll(() => itemTitles(erin, section)).toEqual([bravo]);
  await erin.getByRole('combobox', { name: 'Filter by status' }).selectOption('');
  await erin.getByRole('combobox', { name: 'Filter by owner' }).selectOption({ label: demoUsers.editor2.name });
  await expect.poll(() => itemTitles(erin, section)).toEqual([charlie]);
  await erin.getByRole('combobox', { name: 'Filter by owner' }).selectOption('unassigned');
  await expect.poll(() => itemTitles(erin, section)).toEqual([alpha, bravo, delta]);
  await erin.getByRole('combobox', { name: 'Filter by owner' }).selectOption('');
  await erin.getByRole('combobox', { name: 'Filter by risk' }).selectOption('critical');
  await expect.poll(() => itemTitles(erin, section)).toEqual([delta]);
  await erin.getByRole('combobox', { name: 'Filter by risk' }).selectOption('');
  await erin.getByRole('checkbox', { name: 'Overdue only' }).check();
  await expect.poll(() => itemTitles(erin, section)).toEqual([alpha]);
  await erin.getByRole('checkbox', { name: 'Overdue only' }).uncheck();

  // sort (within each section); moving is off while sorted
  const sortBy = erin.getByRole('combobox', { name: 'Sort items' });
  await sortBy.selectOption('risk');
  await expect.poll(() => itemTitles(erin, section)).toEqual([delta, alpha, bravo, charlie]);
  await expect(erin.getByRole('button', { name: `Move ${delta} down` })).toBeDisabled();
  await sortBy.selectOption('status');
  await expect.poll(() => itemTitles(erin, section)).toEqual([alpha, delta, bravo, charlie]);
  await sortBy.selectOption('due');
  await expect.poll(() => itemTitles(erin, section)).toEqual([alpha, charlie, bravo, delta]);
  await sortBy.selectOption('owner');
  await expect.poll(() => itemTitles(erin, section)).toEqual([charlie, alpha, bravo, delta]);
  await sortBy.selectOption('manual');
  await expect.poll(() => itemTitles(erin, section)).toEqual([alpha, bravo, charlie, delta]);

  // bulk: select two, set status and owner for both in one go; Eddie sees it
  await erin.getByRole('checkbox', { name: `Select ${alpha}` }).check();
  await erin.getByRole('checkbox', { name: `Select ${delta}` }).check();
  const bulk = erin.getByRole('group', { name: 'Bulk edit' });
  await expect(bulk).toContainText('2 selected');
  await bulk.getByRole('combobox', { name: 'Set status of selected items' }).selectOption('needs_review');
  // Only owners and editors can own items (reviewers are not offered), so the bulk owner is an editor.
  await bulk.getByRole('combobox', { name: 'Set owner of selected items' }).selectOption({ label: demoUsers.owner.name });
  for (const title of [alpha, delta]) {
    await expect(eddie.getByRole('combobox', { name: `Status of ${title}` })).toHaveValue('needs_review');
    await expect(eddie.getByRole('combobox', { name: `Owner of ${title}` })).toHaveValue(demoUsers.owner.id);
  }
  await expect(eddie.getByRole('combobox', { name: `Status of ${bravo}` })).toHaveValue('blocked');
  // select all shown (with the search narrowing to this section), then clear
  await erin.getByRole('checkbox', { name: 'Select all shown items' }).check();
  await expect(bulk).toContainText('4 selected');
  await bulk.getByRole('combobox', { name: 'Set owner of selected items' }).selectOption('unassigned');
  for (const title of [alpha, bravo, charlie, delta]) {
    await expect(eddie.getByRole('combobox', { name: `Owner of ${title}` })).toHaveValue('');
  }
  await bulk.getByRole('button', { name: 'Clear selection' }).click();
  await expect(bulk).toHaveCount(0);

  // bulk delete asks first (cancel keeps both), deletes for everyone, and the deleter's Undo brings both back for everyone
  await erin.getByRole('checkbox', { name: `Select ${bravo}` }).check();
  await erin.getByRole('checkbox', { name: `Select ${charlie}` }).check();
  await bulk.getByRole('button', { name: 'Delete selected' }).click();
  const dialog = erin.getByRole('dialog', { name: 'Delete 2 items?' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect.poll(() => itemTitles(eddie, section)).toEqual([alpha, bravo, charlie, delta]);
  await bulk.getByRole('button', { name: 'Delete selected' }).click();
  await dialog.getByRole('button', { name: 'Delete items' }).click();
  await expect.poll(() => itemTitles(eddie, section)).toEqual([alpha, delta]);
  await expect.poll(() => itemTitles(erin, section)).toEqual([alpha, delta]);
  await erin.getByRole('toolbar', { name: 'History of your changes' }).getByRole('button', { name: 'Undo' }).click();
  await expect.poll(() => itemTitles(erin, section)).toEqual([alpha, bravo, charlie, delta]);
  await expect.poll(() => itemTitles(eddie, section)).toEqual([alpha, bravo, charlie, delta]);
});
