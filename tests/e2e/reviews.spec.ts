/**
 * Reviews (issue 13): comments anchored to notes under concurrent edits, mentions to the inbox and the email folder,
 * approve / changed since approval / send back, "done requires approval" enforced by the server for a stock client,
 * viewers who cannot comment, comments live in a second browser.
 */
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { demoChecklists, demoUsers } from '@tieout/db/testing';
import { itemsOf, readChecklist, updateItem } from '@tieout/doc-model';
import { addSection, connectStockClient, itemRow, openNotes, uniqueTag } from './support/checklist-page.ts';
import { sentMail } from './support/mail.ts';
import { openChecklist, signIn } from './support/session.ts';

const checklistId = demoChecklists.siteRetrofits.id;
const rita = demoUsers.reviewer;
const eddie = demoUsers.editor;

// Three people typing and reading in three browsers on a 2-core machine: generous bounds.
test.describe.configure({ timeout: 180_000 });

// Every context a test opens is closed after it, so live connections never pile up.
let contexts: BrowserContext[] = [];
test.afterEach(async () => {
  await Promise.all(contexts.map((context) => context.close().catch(() => {})));
  contexts = [];
});

async function as(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await signIn(page, email);
  await openChecklist(page, checklistId);
  return page;
}

/** A new section with one item whose notes say `notes`, projected (so it can be commented on and reviewed). */
async function itemWithNotes(page: Page, notes: string): Promise<{ item: string; itemId: string; notes: Locator }> {
  const tag = uniqueTag();
  const item = `Substation capacity ${tag}`;
  await addSection(page, `Reviews ${tag}`, [item]);
  const editor = await openNotes(page, item);
  await editor.click();
  await page.keyboard.type(notes);
  const itemId = (await itemRow(page, item).getAttribute('data-item-id'))!;
  await expect
    .poll(
      async () => {
        const response = await page.request.get(`/checklists/${checklistId}/review`);
        const body = (await response.json()) as { states: { itemId: string }[] };
        return body.states.some((state) => state.itemId === itemId);
      },
      { message: 'the item in the projection' },
    )
    .toBe(true);
  return { item, itemId, notes: editor };
}

/**
 * The reviewer approves the item as its notes read `notes`: once their page shows that text (it has the editor's
 * latest edits) and the Approve button is enabled (the server stores what the page shows). Clicking sooner approves
 * what the page showed then, which the server rightly refuses once the rest of the typing is stored.
 */
async function approveAsRead(reviewerPage: Page, item: string, notes: string): Promise<void> {
  await expect(await openNotes(reviewerPage, item)).toContainText(notes);
  await reviewerPage.getByRole('button', { name: `Approve ${item}` }).click();
}

/** Selects `text` (its first occurrence) in a notes editor through the DOM, as a mouse would. */
async function selectText(notes: Locator, text: string): Promise<void> {
  await notes.evaluate((element, wanted) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent!.indexOf(wanted);
      if (at === -1) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + wanted.length);
      const selection = window.getSelection()!;
      selection.removeAllRanges();
      selection.addRange(range);
      return;
    }
    throw new Error(`"${wanted}" is not in the notes`);
  }, text);
}

const reviewState = (page: Page, item: string) => itemRow(page, item).locator('[data-review-state]');
const panel = (page: Page) => page.getByRole('complementary', { name: 'Comments' });
const thread = (page: Page, item: string) => panel(page).getByRole('article', { name: `Thread on ${item}` });
const highlight = (page: Page, item: string) => page.getByRole('textbox', { name: `Notes of ${item}`, exact: true }).locator('.comment-anchor');

test('a reviewer comments on words of the notes while an editor rewrites the sentence around them: highlight and thread stay on those words for both', async ({
  browser,
}) => {
  const editorPage = await as(browser, eddie.email);
  const reviewerPage = await as(browser, rita.email);
  const { item, notes } = await itemWithNotes(editorPage, 'Capacity is 1.3 GW at the substation.');
  const reviewerNotes = await openNotes(reviewerPage, item);
  await expect(reviewerNotes).toContainText('Capacity is 1.3 GW at the substation.');

  await selectText(reviewerNotes, '1.3 GW');
  await reviewerPage.getByRole('button', { name: `Comment on selected text of ${item}` }).click();
  await expect(panel(reviewerPage).getByRole('region', { name: 'New thread' })).toContainText('“1.3 GW”');

  // Meanwhile the editor rewrites the words before and after the range.
  await notes.click();
  await editorPage.keyboard.press('Control+Home');
  for (let i = 0; i < 'Capacity is'.length; i++) await editorPage.keyboard.press('Shift+ArrowRight');
  await editorPage.keyboard.type('Firm deliverable power is');
  await editorPage.keyboard.press('Control+End');
  for (let i = 0; i < 'substation.'.length; i++) await editorPage.keyboard.press('Shift+ArrowLeft');
  await editorPage.keyboard.type('Denton substation');

  await panel(reviewerPage).getByRole('combobox', { name: 'New comment' }).fill('Is 1.3 GW firm or interruptible?');
  await panel(reviewerPage).getByRole('button', { name: 'Post comment' }).click();
  await expect(thread(reviewerPage, item)).toContainText('Is 1.3 GW firm or interruptible?');

  // And keeps editing right next to it after the thread exists.
  await editorPage.keyboard.type(', per the utility study.');
  // (toContainText: the other person's caret label is part of the editor's text)
  await expect(notes).toContainText('Firm deliverable power is 1.3 GW at the Denton substation, per the utility study.');
  await expect(reviewerNotes).toContainText('Firm deliverable power is 1.3 GW at the Denton substation, per the utility study.');
  for (const page of [reviewerPage, editorPage]) await expect(highlight(page, item)).toHaveText('1.3 GW');

  // The editor sees the thread live (no reload) and opens it from the highlight's item.
  await editorPage.getByRole('button', { name: `Comments on ${item}` }).click();
  await expect(thread(editorPage, item)).toContainText('“1.3 GW”');
  await expect(thread(editorPage, item)).toContainText('Is 1.3 GW firm or interruptible?');

  // Deleting the words detaches the thread; it stays, with the text it was made on.
  await editorPage.getByRole('button', { name: 'Close comments' }).click();
  await notes.focus();
  await selectText(notes, '1.3 GW');
  await editorPage.keyboard.press('Backspace');
  await expect(notes).not.toContainText('1.3 GW');
  await expect(notes).toContainText('at the Denton substation, per the utility study.');
  await expect(highlight(reviewerPage, item)).toHaveCount(0);
  await expect(thread(reviewerPage, item)).toContainText('Detached');
  await expect(thread(reviewerPage, item)).toContainText('“1.3 GW”');
});

test('a mention reaches the other person’s inbox (live unread count) and the email folder; a reply appears live in a second browser', async ({
  browser,
}) => {
  const editorPage = await as(browser, eddie.email);
  const reviewerPage = await as(browser, rita.email);
  const { item } = await itemWithNotes(editorPage, 'Utility letter pending.');
  await editorPage.getByRole('button', { name: `Comments on ${item}` }).click();

  await reviewerPage.getByRole('button', { name: `Comment on ${item}`, exact: true }).click();
  const box = panel(reviewerPage).getByRole('combobox', { name: 'New comment' });
  await box.pressSequentially('Please check the letter, @Edd');
  await expect(panel(reviewerPage).getByRole('option', { name: /Eddie Ng/ })).toBeVisible();
  await box.press('Enter');
  await expect(box).toHaveValue('Please check the letter, @Eddie Ng ');
  await box.pressSequentially('before Friday');
  await panel(reviewerPage).getByRole('button', { name: 'Post comment' }).click();

  // Live in the editor's open panel, and in the header's unread count.
  await expect(thread(editorPage, item)).toContainText('Please check the letter, @Eddie Ng before Friday');
  await expect(editorPage.getByRole('link', { name: /^Inbox, \d+ unread$/ })).toBeVisible();
  await thread(editorPage, item)
    .getByRole('combobox', { name: `Reply to thread on ${item}` })
    .fill('On it.');
  await thread(editorPage, item).getByRole('button', { name: 'Reply' }).click();
  await expect(thread(reviewerPage, item)).toContainText('On it.');

  const summary = `${rita.name} mentioned you on “${item}”`;
  await editorPage.goto('/inbox');
  const entry = editorPage.getByRole('list', { name: 'Notifications' }).getByRole('link', { name: summary });
  await expect(entry).toBeVisible();
  await expect
    .poll(
      async () =>
        (await sentMail()).some(
          (mail) => mail.to.includes(eddie.email) && mail.subject === summary && mail.text.includes(`/checklists/${checklistId}?item=`),
        ),
      {
        message: 'the mention in the email folder',
      },
    )
    .toBe(true);
  await entry.click();
  await expect(editorPage).toHaveURL(/thread=/);
  await expect(thread(editorPage, item)).toContainText('Please check the letter');
});

test('approve, an edit after approval marks it changed, send back needs a comment', async ({ browser }) => {
  const editorPage = await as(browser, eddie.email);
  const reviewerPage = await as(browser, rita.email);
  const { item, notes } = await itemWithNotes(editorPage, 'Signed agreement attached.');

  await approveAsRead(reviewerPage, item, 'Signed agreement attached.');
  for (const page of [reviewerPage, editorPage]) await expect(reviewState(page, item)).toHaveText(`Approved by ${rita.name}`);

  await notes.click();
  await editorPage.keyboard.press('Control+End');
  await editorPage.keyboard.type(' Capacity revised to 1.1 GW.');
  for (const page of [reviewerPage, editorPage]) await expect(reviewState(page, item)).toHaveText('Changed since approval');

  await reviewerPage.getByRole('button', { name: `Send back ${item}` }).click();
  const reason = reviewerPage.getByRole('combobox', { name: `Why send ${item} back?` });
  await itemRow(reviewerPage, item).getByRole('button', { name: 'Send back', exact: true }).last().click();
  await expect(itemRow(reviewerPage, item).getByRole('alert')).toHaveText('Say why you send the item back: a comment is required.');
  await expect(reviewState(reviewerPage, item)).toHaveText('Changed since approval');
  await reason.fill('Cite the source of the 1.1 GW revision.');
  await itemRow(reviewerPage, item).getByRole('button', { name: 'Send back', exact: true }).last().click();
  for (const page of [reviewerPage, editorPage]) await expect(reviewState(page, item)).toHaveText(`Sent back by ${rita.name}`);
  await editorPage.getByRole('button', { name: `Comments on ${item}` }).click();
  await expect(thread(editorPage, item)).toContainText('Cite the source of the 1.1 GW revision.');
});

test('“done requires approval”: the option is hidden and the server refuses done from a stock client until the item is approved', async ({
  browser,
  baseURL,
}) => {
  const ownerPage = await as(browser, demoUsers.owner.email);
  const editorPage = await as(browser, eddie.email);
  const reviewerPage = await as(browser, rita.email);
  const { item, itemId } = await itemWithNotes(editorPage, 'Relay settings confirmed.');

  const rule = ownerPage.getByRole('checkbox', { name: 'Done requires approval' });
  if (!(await rule.isChecked())) await rule.check();
  await expect(rule).toBeChecked();
  const status = editorPage.getByRole('combobox', { name: `Status of ${item}` });
  await expect(status.locator('option[value="done"]')).toHaveCount(0);

  // A stock y-websocket client as the editor sets it done anyway: the server closes it with the reason.
  const stock = await connectStockClient(baseURL!, eddie.email, checklistId);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    stock.provider.on('connection-close', (event) => event && resolve({ code: event.code, reason: event.reason })),
  );
  updateItem(stock.doc, itemId, { status: 'done' });
  expect(await closed).toEqual({ code: 4403, reason: `done requires approval: "${item}" has no approval` });
  stock.close();
  // Nobody got it, and the server does not have it.
  const check = await connectStockClient(baseURL!, demoUsers.owner.email, checklistId);
  expect(
    readChecklist(check.doc)
      .sections.flatMap((section) => section.items)
      .find((entry) => entry.id === itemId)?.status,
  ).toBe('not_started');
  expect(itemsOf(check.doc).has(itemId)).toBe(true);
  check.close();
  await expect(ownerPage.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('not_started');

  // Once approved, done is offered and accepted.
  await approveAsRead(reviewerPage, item, 'Relay settings confirmed.');
  await expect(status.locator('option[value="done"]')).toHaveCount(1);
  await status.selectOption('done');
  await expect(ownerPage.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('done');
  await rule.uncheck();
  await expect(rule).not.toBeChecked();
});

test('a viewer reads comments but cannot write one, in the page or by posting directly', async ({ browser }) => {
  const editorPage = await as(browser, eddie.email);
  const viewerPage = await as(browser, demoUsers.viewer.email);
  const { item, itemId } = await itemWithNotes(editorPage, 'Read me.');
  await editorPage.getByRole('button', { name: `Comment on ${item}`, exact: true }).click();
  await panel(editorPage).getByRole('combobox', { name: 'New comment' }).fill('For the record.');
  await panel(editorPage).getByRole('button', { name: 'Post comment' }).click();

  await viewerPage.getByRole('button', { name: `Comments on ${item}` }).click();
  await expect(thread(viewerPage, item)).toContainText('For the record.');
  await expect(panel(viewerPage)).toContainText('Viewers can read comments but not write them.');
  await expect(viewerPage.getByRole('button', { name: `Comment on ${item}`, exact: true })).toHaveCount(0);
  await expect(thread(viewerPage, item).getByRole('button', { name: 'Resolve thread' })).toHaveCount(0);
  await expect(viewerPage.getByRole('button', { name: `Approve ${item}` })).toHaveCount(0);

  const response = await viewerPage.request.post(`/checklists/${checklistId}/review`, { form: { intent: 'thread', itemId, body: 'Sneaky' } });
  expect(response.status()).toBe(403);
  expect(await response.json()).toMatchObject({ error: 'Viewers can read comments but not write them.' });
  const data = (await (await viewerPage.request.get(`/checklists/${checklistId}/review`)).json()) as { threads: { comments: { body: string }[] }[] };
  expect(data.threads.some((entry) => entry.comments.some((comment) => comment.body === 'Sneaky'))).toBe(false);
});
