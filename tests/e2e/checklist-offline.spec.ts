/*
 * Offline work on a checklist: first with the collaboration server out of reach (the network up), then with no
 * network at all, where a checklist this device opened before opens again: the service worker serves the page and
 * its code, IndexedDB the document. (One spec: the two cases share the offline copy and the merge on reconnect.)
 */
import { type Page } from '@playwright/test';
import { demoChecklists, demoDeal, demoUsers } from '@tieout/db/testing';
import { openChecklist } from './support/session.ts';
import { addSection, offlineUpdateCount, openNotes, uniqueTag } from './support/checklist-page.ts';
import { expect, test } from './support/fixtures.ts';

const checklistId = demoChecklists.siteRetrofits.id;

test('edits made offline are kept on the device across a reload and merge with others’ edits on reconnect', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  // Eddie's socket to the collaboration server passes through a switch (installed before the page loads,
  // so every socket the page opens goes through it).
  let collabReachable = true;
  await eddie.routeWebSocket(/\/collab\//, (socket) => {
    if (collabReachable) socket.connectToServer();
    else socket.close({ code: 3000, reason: 'unreachable (test)' });
  });
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  // The connection state is always shown: connected, offline, reconnecting, connected again.
  const connection = eddie.getByRole('status', { name: 'Connection' });
  await expect(connection).toHaveAttribute('data-state', 'connected');
  const tag = uniqueTag();
  const section = `Offline ${tag}`;
  const item = `Cooling retrofit ${tag}`;
  await addSection(eddie, section, [item]);
  await expect(erin.getByRole('textbox', { name: `Title of ${item}` })).toBeVisible();

  // offline: the page says so at once, and editing goes on
  const keptOnline = await offlineUpdateCount(eddie, demoUsers.editor.id, checklistId);
  await eddie.context().setOffline(true);
  await expect(connection).toHaveText(/Offline/);
  await expect(connection).toHaveAttribute('data-state', 'offline');
  await expect(connection).toContainText('changes saved on this device');
  await eddie.getByRole('combobox', { name: `Status of ${item}` }).selectOption('blocked');
  const added = `Added offline ${tag}`;
  const newItem = eddie.getByRole('textbox', { name: `New item in ${section}` });
  await newItem.fill(added);
  await newItem.press('Enter');
  const notes = await openNotes(eddie, item);
  await notes.click();
  await eddie.keyboard.type('Chiller count confirmed on site walk.');
  // meanwhile Erin, online, edits another field of the same item
  await erin.getByRole('combobox', { name: `Risk of ${item}` }).selectOption('high');
  await expect(erin.getByRole('textbox', { name: `Title of ${added}` })).toHaveCount(0);

  // reload while the collaboration server is still out of reach: the offline copy (IndexedDB) has the edits
  collabReachable = false;
  await expect(notes).toContainText('Chiller count confirmed');
  await expect.poll(() => offlineUpdateCount(eddie, demoUsers.editor.id, checklistId)).toBeGreaterThan(keptOnline);
  // online again but the server is out of reach: reconnecting, in the open page and after a reload
  await eddie.context().setOffline(false);
  await expect(connection).toHaveAttribute('data-state', 'reconnecting');
  await eddie.reload();
  await expect(connection).toHaveText(/Reconnecting/);
  await expect(eddie.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('blocked');
  await expect(eddie.getByRole('textbox', { name: `Title of ${added}` })).toBeVisible();
  await expect(await openNotes(eddie, item)).toContainText('Chiller count confirmed');
  await expect(eddie.getByRole('combobox', { name: `Risk of ${item}` })).toHaveValue(''); // Erin's edit not here yet

  // back in reach: both sides get everything
  collabReachable = true;
  await expect(connection).toHaveText(/Connected/, { timeout: 30_000 });
  await expect(connection).toHaveAttribute('data-state', 'connected');
  await expect(eddie.getByRole('combobox', { name: `Risk of ${item}` })).toHaveValue('high');
  await expect(erin.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('blocked');
  await expect(erin.getByRole('combobox', { name: `Risk of ${item}` })).toHaveValue('high');
  await expect(erin.getByRole('textbox', { name: `Title of ${added}` })).toBeVisible();
  await expect(await openNotes(erin, item)).toContainText('Chiller count confirmed');

  // and the server stored it: a fresh browser (no offline copy) sees it all
  const olivia = await signedInPage(demoUsers.owner.email);
  await openChecklist(olivia, checklistId);
  await expect(olivia.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('blocked');
  await expect(olivia.getByRole('textbox', { name: `Title of ${added}` })).toBeVisible();
});

// With no network at all.
const checklist = demoChecklists.energyContracts;

/** The page is controlled by the service worker and has a copy of itself kept on this device. */
async function expectKeptOffline(page: Page): Promise<void> {
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveAttribute('data-kept-offline', 'true', { timeout: 30_000 });
  await expect(page.getByRole('status', { name: 'Connection' })).toContainText('available offline');
}

test('a checklist opened before reloads with the network down, takes edits, and merges them on reconnect', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  const erin = await signedInPage(demoUsers.editor2.email);
  // Eddie reaches the checklist by client-side navigation: its page never came through as a document.
  await eddie.goto(`/deals/${demoDeal.id}`);
  await eddie.getByRole('link', { name: checklist.title, exact: true }).click();
  await expect(eddie.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  await expectKeptOffline(eddie);
  await openChecklist(erin, checklist.id);

  const tag = uniqueTag();
  const section = `No network ${tag}`;
  const item = `PPA escalator ${tag}`;
  await addSection(eddie, section, [item]);
  await expect(erin.getByRole('textbox', { name: `Title of ${item}` })).toBeVisible();

  await eddie.context().setOffline(true);
  await expect(eddie.getByRole('status', { name: 'Network' })).toContainText('You are offline');
  const kept = await offlineUpdateCount(eddie, demoUsers.editor.id, checklist.id);
  await eddie.getByRole('combobox', { name: `Status of ${item}` }).selectOption('in_progress');
  await expect.poll(() => offlineUpdateCount(eddie, demoUsers.editor.id, checklist.id)).toBeGreaterThan(kept);

  // A full reload with no network: page, code and document all come from this device.
  const reloaded = await eddie.reload();
  expect(reloaded?.fromServiceWorker()).toBe(true);
  const connection = eddie.getByRole('status', { name: 'Connection' });
  await expect(connection).toHaveAttribute('data-state', 'offline');
  await expect(eddie.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('in_progress');
  // Editing goes on after the reload, including notes (the editor's code is loaded lazily: it was precached).
  await eddie.getByRole('combobox', { name: `Status of ${item}` }).selectOption('blocked');
  const added = `Offtake floor ${tag}`;
  const newItem = eddie.getByRole('textbox', { name: `New item in ${section}` });
  await newItem.fill(added);
  await newItem.press('Enter');
  await expect(eddie.getByRole('textbox', { name: `Title of ${added}` })).toBeVisible();
  const notes = await openNotes(eddie, item);
  await notes.click();
  await eddie.keyboard.type('Escalator is 2.5% a year, confirmed in the PPA.');
  // Meanwhile Erin, online, edits another field of the same item.
  await erin.getByRole('combobox', { name: `Risk of ${item}` }).selectOption('critical');

  // A page this device never opened gets an explanation, not the browser's error page.
  const other = await eddie.context().newPage();
  const missing = await other.goto(`/checklists/${demoChecklists.leaseExposure.id}`);
  expect(missing?.status()).toBe(503);
  await expect(other.getByRole('alert')).toContainText('You are offline');
  await other.close();

  // Back online: both sides get everything, and the server stores it.
  await eddie.context().setOffline(false);
  await expect(connection).toHaveText(/Connected/, { timeout: 30_000 });
  await expect(eddie.getByRole('combobox', { name: `Risk of ${item}` })).toHaveValue('critical');
  await expect(erin.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('blocked');
  await expect(erin.getByRole('textbox', { name: `Title of ${added}` })).toBeVisible();
  await expect(await openNotes(erin, item)).toContainText('Escalator is 2.5% a year');
  const olivia = await signedInPage(demoUsers.owner.email);
  await openChecklist(olivia, checklist.id);
  await expect(olivia.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('blocked');
  await expect(olivia.getByRole('combobox', { name: `Risk of ${item}` })).toHaveValue('critical');
  await expect(olivia.getByRole('textbox', { name: `Title of ${added}` })).toBeVisible();
});

test('signing out deletes the pages kept on this device', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  await openChecklist(eddie, checklist.id);
  await expectKeptOffline(eddie);
  const keptBefore = await keptPages(eddie);
  expect(keptBefore.some((url) => url.endsWith(`/checklists/${checklist.id}`))).toBe(true);
  await eddie.getByRole('button', { name: 'Sign out' }).click();
  await expect(eddie).toHaveURL(/\/login/);
  await expect.poll(() => keptPages(eddie)).not.toContainEqual(expect.stringContaining(`/checklists/${checklist.id}`));
  // With no network, the checklist is gone from this device.
  await eddie.context().setOffline(true);
  const response = await eddie.goto(`/checklists/${checklist.id}`);
  expect(response?.status()).toBe(503);
  await expect(eddie.getByRole('alert')).toContainText('You are offline');
  await eddie.context().setOffline(false);
});

/** URLs in the service worker's page cache, read from the page (Cache Storage is shared with it). */
async function keptPages(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const names = await caches.keys();
    const urls: string[] = [];
    for (const name of names.filter((cacheName) => cacheName.startsWith('tieout-pages'))) {
      const cache = await caches.open(name);
      urls.push(...(await cache.keys()).map((request) => request.url));
    }
    return urls;
  });
}

test('a connection refused for its token (e.g. one that ran out offline) resumes with a fresh token', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  let refuseNext = false;
  await eddie.routeWebSocket(/\/collab\//, (socket) => {
    if (!refuseNext) return socket.connectToServer();
    refuseNext = false;
    socket.close({ code: 4401, reason: 'Access token expired (test)' });
  });
  await openChecklist(eddie, checklist.id);
  const connection = eddie.getByRole('status', { name: 'Connection' });

  await eddie.context().setOffline(true);
  await expect(connection).toHaveAttribute('data-state', 'offline');
  refuseNext = true;
  const tokenFetched = eddie.waitForResponse((response) => new URL(response.url()).pathname === '/collab-token');
  await eddie.context().setOffline(false);
  // The refusal is answered with a new token and a new connection, not a dead end.
  expect((await tokenFetched).status()).toBe(200);
  await expect(connection).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  await expect(connection).not.toContainText('Disconnected');
  await expect(eddie.getByRole('link', { name: /Sign in again/ })).toHaveCount(0);
});

test('when the session itself has ended, the page says so and offers to sign in again', async ({ signedInPage }) => {
  const eddie = await signedInPage(demoUsers.editor.email);
  let refuse = false;
  await eddie.routeWebSocket(/\/collab\//, (socket) => {
    if (refuse) socket.close({ code: 4401, reason: 'Access token expired (test)' });
    else socket.connectToServer();
  });
  await openChecklist(eddie, checklist.id);
  // Signed out in another tab: the session cookies are gone.
  const otherTab = await eddie.context().newPage();
  await otherTab.goto('/');
  await otherTab.getByRole('button', { name: 'Sign out' }).click();
  await expect(otherTab).toHaveURL(/\/login/);

  refuse = true;
  await eddie.context().setOffline(true);
  await eddie.context().setOffline(false);
  const connection = eddie.getByRole('status', { name: 'Connection' });
  await expect(connection).toHaveAttribute('data-state', 'refused', { timeout: 30_000 });
  await expect(connection).toContainText('your session has ended');
  const signIn = eddie.getByRole('link', { name: 'Sign in again to keep sharing changes' });
  await expect(signIn).toHaveAttribute('href', `/login?redirectTo=${encodeURIComponent(`/checklists/${checklist.id}`)}`);
});
