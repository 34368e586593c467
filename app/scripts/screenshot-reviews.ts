/*
 * The review screenshots (called by screenshots.ts): a thread anchored to words of an item's notes (the highlight and
 * the comment panel with a mention and a reply), and the inbox of the person mentioned.
 */
import type { Page } from 'playwright-core';

export async function shootReviews(reviewer: Page, editor: Page, item: string, shoot: (page: Page, name: string) => Promise<void>): Promise<void> {
  // The editor adds a sentence to the notes; the reviewer comments on words of it.
  const editorToggle = editor.getByRole('button', { name: `Notes for ${item}`, exact: true });
  if ((await editorToggle.getAttribute('aria-expanded')) !== 'true') await editorToggle.click();
  const editorNotes = editor.getByRole('textbox', { name: `Notes of ${item}`, exact: true });
  await editorNotes.click();
  await editor.keyboard.press('Control+End');
  await editor.keyboard.press('Enter');
  await editor.keyboard.type('Firm capacity at the substation is 300 MW from Q3 2027.');
  const toggle = reviewer.getByRole('button', { name: `Notes for ${item}`, exact: true });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const notes = reviewer.getByRole('textbox', { name: `Notes of ${item}`, exact: true });
  await notes.getByText('300 MW from Q3 2027').waitFor();
  // Select "300 MW", as a mouse would.
  await notes.evaluate((element) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let node = walker.nextNode();
    while (node && !node.textContent?.includes('300 MW')) node = walker.nextNode();
    if (!node?.textContent) throw new Error('The sentence is not in the notes');
    const at = node.textContent.indexOf('300 MW');
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + '300 MW'.length);
    const selection = window.getSelection()!;
    selection.removeAllRanges();
    selection.addRange(range);
  });
  await reviewer.getByRole('button', { name: `Comment on selected text of ${item}` }).click();
  const panel = reviewer.getByRole('complementary', { name: 'Comments' });
  const box = panel.getByRole('combobox', { name: 'New comment' });
  await box.pressSequentially('Is 300 MW firm, or the study estimate? @Edd');
  await panel.getByRole('option', { name: /Eddie Ng/ }).waitFor();
  await box.press('Enter');
  await box.pressSequentially('can you attach the source?');
  await panel.getByRole('button', { name: 'Post comment' }).click();
  const thread = panel.getByRole('article', { name: `Thread on ${item}` });
  await thread.waitFor();
  await editor.getByRole('button', { name: `Comments on ${item}` }).click();
  const editorThread = editor.getByRole('complementary', { name: 'Comments' }).getByRole('article', { name: `Thread on ${item}` });
  await editorThread.getByRole('combobox', { name: `Reply to thread on ${item}` }).fill('The 2026 utility study: attaching it now.');
  await editorThread.getByRole('button', { name: 'Reply' }).click();
  await thread.getByText('The 2026 utility study').waitFor();
  await reviewer.locator('.comment-anchor').first().waitFor();
  await shoot(reviewer, 'review-anchored-thread');
  await panel.getByRole('combobox', { name: 'Show threads' }).selectOption('all');
  await shoot(reviewer, 'review-comment-panel');

  await editor.goto('/inbox');
  await editor.getByRole('list', { name: 'Notifications' }).getByRole('link').first().waitFor();
  await shoot(editor, 'review-inbox');
}
