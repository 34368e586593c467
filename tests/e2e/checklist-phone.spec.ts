/** The checklist on a phone: the first item on the first screen, filters folded away, touch targets of 44 px. */
import { devices } from '@playwright/test';
import { demoChecklists, demoUsers } from '@tieout/db/testing';
import { openChecklist } from './support/session.ts';
import { expect, test } from './support/fixtures.ts';

const { viewport, deviceScaleFactor, isMobile, hasTouch } = devices['Pixel 7'];
const PHONE = { viewport, deviceScaleFactor, isMobile, hasTouch };

test('on a phone the first item is on the first screen, the filters fold behind a button, and touch targets are at least 44 px', async ({
  signedInPage,
}) => {
  const page = await signedInPage(demoUsers.editor.email, PHONE);
  await openChecklist(page, demoChecklists.siteRetrofits.id);

  const firstRow = page.locator('li[data-item-id]').first();
  await expect(firstRow).toBeVisible();
  const box = (await firstRow.boundingBox())!;
  // Its title and its controls are within the first screen, without scrolling.
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(0);
  expect(box.y + Math.min(box.height, 120)).toBeLessThanOrEqual(viewport.height);

  // Filters are folded: one button opens them.
  const status = page.getByRole('combobox', { name: 'Filter by status' });
  await expect(status).toBeHidden();
  const filters = page.getByRole('button', { name: 'Filters' });
  await expect(filters).toHaveAttribute('aria-expanded', 'false');
  await filters.tap();
  await expect(status).toBeVisible();
  await status.selectOption('blocked');
  await expect(page.getByRole('button', { name: 'Filters (1)' })).toBeVisible();
  await page.getByRole('button', { name: 'Filters (1)' }).tap();
  await expect(status).toBeHidden();
  await page.getByRole('button', { name: 'Clear filters' }).tap();

  // Every button, select, text field and checkbox target in the first row is at least 44 px high (and buttons wide).
  const targets = firstRow.locator('button:visible, select:visible, input[type="date"]:visible, label:has(input[type="checkbox"])');
  const sizes = await targets.evaluateAll((nodes) =>
    nodes.map((node) => {
      const rect = node.getBoundingClientRect();
      return {
        name: node.getAttribute('aria-label') ?? node.textContent ?? node.tagName,
        height: Math.round(rect.height),
        width: Math.round(rect.width),
      };
    }),
  );
  expect(sizes.length).toBeGreaterThan(5);
  for (const size of sizes) {
    expect(size.height, `${size.name} height`).toBeGreaterThanOrEqual(44);
    expect(size.width, `${size.name} width`).toBeGreaterThanOrEqual(44);
  }
});

test('on a phone the header’s search is a 44 px button that opens the search page (no box squeezed to a sliver)', async ({ signedInPage }) => {
  const page = await signedInPage(demoUsers.editor.email, PHONE);
  await page.goto('/');
  await expect(page.getByRole('searchbox', { name: 'Search all deals' })).toBeHidden();
  const search = page.getByRole('banner').getByRole('link', { name: 'Search all deals' });
  const box = (await search.boundingBox())!;
  expect(box.width).toBeGreaterThanOrEqual(44);
  expect(box.height).toBeGreaterThanOrEqual(44);
  // The header fits the phone's width, each of its links on one line (“My work” and “Sign out” had wrapped).
  const banner = page.getByRole('banner');
  expect(await banner.evaluate((header) => header.scrollWidth <= header.clientWidth)).toBe(true);
  for (const target of [banner.getByRole('link', { name: 'My work' }), banner.getByRole('button', { name: 'Sign out' })]) {
    const height = (await target.boundingBox())!.height;
    expect(height).toBeLessThan(36);
  }
  await search.tap();
  await expect(page).toHaveURL(/\/search$/);
  await page.getByRole('searchbox', { name: 'Search words' }).fill('lease');
  await page.getByRole('button', { name: 'Search', exact: true }).tap();
  // The seed is searchable before anyone edits it.
  await expect(page.getByRole('region', { name: 'Search results' }).getByRole('link').first()).toBeVisible();
});
