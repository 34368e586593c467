import { demoChecklists, demoUsers } from '@tieout/db/testing';
import { openChecklist } from './support/session.ts';
import { addSection, itemRow, openNotes, uniqueTag } from './support/checklist-page.ts';
import { expect, test } from './support/fixtures.ts';

/*
 * Issue 15: errors say what to do, next to the field (the field's accessible description is the message), in the
 * doc model's words; inputs carry the doc model's length limits; implausible due dates are refused.
 */

const checklistId = demoChecklists.energyContracts.id;
/** zod's developer wording, which no page may show. */
const ZOD_WORDING = /Too (big|small):|expected (string|number|one of)|Invalid (input|UUID|URL|option|email|string)/;

test('checklist fields refuse bad input next to themselves, keep what was there, and carry their limits', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  await openChecklist(eddie, checklistId);
  const tag = uniqueTag();
  const section = `Errors ${tag}`;
  const item = `Offtake agreement ${tag}`;

  // An empty section name: the message is the new-section field's own description, not a page banner.
  const newSection = eddie.getByRole('textbox', { name: 'New section' });
  await expect(newSection).toHaveAttribute('maxlength', '500');
  await newSection.fill('   ');
  await eddie.getByRole('button', { name: 'Add section' }).click();
  await expect(newSection).toHaveAccessibleDescription('A section needs a name');
  await expect(newSection).toHaveAttribute('aria-invalid', 'true');
  await addSection(eddie, section, [item]);
  await expect(newSection).not.toHaveAttribute('aria-invalid', 'true');

  // An empty new item, in that section's own field.
  const newItem = eddie.getByRole('textbox', { name: `New item in ${section}` });
  await expect(newItem).toHaveAttribute('maxlength', '500');
  await newItem.fill(' ');
  await newItem.press('Enter');
  await expect(newItem).toHaveAccessibleDescription('An item needs a title');
  await expect(eddie.getByRole('textbox', { name: `Title of ${item}`, exact: true })).toHaveAttribute('maxlength', '500');

  // Renaming the section to nothing puts the name back and says why under it.
  await eddie.getByRole('button', { name: `Rename section ${section}` }).click();
  const name = eddie.getByRole('textbox', { name: `Name of section ${section}` });
  await expect(name).toBeFocused();
  await name.fill('  ');
  await name.press('Enter');
  const heading = eddie.getByRole('heading', { name: section, exact: true });
  await expect(heading).toHaveAccessibleDescription('A section needs a name');
  await expect(eddie.getByRole('region', { name: section, exact: true })).toBeVisible();

  // A due date in 1999 is refused in words, and the saved date comes back; a plausible one is saved.
  const due = eddie.getByLabel(`Due date of ${item}`);
  await expect(due).toHaveAttribute('min', '2000-01-01');
  await expect(due).toHaveAttribute('max', '2100-12-31');
  await due.fill('2027-06-30');
  await due.fill('1999-06-30');
  await due.blur();
  await expect(due).toHaveAccessibleDescription('Use a due date between the years 2000 and 2100');
  await expect(due).toHaveValue('2027-06-30');
  await due.fill('2100-12-31');
  await expect(due).not.toHaveAttribute('aria-invalid', 'true');
  await eddie.reload();
  await expect(eddie.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  await expect(eddie.getByLabel(`Due date of ${item}`)).toHaveValue('2100-12-31');

  // Figures and evidence carry their limits and say what to do.
  await openNotes(eddie, item);
  await expect(eddie.getByRole('textbox', { name: `New figure label for ${item}` })).toHaveAttribute('maxlength', '120');
  await expect(eddie.getByRole('textbox', { name: `Evidence label for ${item}` })).toHaveAttribute('maxlength', '200');
  const link = eddie.getByRole('textbox', { name: `Evidence link for ${item}` });
  await link.fill('ftp://files.example.com/a.pdf');
  await eddie.getByRole('button', { name: `Add evidence to ${item}` }).click();
  await expect(link).toHaveAccessibleDescription('Use a full web address starting with https:// or http://');

  await expect(itemRow(eddie, item)).toBeVisible();
  await expect(eddie.getByText(ZOD_WORDING)).toHaveCount(0);
});

test('bulk edit refuses an implausible due date next to its field', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  await openChecklist(eddie, checklistId);
  const tag = uniqueTag();
  const section = `Bulk dates ${tag}`;
  const [a, b] = [`Lease A ${tag}`, `Lease B ${tag}`];
  await addSection(eddie, section, [a, b]);
  await eddie.getByRole('checkbox', { name: `Select ${a}` }).check();
  await eddie.getByRole('checkbox', { name: `Select ${b}` }).check();
  const bulkDue = eddie.getByLabel('Due date for selected items');
  await bulkDue.fill('2101-01-01');
  await eddie.getByRole('button', { name: 'Set due date' }).click();
  await expect(bulkDue).toHaveAccessibleDescription('Use a due date between the years 2000 and 2100');
  await expect(eddie.getByLabel(`Due date of ${a}`)).toHaveValue('');
  await bulkDue.fill('2027-01-15');
  await eddie.getByRole('button', { name: 'Set due date' }).click();
  await expect(eddie.getByLabel(`Due date of ${b}`)).toHaveValue('2027-01-15');
});
