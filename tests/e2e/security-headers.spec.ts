/**
 * Issue 10 (low), decision 105: security headers the app and its service worker, Vite's assets and Tiptap work
 * under (no CSP violation on the live checklist page with notes), no framing, and no sign-out from another site.
 */
import { expect, test, type Page } from '@playwright/test';
import { demoChecklists, demoUsers, demoWorkspace } from '@tieout/db/testing';
import { signIn } from './support/session.ts';

async function signedInPage(browser: import('@playwright/test').Browser, email: string) {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

type Violation = { directive: string; blocked: string; sample: string; source: string };

/** Records every CSP violation the page reports from its first script on (an init script is not subject to the CSP). */
async function recordCspViolations(page: Page): Promise<() => Promise<Violation[]>> {
  await page.addInitScript(() => {
    const seen: { directive: string; blocked: string; sample: string; source: string }[] = [];
    (window as unknown as { cspViolations: typeof seen }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push({
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        sample: event.sample,
        source: `${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`,
      });
    });
  });
  return () => page.evaluate(() => (window as unknown as { cspViolations: Violation[] }).cspViolations);
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
    if (/Content Security Policy|Refused to (frame|load|execute|apply|evaluate)/i.test(message.text())) violations.push(message.text());
  });
  const reported = await recordCspViolations(page);
  await page.goto(`/checklists/${demoChecklists.siteRetrofits.id}`);
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  expect(await reported()).toEqual([]);
  // The members page (framed same-site before) cannot be put in a frame by anyone.
  const members = await page.request.get(`/workspaces/${demoWorkspace.id}/members`);
  expect(members.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(violations).toEqual([]);
});

test("scripts run only from the app and with the response's nonce: an injected inline script is blocked and reported", async ({
  browser,
  request,
}) => {
  // A fresh nonce per response, in script-src.
  const policies = await Promise.all([request.get('/login'), request.get('/login')]).then((answers) =>
    answers.map((answer) => answer.headers()['content-security-policy'] ?? ''),
  );
  const nonces = policies.map((policy) => /script-src 'self' 'nonce-([A-Za-z0-9+/=]{22,})'/.exec(policy)?.[1]);
  expect(nonces[0]).toBeTruthy();
  expect(nonces[1]).toBeTruthy();
  expect(nonces[0]).not.toBe(nonces[1]);
  expect(policies[0]).not.toContain('unsafe-inline');

  const page = await signedInPage(browser, demoUsers.editor.email);
  const reported = await recordCspViolations(page);
  const response = await page.goto(`/checklists/${demoChecklists.siteRetrofits.id}`);
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  const nonce = /'nonce-([^']+)'/.exec(response?.headers()['content-security-policy'] ?? '')?.[1];
  // Remix's inline scripts carry this response's nonce; the page hydrated and the socket is live under the policy.
  const inline = await page.evaluate(() =>
    Array.from(document.querySelectorAll('script:not([src])'), (script) => (script as HTMLScriptElement).nonce),
  );
  expect(inline.length).toBeGreaterThan(0);
  expect(new Set(inline)).toEqual(new Set([nonce]));
  expect(await reported()).toEqual([]);
  expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL)).toMatch(/\/sw\.js$/);

  // What a stored-XSS payload would do: an inline script without the nonce. It does not run and is reported.
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.injectedRan = true;';
    document.body.append(script);
  });
  await expect.poll(reported).toEqual([expect.objectContaining({ directive: 'script-src-elem', blocked: 'inline' })]);
  expect(await page.evaluate(() => (window as unknown as { injectedRan?: boolean }).injectedRan)).toBeUndefined();
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
