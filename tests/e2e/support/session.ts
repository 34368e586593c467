import { expect, type Browser, type Page } from '@playwright/test';
import { DEMO_PASSWORD } from '@tieout/db';

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** A new browser context (its own cookies and storage) signed in as `email`. */
export async function signedInPage(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

export async function openChecklist(page: Page, checklistId: string): Promise<void> {
  await page.goto(`/checklists/${checklistId}`);
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 15_000 });
}
