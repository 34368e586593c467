/*
 * The managers' pages for the README (issue 14): the deal dashboard, its risk heatmap, and page 1 of the status
 * report PDF as the server prints it (rendered to PNG with pdftoppm from poppler-utils). Called by screenshots.ts.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export async function shootDashboard(
  page: Page,
  dealId: string,
  theme: 'light' | 'dark',
  shoot: (page: Page, name: string, fullPage?: boolean) => Promise<void>,
  outDir: string,
): Promise<void> {
  await page.goto(`/deals/${dealId}/dashboard`);
  await page.getByTestId('trend-chart').waitFor();
  await shoot(page, 'dashboard', true);
  const heatmap = page.getByRole('region', { name: 'Risk heatmap' });
  await heatmap.scrollIntoViewIfNeeded();
  await heatmap.screenshot({ path: join(outDir, `dashboard-heatmap-${theme}.png`) });
  if (theme !== 'light') return;
  // The PDF is the same in either theme: one image of its first page.
  const response = await page.request.get(`/deals/${dealId}/report.pdf`);
  if (!response.ok()) throw new Error(`report.pdf answered ${response.status()}`);
  const dir = mkdtempSync(join(tmpdir(), 'tieout-report-shot-'));
  writeFileSync(join(dir, 'report.pdf'), await response.body());
  execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', join(dir, 'report.pdf'), join(dir, 'page')]);
  copyFileSync(join(dir, 'page.png'), join(outDir, 'report-pdf-page.png'));
}
