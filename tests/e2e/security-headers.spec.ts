/**
 * Issue 10 (low), decision 105: security headers the app and its service worker, Vite's assets and Tiptap work
 * under (no CSP violation on the live checklist page with notes), no framing, and no sign-out from another site.
 */
import { expect, test } from '@playwright/test';
import { demoChecklists, demoUsers, demoWorkspace } from '@tieout/db/testing';
import { signIn } from './support/session.ts';

async function signedInPage(browser: import('@playwright/test').Browser, email: string) {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

test('pages carry the security headers and the live checklist runs under them with no CSP violation', async ({ browser, request }) => {
  const login = await request.get('/login');
  const headers = login.headers();
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');

  const page = await signedInPage(browser, demoUsers.editor.email);
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (frame|load|execute|apply)/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`/checklists/${demoChecklists.siteRetrofits.id}`);
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  // The members page (framed same-site before) cannot be put in a frame by anyone.
  const members = await page.request.get(`/workspaces/${demoWorkspace.id}/members`);
  expect(members.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(violations).toEqual([]);
});

test('another site cannot sign a person out (or post anything): 403, and the session goes on', async ({ browser }) => {
  const page = await signedInPage(browser, demoUsers.viewer.email);
  const forged = await page.request.post('/logout', { headers: { Origin: 'https://evil.example' }, maxRedirects: 0 });
  expect(forged.status()).toBe(403);
  await page.goto('/');
  await expect(page).not.toHaveURL(/\/login/);
  const own = await page.request.post('/logout', { headers: { Origin: new URL(page.url()).origin }, maxRedirects: 0 });
  expect(own.status()).toBe(302);
});

test('the copy of a checklist page kept for offline use holds no access token', async ({ browser }) => {
  const page = await signedInPage(browser, demoUsers.editor.email);
  await page.goto(`/checklists/${demoChecklists.energyContracts.id}`);
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  const document = await page.request.get(page.url());
  expect(document.headers()['cache-control']).toBe('private, no-cache');
  const { token } = (await (await page.request.get('/collab-token')).json()) as { token: string };
  const signature = token.split('.')[2]!;
  // Kept by the service worker once the badge says so; then every copy on the device is read back.
  await expect(page.getByText(/available offline/i)).toBeVisible({ timeout: 30_000 });
  const kept = await page.evaluate(async () => {
    const bodies: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) bodies.push(await (await cache.match(request))!.text());
    }
    return bodies;
  });
  expect(kept.some((body) => body.includes('Energy contracts'))).toBe(true);
  expect(kept.filter((body) => body.includes(signature))).toEqual([]);
});

