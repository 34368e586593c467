import { type Page } from '@playwright/test';
import { demoChecklists, demoUsers } from '@tieout/db/testing';
import { addSection, uniqueTag } from './support/checklist-page.ts';
import { createDealWithChecklist } from './support/deals.ts';
import { openChecklist } from './support/session.ts';
import { expect, test } from './support/fixtures.ts';

/** What the list view says about a checklist and its items, the grid says too: who changed each item last, and "archived". */

const checklistId = demoChecklists.siteRetrofits.id;

async function openGrid(page: Page, id: string, query = '') {
  await page.goto(`/checklists/${id}/grid${query ? `?q=${encodeURIComponent(query)}` : ''}`);
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  await expect(page.getByRole('grid', { name: 'Checklist grid' })).toBeVisible();
}

const cell = (page: Page, column: string, title: string) => page.getByRole('gridcell', { name: `${column} of ${title}`, exact: true });
const by = (name: string) => new RegExp(`^Last changed by ${name} · (just now|\\d+ min ago)$`);

test('the grid shows “Last changed by <name> · <time>” per row, live, in a column the chooser hides', async ({ signedInPage }) => {
  const olivia = await signedInPage(demoUsers.owner.email);
  const eddie = await signedInPage(demoUsers.editor.email);
  const tag = uniqueTag();
  const title = `Last change ${tag}`;
  // Olivia's grid is open before the item exists: its line arrives with the audit trail's live event, no reload.
  await openGrid(olivia, checklistId, tag);
  const navigations: string[] = [];
  olivia.on('framenavigated', (frame) => {
    if (frame === olivia.mainFrame()) navigations.push(frame.url());
  });
  await openChecklist(eddie, checklistId);
  await addSection(eddie, `Grid notes ${tag}`, [title]);
  await expect(cell(olivia, 'Title', title)).toHaveText(title);
  const line = cell(olivia, 'Last change', title).getByTestId('last-changed');
  await expect(line).toHaveText(by(demoUsers.editor.name));

  // Olivia changes the item in the grid: the line names her, and still links to the item's activity.
  await cell(olivia, 'Status', title).dblclick();
  const status = olivia.getByRole('combobox', { name: `Status of ${title}` });
  await expect(status).toBeFocused();
  await status.selectOption('in_progress');
  await olivia.keyboard.press('Enter');
  await expect(line).toHaveText(by(demoUsers.owner.name));
  await expect(line).toHaveAttribute('href', new RegExp(`/checklists/${checklistId}/history\\?item=`));
  expect(navigations).toEqual([]);

  // One line per row (the grid's rows have a fixed height), and the column can be hidden like the others.
  const [rowHeight, cellHeight] = await Promise.all([
    olivia.locator(`[role="row"]:has([aria-label="Title of ${title}"])`).evaluate((row) => row.getBoundingClientRect().height),
    line.evaluate((link) => link.getBoundingClientRect().height),
  ]);
  expect(cellHeight).toBeLessThan(rowHeight);
  await olivia.getByText('Columns', { exact: true }).click();
  await olivia.getByRole('checkbox', { name: 'Show Last change' }).uncheck();
  await expect(cell(olivia, 'Last change', title)).toHaveCount(0);
  await olivia.getByRole('checkbox', { name: 'Show Last change' }).check();
  await expect(cell(olivia, 'Last change', title)).toBeVisible();
});

test('on a wide window the grid gets the width its columns need: every column, Last change included, without scrolling sideways', async ({
  signedInPage,
}) => {
  const page = await signedInPage(demoUsers.editor.email);
  await page.setViewportSize({ width: 1600, height: 900 });
  await openGrid(page, checklistId);
  // The grid's scroll box (the element around role=grid) is as wide as the columns: nothing is hidden to the right.
  const scroller = page.getByRole('grid', { name: 'Checklist grid' }).locator('xpath=..');
  const header = page.getByRole('columnheader', { name: 'Last change' });
  await expect(header).toBeVisible();
  const [box, headerBox] = await Promise.all([scroller.boundingBox(), header.boundingBox()]);
  expect(headerBox!.x + headerBox!.width).toBeLessThanOrEqual(box!.x + box!.width);
  expect(await scroller.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
  // Other pages keep the reading width.
  await page.goto(`/checklists/${checklistId}`);
  expect(await page.locator('main').evaluate((main) => main.getBoundingClientRect().width)).toBeLessThanOrEqual(1152);
});

test('an archived checklist’s grid shows the same “archived” note as its list page', async ({ signedInPage }) => {
  const page = await signedInPage(demoUsers.owner.email);
  const tag = uniqueTag();
  const names = { deal: `Grid archive deal ${tag}`, workstream: `Grid archive ${tag}`, checklist: `Archived grid ${tag}`, section: 'Only section' };
  const { checklistId: id } = await createDealWithChecklist(page, names);

  // Not archived: no note in either view.
  await openGrid(page, id);
  await expect(page.getByRole('note').filter({ hasText: 'is archived' })).toHaveCount(0);

  await page.goto('/');
  await page.getByRole('link', { name: names.deal }).first().click();
  await page.getByRole('link', { name: 'Manage deal' }).click();
  await expect(page.locator('html[data-hydrated]')).toBeAttached();
  await page.getByRole('button', { name: `Archive checklist ${names.checklist}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Archived the checklist “${names.checklist}”` })).toBeVisible();

  await page.goto(`/checklists/${id}`);
  const listNote = await page.getByRole('note').filter({ hasText: 'is archived' }).textContent();
  expect(listNote).toContain('This checklist is archived: it is hidden from lists, dashboards and search');
  await openGrid(page, id);
  const note = page.getByRole('note').filter({ hasText: 'is archived' });
  await expect(note).toHaveText(listNote!);
  await note.getByRole('link', { name: 'Archived view' }).click();
  await expect(page.getByRole('table', { name: 'Archived' }).getByRole('row', { name: new RegExp(names.checklist) })).toBeVisible();
});
