import { demoChecklists, demoUsers } from '@tieout/db/testing';
import { addSection, uniqueTag } from './support/checklist-page.ts';
import { openChecklist } from './support/session.ts';
import { expect, test } from './support/fixtures.ts';

const checklistId = demoChecklists.siteRetrofits.id;

test('two people type in the same title at once: both texts survive, live on both screens, with carets', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  const tag = uniqueTag();
  const section = `Live titles ${tag}`;
  const item = `Gas turbine ${tag}`;
  await addSection(eddie, section, [item]);

  const eddieTitle = eddie.getByRole('textbox', { name: `Title of ${item}`, exact: true });
  const erinTitle = erin.getByRole('textbox', { name: `Title of ${item}`, exact: true });
  await expect(erinTitle).toHaveValue(item);
  await eddieTitle.click();
  await eddieTitle.press('End');
  await erinTitle.click();
  await erinTitle.press('Home');

  // Erin sees Eddie's caret in the field, with his name.
  await eddieTitle.press('End');
  await expect(erin.getByTestId('remote-carets')).toContainText(demoUsers.editor.name);

  // Both type at the same time, each at their own end of the title.
  await Promise.all([eddieTitle.pressSequentially(' north yard', { delay: 30 }), erinTitle.pressSequentially('Main ', { delay: 30 })]);
  const merged = `Main ${item} north yard`;
  // Live: each sees the other's text while still in the field (nothing was saved by leaving it).
  await expect(eddieTitle).toBeFocused();
  await expect(erinTitle).toBeFocused();
  await expect(eddieTitle).toHaveValue(merged);
  await expect(erinTitle).toHaveValue(merged);

  await eddieTitle.press('Enter');
  await erinTitle.press('Enter');
  await erin.reload();
  await expect(erin.getByRole('textbox', { name: `Title of ${merged}`, exact: true })).toHaveValue(merged);
});

test('Escape restores what the title had before you started, for everyone', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  const tag = uniqueTag();
  const section = `Escape titles ${tag}`;
  const item = `Chiller plant ${tag}`;
  await addSection(eddie, section, [item]);

  const title = eddie.getByRole('textbox', { name: `Title of ${item}`, exact: true });
  await title.click();
  await title.press('End');
  await title.pressSequentially(' (draft)');
  // Erin sees the draft as it is typed...
  await expect(erin.getByRole('textbox', { name: `Title of ${item} (draft)`, exact: true })).toHaveValue(`${item} (draft)`);
  await title.press('Escape');
  // ...and the original once Eddie cancels.
  await expect(title).toHaveValue(item);
  await expect(title).not.toBeFocused();
  await expect(erin.getByRole('textbox', { name: `Title of ${item}`, exact: true })).toHaveValue(item);

  // A section name works the same way: live, and Escape cancels.
  await eddie.getByRole('button', { name: `Rename section ${section}` }).click();
  const name = eddie.getByRole('textbox', { name: `Name of section ${section}`, exact: true });
  await expect(name).toBeFocused();
  await name.press('End');
  await name.pressSequentially(' and water');
  await expect(erin.getByRole('region', { name: `${section} and water`, exact: true })).toBeVisible();
  await name.press('Escape');
  await expect(erin.getByRole('region', { name: section, exact: true })).toBeVisible();
  await expect(eddie.getByRole('heading', { name: section, exact: true })).toBeVisible();

  // Emptying a title and leaving puts it back, with a message.
  await title.fill('   ');
  await title.press('Enter');
  await expect(eddie.getByRole('alert')).toContainText('An item needs a title');
  await expect(title).toHaveValue(item);
  await expect(erin.getByRole('textbox', { name: `Title of ${item}`, exact: true })).toHaveValue(item);
});
