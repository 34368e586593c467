import { demoChecklists, demoUsers } from '@tieout/db/testing';
import { openChecklist } from './support/session.ts';
import { addSection, expectOrder, itemRow, itemTitles, uniqueTag } from './support/checklist-page.ts';
import { expect, test } from './support/fixtures.ts';

const checklistId = demoChecklists.leaseExposure.id;

test('two people change different fields of one item at the same moment, and both changes win', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  const tag = uniqueTag();
  const item = `Ground lease term ${tag}`;
  await addSection(eddie, `Concurrent ${tag}`, [item]);
  await expect(erin.getByRole('textbox', { name: `Title of ${item}` })).toBeVisible();

  // truly concurrent: Eddie edits while cut off, Erin edits live, then Eddie reconnects
  await eddie.context().setOffline(true);
  await expect(eddie.getByRole('status', { name: 'Connection' })).toHaveText(/Offline/);
  await eddie.getByRole('combobox', { name: `Status of ${item}` }).selectOption('blocked');
  await eddie.getByRole('combobox', { name: `Risk of ${item}` }).selectOption('high');
  await erin.getByRole('combobox', { name: `Owner of ${item}` }).selectOption({ label: demoUsers.editor.name });
  await erin.getByLabel(`Due date of ${item}`).fill('2027-01-15');
  await eddie.context().setOffline(false);
  await expect(eddie.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });

  // and the same again with both online, fired together
  await Promise.all([
    eddie.getByRole('textbox', { name: `Title of ${item}` }).evaluate((node) => node.scrollIntoView()),
    erin.getByRole('combobox', { name: `Status of ${item}` }).selectOption('in_progress'),
    eddie.getByRole('combobox', { name: `Risk of ${item}` }).selectOption('critical'),
  ]);

  for (const page of [eddie, erin]) {
    await expect(page.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('in_progress');
    await expect(page.getByRole('combobox', { name: `Risk of ${item}` })).toHaveValue('critical');
    await expect(page.getByRole('combobox', { name: `Owner of ${item}` })).toHaveValue(demoUsers.editor.id);
    await expect(page.getByLabel(`Due date of ${item}`)).toHaveValue('2027-01-15');
  }
});

test('presence: who is here, and a small avatar beside the item each person is on', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const rita = await signedInPage(demoUsers.reviewer.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(rita, checklistId);
  const tag = uniqueTag();
  const [first, second] = [`Estoppel ${tag}`, `SNDA ${tag}`];
  await addSection(eddie, `Presence ${tag}`, [first, second]);

  await expect(rita.getByRole('list', { name: 'People here' })).toContainText(demoUsers.editor.name);
  await eddie.getByRole('combobox', { name: `Status of ${second}` }).focus();
  await expect(rita.getByRole('list', { name: `People on ${second}` })).toContainText(demoUsers.editor.name);
  await expect(rita.getByRole('list', { name: `People on ${first}` })).toHaveCount(0);
  // a reviewer's focus is shown too (reading is being there)
  await rita.getByRole('button', { name: `Notes for ${first}` }).focus();
  await expect(eddie.getByRole('list', { name: `People on ${first}` })).toContainText(demoUsers.reviewer.name);
  // moving on moves the avatar
  await eddie.getByRole('textbox', { name: `Title of ${first}` }).focus();
  await expect(rita.getByRole('list', { name: `People on ${second}` })).toHaveCount(0);
  await expect(rita.getByRole('list', { name: `People on ${first}` })).toContainText(demoUsers.editor.name);
  // nobody sees an avatar of themselves on a row
  await expect(eddie.getByRole('list', { name: `People on ${first}` })).not.toContainText(demoUsers.editor.name);
});

test('reordering by keyboard and by drag while another person edits the moving item: no loss, no duplicate', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  const tag = uniqueTag();
  const section = `Order ${tag}`;
  const other = `Other ${tag}`;
  const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((letter) => `${letter} ${tag}`) as [string, string, string, string];
  await addSection(eddie, section, [a, b, c, d]);
  await addSection(eddie, other, []);
  await expectOrder(erin, section, [a, b, c, d]);

  // keyboard: Alt+ArrowDown twice on C's title, focus stays on it; meanwhile Erin edits C's status and title
  const cTitle = eddie.getByRole('textbox', { name: `Title of ${c}` });
  await cTitle.focus();
  await eddie.keyboard.press('Alt+ArrowUp');
  await erin.getByRole('combobox', { name: `Status of ${c}` }).selectOption('done');
  await eddie.keyboard.press('Alt+ArrowUp');
  await expect(eddie.getByRole('textbox', { name: `Title of ${c}` })).toBeFocused();
  await expectOrder(eddie, section, [c, a, b, d]);
  await expectOrder(erin, section, [c, a, b, d]);
  await expect(eddie.getByRole('combobox', { name: `Status of ${c}` })).toHaveValue('done');

  // at the end of a section, Alt+ArrowDown moves into the next one
  await eddie.getByRole('button', { name: `Drag ${d}` }).focus();
  await eddie.keyboard.press('Alt+ArrowDown');
  await expectOrder(erin, other, [d]);
  await expectOrder(erin, section, [c, a, b]);
  await expect(eddie.getByRole('button', { name: `Drag ${d}` })).toBeFocused();
  await eddie.getByRole('button', { name: `Move ${d} up` }).click();
  await expectOrder(erin, section, [c, a, b, d]);

  // drag: A below B while Erin renames A at the same time
  const renamedA = `${a} renamed`;
  const erinTitle = erin.getByRole('textbox', { name: `Title of ${a}` });
  await erinTitle.fill(renamedA);
  // Below the middle of B's row, whatever its height: A goes after B.
  const bottomHalf = Math.round(((await itemRow(eddie, b).boundingBox())?.height ?? 60) * 0.75);
  await Promise.all([
    erinTitle.press('Enter'),
    eddie.getByRole('button', { name: `Drag ${a}` }).dragTo(itemRow(eddie, b), { targetPosition: { x: 40, y: bottomHalf } }),
  ]);
  await expectOrder(eddie, section, [c, b, renamedA, d]);
  await expectOrder(erin, section, [c, b, renamedA, d]);

  // concurrent moves of one item by two people end in one place, in both copies
  await Promise.all([
    eddie.getByRole('button', { name: `Drag ${d}` }).dragTo(itemRow(eddie, c), { targetPosition: { x: 40, y: 2 } }),
    erin.getByRole('button', { name: `Move ${d} up` }).click(),
  ]);
  // both copies converge on the same order, with each item exactly once
  await expect
    .poll(async () => {
      const [mine, theirs] = await Promise.all([itemTitles(eddie, section), itemTitles(erin, section)]);
      return JSON.stringify(mine) === JSON.stringify(theirs) ? [...mine].sort() : ['copies differ'];
    })
    .toEqual([renamedA, b, c, d].sort());

  // reload: the stored order is the one shown
  const shown = await itemTitles(eddie, section);
  await erin.reload();
  await expect(erin.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  await expectOrder(erin, section, shown);
});

test('sections move with the keyboard and by drag', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  const tag = uniqueTag();
  const [one, two, three] = [`One ${tag}`, `Two ${tag}`, `Three ${tag}`];
  for (const title of [one, two, three]) await addSection(eddie, title, []);
  const order = (page: typeof eddie) =>
    page.locator('section[data-section-id] h2').evaluateAll((nodes, t) => nodes.map((n) => n.textContent ?? '').filter((x) => x.endsWith(t)), tag);

  await eddie.getByRole('button', { name: `Move section ${three} up` }).click();
  await expect.poll(() => order(erin)).toEqual([one, three, two]);
  await expect(eddie.getByRole('button', { name: `Move section ${three} up` })).toBeFocused();
  await eddie.keyboard.press('Alt+ArrowUp');
  await expect.poll(() => order(erin)).toEqual([three, one, two]);

  await eddie.getByRole('button', { name: `Drag section ${two}` }).dragTo(eddie.getByRole('region', { name: three, exact: true }), {
    targetPosition: { x: 100, y: 5 },
  });
  await expect.poll(() => order(erin)).toEqual([two, three, one]);
});
