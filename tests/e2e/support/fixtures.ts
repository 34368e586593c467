/**
 * The suite's Playwright fixtures: every browser context and stock client a test opens belongs to that test and is
 * closed when it ends (by Playwright's fixture teardown), so live checklist connections never pile up across tests
 * past the collaboration server's per-user connection limit. Specs import `test` and `expect` from here.
 */
import { test as base, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { connectStockClient } from './checklist-page.ts';
import { signIn } from './session.ts';

type StockClient = Awaited<ReturnType<typeof connectStockClient>>;

export interface SuiteFixtures {
  /** A new browser context (its own cookies and storage); `options` override the project's (a phone, say). */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A page in a new context, signed in as `email`. */
  signedInPage(email: string, options?: BrowserContextOptions): Promise<Page>;
  /** A page in a new context with no session. */
  anonymousPage(options?: BrowserContextOptions): Promise<Page>;
  /** A stock y-websocket client (Node) signed in as `email`, connected to a checklist. */
  stockClient(email: string, checklistId: string): Promise<StockClient>;
}

export const test = base.extend<SuiteFixtures>({
  newContext: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (options = {}) => {
      const context = await browser.newContext(options);
      contexts.push(context);
      return context;
    });
    await Promise.all(contexts.map((context) => context.close().catch(() => {})));
  },
  signedInPage: async ({ newContext }, use) => {
    await use(async (email, options = {}) => {
      const page = await (await newContext(options)).newPage();
      await signIn(page, email);
      return page;
    });
  },
  anonymousPage: async ({ newContext }, use) => {
    await use(async (options = {}) => (await newContext(options)).newPage());
  },
  stockClient: async ({ baseURL }, use) => {
    const clients: StockClient[] = [];
    await use(async (email, checklistId) => {
      const client = await connectStockClient(baseURL!, email, checklistId);
      clients.push(client);
      return client;
    });
    for (const client of clients) client.close();
  },
});

export { expect } from '@playwright/test';

/** Waits until the page's React tree has hydrated (the root sets `data-hydrated` once its effects ran). */
export async function hydrated(page: Page): Promise<void> {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
}
