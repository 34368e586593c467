import { type Page } from '@playwright/test';
import { demoChecklists, demoUsers } from '@tieout/db/testing';
import { readChecklist, updateItem } from '@tieout/doc-model';
import { openChecklist } from './support/session.ts';
import { addSection, openNotes, uniqueTag } from './support/checklist-page.ts';
import { expect, test } from './support/fixtures.ts';

const checklistId = demoChecklists.energyContracts.id;

/**
 * Names of enabled controls that are not pure view controls (expand, search, filter, sort, dismiss) nor review
 * controls (comments, approve, send back: reviewers have those, and they change no checklist content; issue 13).
 */
async function enabledEditControls(page: Page): Promise<string[]> {
  return page.locator('main').evaluate((main) => {
    const viewOnly =
      /^(Notes for |Search items|Filters|Filter by |Overdue only|Sort items|Dismiss|Clear filters|Comments|Comment on |Approve |Send back )/;
    return [...main.querySelectorAll<HTMLElement>('button, input, select, textarea, [contenteditable="true"]')]
      .filter((element) => !(element as HTMLButtonElement).disabled && element.getAttribute('contenteditable') !== 'false')
      .map((element) => element.getAttribute('aria-label') || element.textContent?.trim() || element.outerHTML.slice(0, 120))
      .filter((name) => !viewOnly.test(name));
  });
}

for (const who of [demoUsers.reviewer, demoUsers.viewer]) {
  test(`${who.role} ${who.name} sees every change live, and every editing control is disabled`, async ({ signedInPage }) => {
    const eddie = await signedInPage(demoUsers.editor.email);
    const reader = await signedInPage(who.email);
    await openChecklist(eddie, checklistId);
    await openChecklist(reader, checklistId);
    const tag = uniqueTag();
    const item = `Capacity payment ${tag}`;
    await addSection(eddie, `Read-only ${tag}`, [item]);

    await expect(
      reader.getByText(
        who.role === 'reviewer'
          ? 'you can comment, approve items or send them back, but not change the checklist'
          : 'you can follow along, but not change anything',
      ),
    ).toBeVisible();
    await eddie.getByRole('combobox', { name: `Status of ${item}` }).selectOption('in_progress');
    await expect(reader.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('in_progress');
    await expect(reader.getByRole('combobox', { name: `Status of ${item}` })).toBeDisabled();

    // with the details open (notes editor, toolbar, figures, evidence), nothing that edits is enabled
    const notes = await openNotes(reader, item);
    await expect(notes).toHaveAttribute('contenteditable', 'false');
    await expect(reader.getByRole('toolbar', { name: `Formatting for ${item}` }).getByRole('button', { name: 'Bold' })).toBeDisabled();
    await expect(reader.getByRole('button', { name: `Add figure to ${item}` })).toBeDisabled();
    await expect(reader.getByRole('textbox', { name: `Evidence link for ${item}` })).toBeDisabled();
    expect(await enabledEditControls(reader)).toEqual([]);
    // an editor has them enabled (the check above can fail)
    expect((await enabledEditControls(eddie)).length).toBeGreaterThan(10);

    // notes typed by the editor appear live in the read-only editor
    const eddieNotes = await openNotes(eddie, item);
    await eddieNotes.click();
    await eddie.keyboard.type('Capacity price 2026/27: $269.92/MW-day');
    await expect(notes).toContainText('$269.92/MW-day');
  });
}

test('a control forced enabled in a read-only page changes nothing, locally or on the server', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const rita = await signedInPage(demoUsers.reviewer.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(rita, checklistId);
  const tag = uniqueTag();
  const item = `Forced ${tag}`;
  await addSection(eddie, `Forced ${tag}`, [item]);

  const status = rita.getByRole('combobox', { name: `Status of ${item}` });
  await status.evaluate((select) => select.removeAttribute('disabled'));
  await status.selectOption('done');
  await expect(rita.getByRole('alert')).toContainText('not change it');
  await expect(status).toHaveValue('not_started');
  const title = rita.getByRole('textbox', { name: `Title of ${item}` });
  await title.evaluate((node) => node.removeAttribute('disabled'));
  await title.fill('Hijacked');
  await title.press('Enter');
  await expect(title).toHaveValue(item);

  await rita.reload();
  await expect(rita.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  await expect(rita.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('not_started');
  await expect(eddie.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('not_started');
});

test('the server drops edits sent over the socket by a reviewer (a modified client), and keeps an editor’s', async ({
  signedInPage,
  stockClient,
}) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  await openChecklist(eddie, checklistId);
  const tag = uniqueTag();
  const item = `Socket ${tag}`;
  await addSection(eddie, `Socket ${tag}`, [item]);

  const rita = await stockClient(demoUsers.reviewer.email, checklistId);
  const itemId = readChecklist(rita.doc)
    .sections.flatMap((s) => s.items)
    .find((i) => i.title === item)!.id;
  updateItem(rita.doc, itemId, { status: 'done', title: 'Written by a reviewer' });
  const erin = await stockClient(demoUsers.editor2.email, checklistId);
  updateItem(erin.doc, itemId, { risk: 'high' });
  try {
    // the editor's change arrives; the reviewer's never does
    await expect(eddie.getByRole('combobox', { name: `Risk of ${item}` })).toHaveValue('high');
    await expect(eddie.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('not_started');
    await eddie.reload();
    await expect(eddie.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
    await expect(eddie.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('not_started');
    await expect(eddie.getByRole('textbox', { name: 'Title of Written by a reviewer' })).toHaveCount(0);
  } finally {
    rita.close();
    erin.close();
  }
});
