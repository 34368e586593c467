import { expect, test, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { DEMO_PASSWORD } from '@tieout/db';

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/*
 * The `browser` fixture lives for the whole worker, and so would every context a test opens: their live
 * checklist connections would pile up across tests until the collaboration server's per-user connection limit
 * refuses new ones. Contexts are therefore tracked per test and closed when the next test opens its first one.
 */
const openContexts: { testId: string; context: BrowserContext }[] = [];

/**
 * A new browser context (its own cookies and storage), closed once a later test starts opening its own.
 * `options` override the project's (a phone viewport with touch, for instance).
 */
export async function newTestContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const { testId } = test.info();
  for (const entry of openContexts.filter((open) => open.testId !== testId)) {
    openContexts.splice(openContexts.indexOf(entry), 1);
    await entry.context.close().catch(() => {});
  }
  const context = await browser.newContext(options);
  openContexts.push({ testId, context });
  return context;
}

/** A new browser context signed in as `email`. */
export async function signedInPage(browser: Browser, email: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await newTestContext(browser, options);
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

export async function openChecklist(page: Page, checklistId: string): Promise<void> {
  await page.goto(`/checklists/${checklistId}`);
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 15_000 });
}
