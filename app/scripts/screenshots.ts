/*
 * Screenshots of the main pages for docs/screenshots/, light and dark:
 *   npm run build -w @tieout/app && npm run screenshots -w @tieout/app
 * Starts the BUILT app on a free port with a fresh seeded PGlite database, signs in as the demo users with
 * Debian's Chromium (CHROMIUM_PATH to override) and writes PNGs. Only the demo seed is shown: nothing is staged
 * except an import preview of a small sample request list with one bad row, and for the history pages a named version
 * and two edits made through the checklist page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_PASSWORD, demoChecklists, demoDeal, demoUsers } from '@tieout/db/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { shootFilesAndSearch } from './screenshot-files.ts';
import { shootReviews } from './screenshot-reviews.ts';
import { shootDashboard } from './screenshots-dashboard.ts';

const appDir = fileURLToPath(new URL('../', import.meta.url));
const outDir = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const themes = ['light', 'dark'] as const;
type Theme = (typeof themes)[number];
// `-- --only=history,grid` shoots only those groups (in both themes); without it, everything.
const groups = ['pages', 'dashboard', 'checklist', 'import', 'history', 'grid', 'files', 'reviews'] as const;
const only = (parseArgs({ options: { only: { type: 'string' } } }).values.only ?? '').split(',').filter(Boolean);
const unknownGroups = only.filter((group) => !(groups as readonly string[]).includes(group));
if (unknownGroups.length > 0) throw new Error(`No screenshot group ${unknownGroups.join(', ')}: the groups are ${groups.join(', ')}.`);
const want = (group: (typeof groups)[number]) => only.length === 0 || only.includes(group);

const noteItem = 'Utility ramp schedule and energization milestones';
const sampleCsv = [
  'Request,Section,Status,Owner email,Due date,Risk,Contracted capacity (MW),Termination payment (USD)',
  `Copy of the Denton ESA with all amendments,Interconnection,Not started,${demoUsers.editor2.email},2026-12-15,high,300,"$12,500,000"`,
  'Utility consent to change of control,Consents,In progress,,15 Jan 2027,medium,,',
  'Hedge confirmations for 2027,Hedges,Finished,nobody@example.com,12/31/2026,low,lots,',
  'Schedule of demand-response enrolments,,,,,,"1,050",',
].join('\n');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The app exited with code ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`The app did not answer ${url} within ${timeoutMs / 1000} s`);
}

interface Device {
  width: number;
  height: number;
  isMobile?: boolean;
}

async function signedIn(
  browser: Browser,
  baseUrl: string,
  email: string,
  theme: Theme,
  device: Device = { width: 1280, height: 860 },
): Promise<Page> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: device.width, height: device.height },
    isMobile: device.isMobile ?? false,
    hasTouch: device.isMobile ?? false,
    colorScheme: theme,
  });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  return page;
}

async function openChecklist(page: Page, checklistId: string): Promise<void> {
  await page.goto(`/checklists/${checklistId}`);
  await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor({ timeout: 20_000 });
}

async function shoot(page: Page, name: string, theme: Theme, fullPage = false): Promise<void> {
  // Let transitions (progress bars, focus rings) settle.
  await page.waitForTimeout(300);
  const path = join(outDir, `${name}-${theme}.png`);
  await page.screenshot({ path, fullPage });
  console.log(`wrote ${path}`);
}

async function main(): Promise<void> {
  if (!existsSync(join(appDir, 'build/server/index.js'))) {
    throw new Error('No build found: run `npm run build -w @tieout/app` first.');
  }
  mkdirSync(outDir, { recursive: true });
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tieout-screenshots-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', PGLITE_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.COLLAB_URL;
  delete env.SUPABASE_URL;
  const app = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: appDir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  let browser: Browser | null = null;
  try {
    await waitUntilUp(`${baseUrl}/healthz`, app);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    let historyStaged = false;
    for (const theme of themes) {
      if (want('pages')) {
        const anonymous = await browser.newPage({ baseURL: baseUrl, viewport: { width: 1280, height: 720 }, colorScheme: theme });
        await anonymous.goto('/login');
        await shoot(anonymous, 'login', theme);
        await anonymous.context().close();
      }

      const owner = await signedIn(browser, baseUrl, demoUsers.owner.email, theme);
      if (want('pages')) {
        await owner.goto('/');
        await shoot(owner, 'home', theme);
        await owner.goto(`/deals/${demoDeal.id}`);
        await shoot(owner, 'deal', theme, true);
      }
      if (want('dashboard')) await shootDashboard(owner, demoDeal.id, theme, (page, name, fullPage) => shoot(page, name, theme, fullPage), outDir);

      const editor = await signedIn(browser, baseUrl, demoUsers.editor.email, theme);
      const phone = await signedIn(browser, baseUrl, demoUsers.editor2.email, theme, { width: 412, height: 915, isMobile: true });
      const reviewer = await signedIn(browser, baseUrl, demoUsers.reviewer.email, theme);
      if (want('checklist')) {
        await openChecklist(editor, demoChecklists.siteRetrofits.id);
        await editor.getByRole('button', { name: `Notes for ${noteItem}` }).click();
        const notes = editor.getByRole('textbox', { name: `Notes of ${noteItem}` });
        await notes.waitFor();
        await notes.scrollIntoViewIfNeeded();
        await editor.evaluate(() => window.scrollBy(0, -160));
        await shoot(editor, 'checklist-notes', theme);

        // Reloaded with no network at all: the page comes from the service worker, the document from IndexedDB.
        await editor.getByRole('status', { name: 'Connection' }).filter({ hasText: 'available offline' }).waitFor({ timeout: 20_000 });
        await editor.context().setOffline(true);
        await editor.reload();
        await editor.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Offline' }).waitFor();
        await shoot(editor, 'checklist-offline', theme);
        await editor.context().setOffline(false);

        await openChecklist(phone, demoChecklists.leaseExposure.id);
        await shoot(phone, 'checklist-phone', theme);

        await openChecklist(reviewer, demoChecklists.energyContracts.id);
        await shoot(reviewer, 'checklist-reviewer', theme);
      }

      if (want('import')) {
        await editor.goto(`/checklists/${demoChecklists.energyContracts.id}/import`);
        await editor.getByLabel('Request list').setInputFiles({ name: 'energy-requests.csv', mimeType: 'text/csv', buffer: Buffer.from(sampleCsv) });
        await editor.getByRole('button', { name: 'Preview' }).click();
        await editor.getByRole('status', { name: 'Import summary' }).waitFor();
        await shoot(editor, 'import-preview', theme, true);
      }

      if (want('history')) {
        // History: the editor names a version, edits through the page, then the version list, a diff with now and the
        // deal's activity (what the audit writer recorded of those edits).
        // Staged once, in the first theme: the other theme shows the same versions, diff and activity.
        const historyUrl = `/checklists/${demoChecklists.siteRetrofits.id}/history`;
        if (!historyStaged) {
          historyStaged = true;
          await editor.goto(historyUrl);
          await editor.getByRole('textbox', { name: 'Version name' }).fill('Data room cut-off, 28 November');
          await editor.getByRole('button', { name: 'Save version' }).click();
          await editor.getByRole('status').filter({ hasText: 'Saved the version' }).waitFor();
          await openChecklist(editor, demoChecklists.siteRetrofits.id);
          const statusItem = 'Reconcile contracted vs deliverable MW per site';
          const status = editor.getByRole('combobox', { name: `Status of ${statusItem}` });
          await status.selectOption((await status.inputValue()) === 'blocked' ? 'needs_review' : 'blocked');
          await editor.getByRole('button', { name: `Notes for ${noteItem}` }).click();
          const historyNotes = editor.getByRole('textbox', { name: `Notes of ${noteItem}` });
          await historyNotes.click();
          await editor.keyboard.press('Control+End');
          await historyNotes.pressSequentially(' The utility now expects energization on 14 March.');
          // The audit writer records a run of typing once the person pauses: reload until the activity has it.
          for (let attempt = 0; attempt < 30; attempt += 1) {
            await editor.goto(historyUrl);
            if ((await editor.getByRole('region', { name: 'Activity' }).getByText('edited the notes').count()) > 0) break;
            await editor.waitForTimeout(1000);
          }
        }
        await editor.goto(historyUrl);
        await shoot(editor, 'history-versions', theme, true);
        await editor.getByRole('link', { name: 'Compare Data room cut-off, 28 November with now' }).first().click();
        await editor.getByRole('region', { name: 'Changes' }).getByRole('article').first().waitFor();
        await editor.getByRole('region', { name: 'Changes' }).scrollIntoViewIfNeeded();
        await shoot(editor, 'history-diff', theme);
        await owner.goto(`/deals/${demoDeal.id}/activity`);
        await shoot(owner, 'activity', theme, true);
      }

      if (want('grid')) {
        // The grid: one line per item, a range selected, grouped by section. On a window wide enough for all its
        // columns (the grid page uses up to 100rem): at 1280 px "Last change" would be scrolled out of sight.
        await editor.setViewportSize({ width: 1600, height: 900 });
        await editor.goto(`/checklists/${demoChecklists.siteRetrofits.id}/grid`);
        await editor.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor({ timeout: 20_000 });
        await editor.locator('[role="gridcell"][data-column="status"]').nth(1).click();
        await editor.keyboard.press('Shift+ArrowDown');
        await editor.keyboard.press('Shift+ArrowRight');
        await shoot(editor, 'checklist-grid', theme);
        await editor.setViewportSize({ width: 1280, height: 860 });
      }

      if (want('files')) {
        // Evidence files on an item, a PDF preview, search across deals.
        await openChecklist(editor, demoChecklists.siteRetrofits.id);
        await shootFilesAndSearch(editor, noteItem, (page, name) => shoot(page, name, theme));
      }

      if (want('reviews')) {
        // Reviews: a thread on words of the notes, the comment panel, the inbox of the person mentioned.
        await openChecklist(editor, demoChecklists.siteRetrofits.id);
        await openChecklist(reviewer, demoChecklists.siteRetrofits.id);
        await shootReviews(reviewer, editor, noteItem, (page, name) => shoot(page, name, theme));
      }

      for (const page of [owner, editor, phone, reviewer]) await page.context().close();
    }
  } finally {
    await browser?.close();
    app.kill('SIGTERM');
    await new Promise((resolve) => app.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
