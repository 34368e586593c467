import { expect, test } from '@playwright/test';
import { demoChecklists, demoUsers } from '@tieout/db';
import { openChecklist, signedInPage } from './support/session.ts';
import { addSection, openNotes, uniqueTag } from './support/checklist-page.ts';

const checklistId = demoChecklists.siteRetrofits.id;

test('edits made offline are kept on the device across a reload and merge with others’ edits on reconnect', async ({ browser }) => {
  const eddie = await signedInPage(browser, demoUsers.editor.email);
  const erin = await signedInPage(browser, demoUsers.editor2.email);
  // Eddie's socket to the collaboration server passes through a switch (installed before the page loads,
  // so every socket the page opens goes through it).
  let collabReachable = true;
  await eddie.routeWebSocket(/\/collab\//, (socket) => {
    if (collabReachable) socket.connectToServer();
    else socket.close({ code: 3000, reason: 'unreachable (test)' });
  });
  await openChecklist(eddie, checklistId);
  await openChecklist(erin, checklistId);
  const tag = uniqueTag();
  const section = `Offline ${tag}`;
  const item = `Cooling retrofit ${tag}`;
  await addSection(eddie, section, [item]);
  await expect(erin.getByRole('textbox', { name: `Title of ${item}` })).toBeVisible();
  const connection = eddie.getByRole('status', { name: 'Connection' });

  // offline: the page says so at once, and editing goes on
  await eddie.context().setOffline(true);
  await expect(connection).toHaveText(/Offline/);
  await expect(connection).toHaveAttribute('data-state', 'offline');
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
  await eddie.waitForTimeout(300); // IndexedDB writes are asynchronous
  await eddie.context().setOffline(false);
  await eddie.reload();
  await expect(connection).toHaveText(/Reconnecting/);
  await expect(eddie.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('blocked');
  await expect(eddie.getByRole('textbox', { name: `Title of ${added}` })).toBeVisible();
  await expect(await openNotes(eddie, item)).toContainText('Chiller count confirmed');
  await expect(eddie.getByRole('combobox', { name: `Risk of ${item}` })).toHaveValue(''); // Erin's edit not here yet

  // back in reach: both sides get everything
  collabReachable = true;
  await expect(connection).toHaveText(/Connected/, { timeout: 15_000 });
  await expect(eddie.getByRole('combobox', { name: `Risk of ${item}` })).toHaveValue('high');
  await expect(erin.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('blocked');
  await expect(erin.getByRole('combobox', { name: `Risk of ${item}` })).toHaveValue('high');
  await expect(erin.getByRole('textbox', { name: `Title of ${added}` })).toBeVisible();
  await expect(await openNotes(erin, item)).toContainText('Chiller count confirmed');

  // and the server stored it: a fresh browser (no offline copy) sees it all
  const olivia = await signedInPage(browser, demoUsers.owner.email);
  await openChecklist(olivia, checklistId);
  await expect(olivia.getByRole('combobox', { name: `Status of ${item}` })).toHaveValue('blocked');
  await expect(olivia.getByRole('textbox', { name: `Title of ${added}` })).toBeVisible();
});

test('the connection state is always shown: connected, offline, reconnecting', async ({ browser }) => {
  const eddie = await signedInPage(browser, demoUsers.editor.email);
  let reachable = true;
  await eddie.routeWebSocket(/\/collab\//, (socket) => (reachable ? socket.connectToServer() : socket.close({ code: 3000 })));
  await openChecklist(eddie, checklistId);
  const connection = eddie.getByRole('status', { name: 'Connection' });
  await expect(connection).toHaveAttribute('data-state', 'connected');
  await eddie.context().setOffline(true);
  await expect(connection).toHaveAttribute('data-state', 'offline');
  await expect(connection).toContainText('changes saved on this device');

  // online again but the server is unreachable: reconnecting, then connected once it answers
  reachable = false;
  await eddie.context().setOffline(false);
  await expect(connection).toHaveAttribute('data-state', 'reconnecting');
  await expect(connection).toHaveText(/Reconnecting/);
  reachable = true;
  await expect(connection).toHaveAttribute('data-state', 'connected', { timeout: 15_000 });
});
