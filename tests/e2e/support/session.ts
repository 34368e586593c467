import { expect, type Page } from '@playwright/test';
import { DEMO_PASSWORD } from '@tieout/db/testing';

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

export async function openChecklist(page: Page, checklistId: string): Promise<void> {
  await page.goto(`/checklists/${checklistId}`);
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/Connected/, { timeout: 30_000 });
}
