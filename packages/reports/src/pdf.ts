import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/*
 * The status report as PDF: the same HTML page printed by headless Chromium (Debian's /usr/bin/chromium, or
 * CHROMIUM_PATH; never a downloaded browser). One browser per process, started on first use; each PDF gets its
 * own page, which loads nothing from the network (the report is self-contained).
 */

export class PdfError extends Error {
  override name = 'PdfError';
}

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new PdfError(`No Chromium at ${path}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  return path;
}

let browser: Promise<Browser> | null = null;

function shared(): Promise<Browser> {
  browser ??= chromium
    .launch({
      executablePath: chromiumPath(),
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    .then((started) => {
      started.on('disconnected', () => {
        browser = null;
      });
      return started;
    })
    .catch((error: unknown) => {
      browser = null;
      throw error;
    });
  return browser;
}

/** Prints `html` to an A4 PDF (the page's own @page rules and colours apply). */
export async function htmlToPdf(html: string): Promise<Buffer> {
  const context = await (await shared()).newContext({ javaScriptEnabled: false, offline: true });
  try {
    const page = await context.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await context.close();
  }
}

/** Closes the shared browser (tests, the command line). */
export async function closePdfBrowser(): Promise<void> {
  const current = browser;
  browser = null;
  if (current) await (await current).close().catch(() => undefined);
}
