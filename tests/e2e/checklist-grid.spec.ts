import { type Page } from '@playwright/test';
import { demoChecklists, demoUsers } from '@tieout/db/testing';
import { addSection, uniqueTag } from './support/checklist-page.ts';
import { openChecklist } from './support/session.ts';
import { expect, test } from './support/fixtures.ts';

const checklistId = demoChecklists.siteRetrofits.id;

async function openGrid(page: Page, query: string) {
  await page.goto(`/checklists/${checklistId}/grid?q=${encodeURIComponent(query)}`);
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  const grid = page.getByRole('grid', { name: 'Checklist grid' });
  await expect(grid).toBeVisible();
  return grid;
}

const cell = (page: Page, column: string, title: string) => page.getByRole('gridcell', { name: `${column} of ${title}`, exact: true });

test('the grid is driven by the keyboard alone: move, edit, cancel, paste a 3×3 block from the clipboard, fill down', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email, { permissions: ['clipboard-read', 'clipboard-write'] });
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  const tag = uniqueTag();
  const items = ['A', 'B', 'C', 'D'].map((letter) => `Grid ${letter} ${tag}`);
  await addSection(eddie, `Grid ${tag}`, items);
  await openChecklist(erin, checklistId);

  const grid = await openGrid(eddie, tag);
  await expect(eddie.getByRole('status', { name: 'Items shown' })).toHaveText(/4 of \d+ items/);
  await cell(eddie, 'Title', items[0]!).click();
  await expect(grid).toBeFocused();

  // Move left to the reference, type to edit, Enter saves and moves down.
  await eddie.keyboard.press('ArrowLeft');
  await eddie.keyboard.type('1.1');
  await expect(eddie.getByRole('textbox', { name: `Ref of ${items[0]}` })).toHaveValue('1.1');
  await eddie.keyboard.press('Enter');
  await expect(cell(eddie, 'Ref', items[0]!)).toHaveText('1.1');
  await eddie.keyboard.type('1.2');
  await eddie.keyboard.press('Tab');
  await expect(cell(eddie, 'Ref', items[1]!)).toHaveText('1.2');

  // Escape cancels an edit: the title keeps its text.
  await eddie.keyboard.type('Scrapped');
  await eddie.keyboard.press('Escape');
  await expect(cell(eddie, 'Title', items[1]!)).toHaveText(items[1]!);
  await expect(grid).toBeFocused();

  // Enter opens a choice; arrows pick; Enter saves. Seen live in the other browser's list.
  await eddie.keyboard.press('ArrowRight');
  await eddie.keyboard.press('Enter');
  const status = eddie.getByRole('combobox', { name: `Status of ${items[1]}` });
  await expect(status).toBeFocused();
  await status.selectOption('in_progress');
  await eddie.keyboard.press('Enter');
  await expect(erin.getByRole('combobox', { name: `Status of ${items[1]}` })).toHaveValue('in_progress');

  // Paste a 3×3 block (status, owner, due) from a spreadsheet at the first item's status (Enter moved down a row).
  await eddie.keyboard.press('ArrowUp');
  await eddie.keyboard.press('ArrowUp');
  await expect(grid).toHaveAttribute('aria-activedescendant', /grid-cell-0-2/);
  const block = [
    ['Done', demoUsers.editor2.name, '2027-01-15'],
    ['Blocked', demoUsers.editor.email, '2027-02-28'],
    ['needs review', '', '2027-03-31'],
  ];
  await eddie.evaluate((text) => navigator.clipboard.writeText(text), block.map((row) => row.join('\t')).join('\n'));
  await eddie.keyboard.press('ControlOrMeta+v');
  for (const page of [eddie, erin]) {
    const expectStatus = (title: string, value: string) => expect(page.getByRole('combobox', { name: `Status of ${title}` })).toHaveValue(value);
    if (page === erin) {
      await expectStatus(items[0]!, 'done');
      await expectStatus(items[1]!, 'blocked');
      await expectStatus(items[2]!, 'needs_review');
      await expect(page.getByRole('combobox', { name: `Owner of ${items[0]}` })).toHaveValue(demoUsers.editor2.id);
      await expect(page.getByRole('combobox', { name: `Owner of ${items[1]}` })).toHaveValue(demoUsers.editor.id);
      await expect(page.getByLabel(`Due date of ${items[2]}`)).toHaveValue('2027-03-31');
    } else {
      await expect(cell(page, 'Status', items[0]!)).toHaveText('Done');
      await expect(cell(page, 'Owner', items[1]!)).toHaveText(demoUsers.editor.name);
      await expect(cell(page, 'Due', items[2]!)).toHaveText('2027-03-31');
    }
  }

  // Copy the block back out: tab-separated text, as a spreadsheet reads it.
  await eddie.keyboard.press('ControlOrMeta+c');
  const copied = await eddie.evaluate(() => navigator.clipboard.readText());
  expect(copied.split('\n')).toHaveLength(3);
  expect(copied.split('\n')[0]!.split('\t')).toEqual(['Done', demoUsers.editor2.name, '2027-01-15']);

  // Fill down: the first item's risk to all four.
  await eddie.keyboard.press('ControlOrMeta+Home');
  for (let step = 0; step < 5; step += 1) await eddie.keyboard.press('ArrowRight');
  await eddie.keyboard.press('Enter');
  await eddie.getByRole('combobox', { name: `Risk of ${items[0]}` }).selectOption('high');
  await eddie.keyboard.press('Enter');
  await eddie.keyboard.press('ArrowUp');
  for (let step = 0; step < 3; step += 1) await eddie.keyboard.press('Shift+ArrowDown');
  await eddie.keyboard.press('ControlOrMeta+d');
  for (const title of items) await expect(erin.getByRole('combobox', { name: `Risk of ${title}` })).toHaveValue('high');

  // A bad pasted value is named, the others go in.
  await eddie.keyboard.press('ArrowLeft');
  await eddie.keyboard.press('ArrowLeft');
  await eddie.evaluate(() => navigator.clipboard.writeText('Nobody In Particular'));
  await expect(grid).toHaveAttribute('aria-activedescendant', /-3-3$/);
  await eddie.keyboard.press('ControlOrMeta+v');
  await expect(eddie.getByRole('alert')).toContainText('not a member who can own items');
});

test('sort and filters live in the URL; sorting works across sections; a viewer is not offered as an owner', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  await openChecklist(eddie, checklistId);
  const tag = uniqueTag();
  await addSection(eddie, `Sort one ${tag}`, [`Zeta ${tag}`, `Alpha ${tag}`]);
  await addSection(eddie, `Sort two ${tag}`, [`Mid ${tag}`]);
  await openGrid(eddie, tag);
  await eddie.getByRole('checkbox', { name: 'Group by section' }).uncheck();
  await eddie.getByRole('button', { name: 'Sort by Title' }).click();
  await expect(eddie).toHaveURL(/sort=title&dir=asc/);
  await expect(eddie).toHaveURL(/group=none/);
  const titles = () => eddie.locator('[role="gridcell"][data-column="title"]').allTextContents();
  await expect.poll(titles).toEqual([`Alpha ${tag}`, `Mid ${tag}`, `Zeta ${tag}`]);
  await eddie.reload();
  await expect.poll(titles).toEqual([`Alpha ${tag}`, `Mid ${tag}`, `Zeta ${tag}`]);
  await eddie.getByRole('button', { name: 'Sort by Title' }).click();
  await expect.poll(titles).toEqual([`Zeta ${tag}`, `Mid ${tag}`, `Alpha ${tag}`]);

  // Owner choices: owners and editors only.
  await eddie.getByRole('gridcell', { name: `Owner of Mid ${tag}` }).dblclick();
  const owner = eddie.getByRole('combobox', { name: `Owner of Mid ${tag}` });
  await expect(owner.locator('option', { hasText: demoUsers.editor2.name })).toHaveCount(1);
  await expect(owner.locator('option', { hasText: demoUsers.viewer.name })).toHaveCount(0);
  await expect(owner.locator('option', { hasText: demoUsers.reviewer.name })).toHaveCount(0);
  await eddie.keyboard.press('Escape');
});
