import { expect, type Page } from '@playwright/test';
import { demoWorkspace } from '@tieout/db/testing';

/** The names of a deal made for one test (tag them with `uniqueTag()`, so the test works on its own data). */
export interface NewDealNames {
  deal: string;
  /** A custom workstream in the deal. */
  workstream: string;
  /** An empty checklist in the workstream, with one section. */
  checklist: string;
  section: string;
}

/**
 * Creates a deal in the demo workspace with a custom workstream and an empty checklist, through the pages a person
 * uses (New deal, Add workstream, New checklist), as whoever `page` is signed in as (an editor or an owner). Ends on
 * the new checklist's page; returns the checklist's id.
 */
export async function createDealWithChecklist(page: Page, names: NewDealNames): Promise<{ checklistId: string }> {
  await page.goto('/');
  await page.getByRole('link', { name: `New deal in ${demoWorkspace.name}` }).click();
  await page.getByLabel('Deal name').fill(names.deal);
  await page.getByRole('button', { name: 'Create deal' }).click();
  await expect(page.getByRole('heading', { level: 1, name: names.deal })).toBeVisible();
  await page.getByLabel('Kind').selectOption('custom');
  await page.getByLabel('Name', { exact: true }).fill(names.workstream);
  await page.getByRole('button', { name: 'Add workstream' }).click();
  await page.getByRole('link', { name: `New checklist in ${names.workstream}` }).click();
  await page.getByLabel('Title', { exact: true }).fill(names.checklist);
  await page.getByLabel('First section').fill(names.section);
  await page.getByRole('button', { name: 'Create checklist' }).click();
  await expect(page.getByRole('heading', { level: 1, name: names.checklist })).toBeVisible();
  const match = /\/checklists\/([0-9a-f-]{36})/.exec(page.url());
  if (!match) throw new Error(`Creating the checklist “${names.checklist}” ended on ${page.url()}, not on its page`);
  return { checklistId: match[1]! };
}
