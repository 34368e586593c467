import { expect, test } from '@playwright/test';
import { demoChecklists, demoUsers } from '@tieout/db';
import { openChecklist, signedInPage } from './support/session.ts';

const checklistId = demoChecklists.siteRetrofits.id;
const item = 'Reconcile contracted vs deliverable MW per site';

test('two editors co-edit one checklist live, and the edits are stored', async ({ browser }) => {
  const eddie = await signedInPage(browser, demoUsers.editor.email);
  const erin = await signedInPage(browser, demoUsers.editor2.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);

  // each sees the other present
  await expect(eddie.getByRole('list', { name: 'People here' })).toContainText(demoUsers.editor2.name);
  await expect(erin.getByRole('list', { name: 'People here' })).toContainText(demoUsers.editor.name);

  // a status change in one browser appears in the other within a second or two
  await eddie.getByRole('combobox', { name: `Status of ${item}` }).selectOption('blocked');
  await expect(erin.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('blocked', { timeout: 2_000 });

  // and a title change the other way
  const renamed = `${item} (sites 1-4)`;
  const title = erin.getByRole('textbox', { name: `Title of ${item}` });
  await title.fill(renamed);
  await title.press('Enter');
  await expect(eddie.getByRole('textbox', { name: `Title of ${renamed}` })).toHaveValue(renamed, { timeout: 2_000 });

  // a fresh load (new connection, document loaded from the database) shows both edits
  await eddie.reload();
  await expect(eddie.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 15_000 });
  await expect(eddie.getByRole('combobox', { name: `Status of ${renamed}` })).toHaveValue('blocked');
});

test('notes are co-edited in Tiptap and a reviewer sees them live but cannot edit', async ({ browser }) => {
  const eddie = await signedInPage(browser, demoUsers.editor.email);
  const rita = await signedInPage(browser, demoUsers.reviewer.email);
  await openChecklist(eddie, checklistId);
  await openChecklist(rita, checklistId);
  const noteItem = 'Utility ramp schedule and energization milestones';

  await eddie.getByRole('button', { name: `Notes for ${noteItem}` }).click();
  const editorNotes = eddie.getByRole('textbox', { name: `Notes of ${noteItem}` });
  await editorNotes.click();
  await editorNotes.press('End');
  await editorNotes.pressSequentially(' Utility letter dated 2026-10-30 confirms 300 MW by Q3 2027.');

  await rita.getByRole('button', { name: `Notes for ${noteItem}` }).click();
  const reviewerNotes = rita.getByRole('textbox', { name: `Notes of ${noteItem}` });
  await expect(reviewerNotes).toContainText('confirms 300 MW by Q3 2027', { timeout: 3_000 });
  await expect(reviewerNotes).toHaveAttribute('contenteditable', 'false');
  await expect(rita.getByRole('combobox', { name: `Status of ${noteItem}` })).toBeDisabled();
  await expect(rita.getByRole('textbox', { name: `Title of ${noteItem}` })).toBeDisabled();
});
