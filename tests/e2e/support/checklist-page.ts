/** Helpers for the live checklist page (accessible names documented in app/app/routes/checklists.$checklistId.tsx). */
import { expect, type Locator, type Page } from '@playwright/test';
import { DEMO_PASSWORD } from '@tieout/db/testing';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/** A short random tag, so each test works on its own section whatever other tests changed. */
export const uniqueTag = () => Math.random().toString(36).slice(2, 7);

export async function addSection(page: Page, title: string, items: string[] = []): Promise<Locator> {
  await page.getByRole('textbox', { name: 'New section' }).fill(title);
  await page.getByRole('button', { name: 'Add section' }).click();
  const section = page.getByRole('region', { name: title, exact: true });
  await expect(section).toBeVisible();
  for (const item of items) {
    const input = page.getByRole('textbox', { name: `New item in ${title}` });
    await input.fill(item);
    await input.press('Enter');
    await expect(page.getByRole('textbox', { name: `Title of ${item}`, exact: true })).toBeVisible();
  }
  return section;
}

/** The row (listitem) of an item, found by its committed title. */
export function itemRow(page: Page, title: string): Locator {
  return page.locator('li[data-item-id]').filter({ has: page.getByRole('textbox', { name: `Title of ${title}`, exact: true }) });
}

/** Item titles of a section, in the order shown. */
export async function itemTitles(page: Page, sectionTitle: string): Promise<string[]> {
  const section = page.getByRole('region', { name: sectionTitle, exact: true });
  return section
    .locator('li[data-item-id] textarea[data-control="title"]')
    .evaluateAll((nodes) => nodes.map((node) => (node as HTMLTextAreaElement).value));
}

export async function expectOrder(page: Page, sectionTitle: string, titles: string[]): Promise<void> {
  await expect.poll(() => itemTitles(page, sectionTitle), { timeout: 30_000 }).toEqual(titles);
}

export async function openNotes(page: Page, title: string): Promise<Locator> {
  const toggle = page.getByRole('button', { name: `Notes for ${title}`, exact: true });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const notes = page.getByRole('textbox', { name: `Notes of ${title}`, exact: true });
  await expect(notes).toBeVisible();
  return notes;
}

/**
 * How many updates the page's offline copy of a checklist (y-indexeddb, one database per user and checklist)
 * holds: an edit is on the device once this count has grown (IndexedDB writes are asynchronous).
 */
export async function offlineUpdateCount(page: Page, userId: string, checklistId: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const opening = indexedDB.open(name);
        opening.onerror = () => reject(opening.error);
        opening.onsuccess = () => {
          const db = opening.result;
          const counting = db.transaction('updates', 'readonly').objectStore('updates').count();
          counting.onsuccess = () => (db.close(), resolve(counting.result));
          counting.onerror = () => (db.close(), reject(counting.error));
        };
      }),
    `tieout:${userId}:${checklistId}`,
  );
}

/**
 * A stock y-websocket client (Node) signed in as `email` through the auth API, connected to a checklist:
 * for writing outside the browser (what a modified client could send) and for seeding large checklists.
 */
export async function connectStockClient(baseURL: string, email: string, checklistId: string, password = DEMO_PASSWORD) {
  const response = await fetch(`${baseURL}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`Sign-in for ${email} failed: ${response.status} ${await response.text()}`);
  const { access_token: token } = (await response.json()) as { access_token: string };
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${baseURL.replace(/^http/, 'ws')}/collab`, checklistId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  await expect.poll(() => provider.synced, { message: `the stock client of ${email} to sync`, timeout: 30_000 }).toBe(true);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    provider.destroy();
    doc.destroy();
  };
  return { doc, provider, close };
}
