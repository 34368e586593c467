import { demoDeal, demoUsers, demoWorkspace } from '@tieout/db/testing';
import type { Page } from '@playwright/test';
import { uniqueTag } from './support/checklist-page.ts';
import { createDealWithChecklist } from './support/deals.ts';
import { expect, test } from './support/fixtures.ts';

/** Issue 15: owners rename, archive, unarchive and delete (after a confirmation naming what is lost); editors cannot. */

const hydrated = (page: Page) => expect(page.locator('html[data-hydrated]')).toBeAttached();
/** The page's notice after a change (a status region with this text). */
const notice = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text });

async function createDeal(page: Page, tag: string): Promise<{ deal: string; workstream: string; checklist: string }> {
  const names = { deal: `Structure deal ${tag}`, workstream: `Tax ${tag}`, checklist: `Clawbacks ${tag}`, section: 'State incentives' };
  await createDealWithChecklist(page, names);
  return names;
}

test('an owner renames, archives, unarchives and deletes with a confirmation that names what is lost', async ({ signedInPage }) => {
  const page = await signedInPage(demoUsers.owner.email);
  const tag = uniqueTag();
  const names = await createDeal(page, tag);
  const renamed = `Incentive clawbacks ${tag}`;

  await page.getByRole('link', { name: names.deal }).first().click();
  await page.getByRole('link', { name: 'Manage deal' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Manage ${names.deal}` })).toBeVisible();

  // the stage (shown on the deal page) and a rename; an empty name is refused next to its form, nothing changes
  await page.getByLabel('Stage').selectOption('signing');
  await page.getByRole('button', { name: 'Change stage' }).click();
  await expect(notice(page, 'The deal is now in Signing.')).toBeVisible();
  const checklistName = page.getByRole('textbox', { name: `Name of checklist ${names.checklist}` });
  await hydrated(page);
  await checklistName.fill(' ');
  await checklistName.evaluate((input: HTMLInputElement) => input.removeAttribute('required'));
  await page.getByRole('button', { name: `Rename checklist ${names.checklist}` }).click();
  await expect(page.getByRole('alert')).toHaveText('Enter a name');
  await checklistName.fill(renamed);
  await page.getByRole('button', { name: `Rename checklist ${names.checklist}` }).click();
  await expect(notice(page, `Renamed the checklist to “${renamed}”.`)).toBeVisible();

  // archived: gone from the deal's list, kept in the workspace's Archived view
  await page.getByRole('button', { name: `Archive checklist ${renamed}` }).click();
  await expect(notice(page, `Archived the checklist “${renamed}”`)).toBeVisible();
  await page.getByRole('link', { name: names.deal }).click();
  await expect(page.getByText('· Signing')).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: names.workstream })).toBeVisible();
  await expect(page.getByRole('link', { name: renamed, exact: true })).toHaveCount(0);
  await page.goto('/');
  await page.getByRole('link', { name: `Archived in ${demoWorkspace.name}` }).click();
  const archived = page.getByRole('table', { name: 'Archived' });
  await expect(archived.getByRole('row', { name: new RegExp(renamed) })).toContainText(`${names.deal} · ${names.workstream}`);
  await page.getByRole('button', { name: `Unarchive checklist ${renamed}` }).click();
  await expect(notice(page, `Unarchived the checklist “${renamed}”.`)).toBeVisible();
  await expect(page.getByRole('link', { name: renamed, exact: true })).toHaveCount(0);

  // back in the deal; the checklist page shows its new name
  await page.goto('/');
  await page.getByRole('link', { name: names.deal }).first().click();
  await page.getByRole('link', { name: renamed, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: renamed })).toBeVisible();

  // delete: the dialog names what goes; Cancel keeps it, "Delete permanently" removes it
  await page.getByRole('link', { name: names.deal }).first().click();
  await page.getByRole('link', { name: 'Manage deal' }).click();
  await hydrated(page);
  await page.getByRole('button', { name: `Delete checklist ${renamed}` }).click();
  const dialog = page.getByRole('dialog', { name: `Delete checklist “${renamed}”?` });
  await expect(dialog).toContainText(`Deleting the checklist “${renamed}” removes it with 0 items`);
  await expect(dialog).toContainText('cannot be undone');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('link', { name: renamed, exact: true })).toBeVisible();
  await page.getByRole('button', { name: `Delete checklist ${renamed}` }).click();
  await dialog.getByRole('button', { name: 'Delete permanently' }).click();
  await expect(notice(page, `Deleted the checklist “${renamed}”.`)).toBeVisible();
  await expect(page.getByRole('link', { name: renamed, exact: true })).toHaveCount(0);

  // the deal itself: its dialog counts its workstream; deleting it returns home, where it is gone
  await page.getByRole('button', { name: 'Delete deal' }).click();
  const dealDialog = page.getByRole('dialog', { name: `Delete deal “${names.deal}”?` });
  await expect(dealDialog).toContainText('removes it with 1 workstream, 0 checklists, 0 items');
  await dealDialog.getByRole('button', { name: 'Delete permanently' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: names.deal })).toHaveCount(0);
});

test('an editor is offered the stage only, and a rename posted anyway is refused', async ({ signedInPage }) => {
  const page = await signedInPage(demoUsers.editor.email);
  await page.goto(`/deals/${demoDeal.id}`);
  await page.getByRole('link', { name: 'Manage deal' }).click();
  await expect(page.getByText('Only owners of this workspace rename, archive or delete')).toBeVisible();
  await expect(page.getByLabel('Stage')).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Change stage' })).toBeVisible();
  await expect(page.getByRole('button', { name: /^(Rename|Archive|Delete) / })).toHaveCount(0);

  const response = await page.request.post(`/deals/${demoDeal.id}/manage`, {
    form: { intent: 'rename', kind: 'deal', id: demoDeal.id, name: 'Taken over' },
  });
  expect(response.status()).toBe(403);
  expect(await response.text()).toContain('Only owners of this workspace can rename a deal');
  await page.goto(`/deals/${demoDeal.id}`);
  await expect(page.getByRole('heading', { level: 1, name: demoDeal.name })).toBeVisible();
});
