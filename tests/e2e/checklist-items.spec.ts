import { demoChecklists, demoUsers } from '@tieout/db/testing';
import { openChecklist } from './support/session.ts';
import { addSection, itemRow, openNotes, uniqueTag } from './support/checklist-page.ts';
import { expect, test } from './support/fixtures.ts';

const checklistId = demoChecklists.energyContracts.id;

test('an editor sets every field of an item, and another editor sees them live and after a reload', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  const tag = uniqueTag();
  const section = `Fields ${tag}`;
  const item = `PPA for site ${tag}`;
  await addSection(eddie, section, [item]);

  await eddie.getByRole('combobox', { name: `Status of ${item}` }).selectOption('needs_review');
  await eddie.getByRole('combobox', { name: `Owner of ${item}` }).selectOption({ label: demoUsers.editor2.name });
  await eddie.getByLabel(`Due date of ${item}`).fill('2027-03-31');
  await eddie.getByRole('combobox', { name: `Risk of ${item}` }).selectOption('critical');
  const renamed = `${item} (signed)`;
  const title = eddie.getByRole('textbox', { name: `Title of ${item}` });
  await title.fill(renamed);
  await title.press('Enter');

  for (const page of [eddie, erin]) {
    await expect(page.getByRole('combobox', { name: `Status of ${renamed}` })).toHaveValue('needs_review');
    // the status colour comes with its text
    await expect(page.getByRole('combobox', { name: `Status of ${renamed}` }).locator('option:checked')).toHaveText('Needs review');
    await expect(page.getByRole('combobox', { name: `Owner of ${renamed}` })).toHaveValue(demoUsers.editor2.id);
    await expect(page.getByLabel(`Due date of ${renamed}`)).toHaveValue('2027-03-31');
    await expect(page.getByRole('combobox', { name: `Risk of ${renamed}` })).toHaveValue('critical');
  }
  await erin.reload();
  await expect(erin.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  await expect(erin.getByRole('combobox', { name: `Risk of ${renamed}` })).toHaveValue('critical');

  // an empty title is refused with a message, and the title is kept
  const renamedTitle = eddie.getByRole('textbox', { name: `Title of ${renamed}` });
  await renamedTitle.fill('   ');
  await renamedTitle.press('Enter');
  await expect(eddie.getByRole('alert')).toContainText('An item needs a title');
  await expect(renamedTitle).toHaveValue(renamed);
});

test('figures with units roll up per section and for the checklist; bad values are refused', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  const tag = uniqueTag();
  const section = `Power ${tag}`;
  const [a, b] = [`Site A ${tag}`, `Site B ${tag}`];
  await addSection(eddie, section, [a, b]);

  const addFigure = async (item: string, kind: string, label: string, value: string) => {
    await openNotes(eddie, item);
    await eddie.getByRole('combobox', { name: `New figure kind for ${item}` }).selectOption(kind);
    await eddie.getByRole('textbox', { name: `New figure label for ${item}` }).fill(label);
    await eddie.getByRole('textbox', { name: `New figure value for ${item}` }).fill(value);
    await eddie.getByRole('button', { name: `Add figure to ${item}` }).click();
  };
  await addFigure(a, 'mw', 'Contracted', '250');
  await addFigure(a, 'usd', 'Capex', '1,200,000');
  await addFigure(b, 'mw', 'Contracted', '100.5');
  await addFigure(b, 'percent', 'Utilisation', '80');
  await addFigure(a, 'percent', 'Utilisation', '60');

  const totals = (page: typeof eddie) => page.getByRole('list', { name: `Totals for ${section}` });
  for (const page of [eddie, erin]) {
    await expect(totals(page)).toContainText('Contracted 350.5 MW');
    await expect(totals(page)).toContainText('Capex $1.2M');
    // shares are shown as their range, never summed or averaged
    await expect(totals(page)).toContainText('Utilisation 60% – 80%');
    await expect(itemRow(page, a)).toContainText('Contracted: 250 MW');
  }
  const checklistTotals = eddie.getByRole('list', { name: 'Checklist totals' });
  await expect(checklistTotals).toContainText('MW');

  // edit a value
  const value = eddie.getByRole('textbox', { name: `Contracted (MW) of ${b}` });
  await value.fill('150');
  await value.press('Enter');
  await expect(totals(erin)).toContainText('Contracted 400 MW');

  // a value that is not a number is refused and nothing changes
  await value.fill('a lot');
  await value.press('Enter');
  await expect(itemRow(eddie, b).getByRole('alert').filter({ hasText: 'Enter a number' })).toBeVisible();
  await expect(totals(erin)).toContainText('Contracted 400 MW');
  await eddie.getByRole('button', { name: `Add figure to ${b}` }).click();
  await expect(itemRow(eddie, b).getByRole('alert').filter({ hasText: 'Give the figure a label' })).toBeVisible();

  // remove one
  await eddie.getByRole('button', { name: `Remove figure Contracted from ${a}` }).click();
  await expect(totals(erin)).toContainText('Contracted 150 MW');
  await expect(itemRow(erin, a)).not.toContainText('Contracted:');
});

test('evidence links: http(s) only, added and removed live', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  const tag = uniqueTag();
  const item = `Interconnection agreement ${tag}`;
  await addSection(eddie, `Evidence ${tag}`, [item]);
  await openNotes(eddie, item);
  await openNotes(erin, item);
  const link = eddie.getByRole('textbox', { name: `Evidence link for ${item}` });

  for (const bad of ['javascript:alert(1)', 'ftp://files.example.com/a.pdf', 'not a link']) {
    await link.fill(bad);
    await eddie.getByRole('button', { name: `Add evidence to ${item}` }).click();
    await expect(eddie.getByRole('region', { name: `Evidence for ${item}` }).getByRole('alert')).toContainText('https://');
  }
  await expect(link).toHaveValue('not a link'); // the typed text is kept for correction

  await link.fill('https://www.sec.gov/Archives/edgar/data/1839341/example-8k.htm');
  await eddie.getByRole('textbox', { name: `Evidence label for ${item}` }).fill('8-K filing');
  await eddie.getByRole('button', { name: `Add evidence to ${item}` }).click();
  const erinEvidence = erin.getByRole('region', { name: `Evidence for ${item}` });
  await expect(erinEvidence.getByRole('link', { name: '8-K filing' })).toHaveAttribute('href', /^https:\/\/www\.sec\.gov\//);
  await expect(erinEvidence.getByRole('link', { name: '8-K filing' })).toHaveAttribute('rel', /noopener/);
  await expect(itemRow(erin, item)).toContainText('1 link');

  await eddie.getByRole('button', { name: `Remove evidence 8-K filing from ${item}` }).click();
  await expect(erinEvidence.getByRole('link')).toHaveCount(0);
});

test('sections are added, renamed and deleted; items are deleted only after confirming', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  const tag = uniqueTag();
  const section = `Lifecycle ${tag}`;
  const [keep, drop] = [`Keep me ${tag}`, `Drop me ${tag}`];
  await addSection(eddie, section, [keep, drop]);

  // rename with the keyboard
  await eddie.getByRole('button', { name: `Rename section ${section}` }).click();
  const renamed = `Renamed ${tag}`;
  await eddie.getByRole('textbox', { name: `Name of section ${section}` }).fill(renamed);
  await eddie.keyboard.press('Enter');
  await expect(erin.getByRole('region', { name: renamed, exact: true })).toBeVisible();

  // cancel keeps the item; confirm deletes it for everyone
  await eddie.getByRole('button', { name: `Delete ${drop}` }).click();
  const dialog = eddie.getByRole('dialog', { name: 'Delete this item?' });
  await expect(dialog).toContainText(drop);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(erin.getByRole('textbox', { name: `Title of ${drop}` })).toBeVisible();
  await eddie.getByRole('button', { name: `Delete ${drop}` }).click();
  await eddie.getByRole('dialog', { name: 'Delete this item?' }).getByRole('button', { name: 'Delete item' }).click();
  await expect(erin.getByRole('textbox', { name: `Title of ${drop}` })).toHaveCount(0);
  await expect(erin.getByRole('textbox', { name: `Title of ${keep}` })).toBeVisible();

  // Escape cancels the section delete, then confirm removes the section and its items
  await eddie.getByRole('button', { name: `Delete section ${renamed}` }).click();
  await expect(eddie.getByRole('dialog', { name: 'Delete this section?' })).toContainText('1 item');
  await eddie.keyboard.press('Escape');
  await expect(erin.getByRole('region', { name: renamed, exact: true })).toBeVisible();
  await eddie.getByRole('button', { name: `Delete section ${renamed}` }).click();
  await eddie.getByRole('dialog').getByRole('button', { name: 'Delete section', exact: true }).click();
  await expect(erin.getByRole('region', { name: renamed, exact: true })).toHaveCount(0);
  await expect(erin.getByRole('textbox', { name: `Title of ${keep}` })).toHaveCount(0);
});

test('rich notes: headings, lists, task lists, tables and links from the toolbar, seen live by the other editor', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  const tag = uniqueTag();
  const item = `Tariff review ${tag}`;
  await addSection(eddie, `Notes ${tag}`, [item]);
  const notes = await openNotes(eddie, item);
  const toolbar = eddie.getByRole('toolbar', { name: `Formatting for ${item}` });

  await notes.click();
  await toolbar.getByRole('button', { name: 'Heading', exact: true }).click();
  await eddie.keyboard.type('Tariff summary');
  await eddie.keyboard.press('Enter');
  await toolbar.getByRole('button', { name: 'Task list' }).click();
  await eddie.keyboard.type('Get the rate schedule');
  await eddie.keyboard.press('Enter');
  await eddie.keyboard.type('Check demand charges');
  await eddie.keyboard.press('Enter');
  await eddie.keyboard.press('Enter'); // leave the list
  await toolbar.getByRole('button', { name: 'Bullet list' }).click();
  await eddie.keyboard.type('Utility: Oncor');
  await eddie.keyboard.press('Enter');
  await eddie.keyboard.press('Enter');
  await eddie.keyboard.type('Source');
  await eddie.keyboard.press('Shift+Home');
  await toolbar.getByRole('button', { name: 'Link' }).click();
  const address = eddie.getByRole('textbox', { name: 'Link address' });
  await address.fill('javascript:alert(1)');
  await address.press('Enter');
  await expect(eddie.getByRole('alert')).toContainText('Links must start with');
  await address.fill('https://www.oncor.com/tariffs');
  await address.press('Enter');
  // The dialog hands focus back to the editor with "Source" still selected: wait for that, then collapse the
  // selection with the keyboard (a locator press would focus the editor again and race the restored selection).
  await expect(address).toBeHidden();
  await expect(notes.getByRole('link', { name: 'Source' })).toHaveAttribute('href', 'https://www.oncor.com/tariffs');
  await expect(notes).toBeFocused();
  await eddie.keyboard.press('End');
  await eddie.keyboard.press('Enter');
  await toolbar.getByRole('button', { name: 'Insert table' }).click();
  await eddie.keyboard.type('Site');

  const erinNotes = await openNotes(erin, item);
  await expect(erinNotes.locator('h2')).toHaveText('Tariff summary');
  await expect(erinNotes.locator('ul[data-type="taskList"] li')).toHaveCount(2);
  await expect(erinNotes.locator('ul:not([data-type]) li')).toHaveText(['Utility: Oncor']);
  await expect(erinNotes.getByRole('link', { name: 'Source' })).toHaveAttribute('href', 'https://www.oncor.com/tariffs');
  await expect(erinNotes.locator('table th').first()).toContainText('Site');
  // Eddie's caret, with his name, is in Erin's copy
  await expect(erinNotes.locator('.collaboration-carets__label')).toHaveText(demoUsers.editor.name);

  // the toolbar is keyboard operable: one tab stop, arrows move along
  await toolbar.getByRole('button', { name: 'Bold' }).focus();
  await eddie.keyboard.press('ArrowRight');
  await expect(toolbar.getByRole('button', { name: 'Italic' })).toBeFocused();
  await expect(toolbar.getByRole('button', { name: 'Bold' })).toHaveAttribute('tabindex', '-1');

  // a task can be ticked by the other editor
  await erinNotes.locator('ul[data-type="taskList"] input[type="checkbox"]').first().check();
  await expect(notes.locator('ul[data-type="taskList"] li').first()).toHaveAttribute('data-checked', 'true');
});
