/*
 * Writes a deal's status report from the command line: the same HTML and the same PDF as the app's
 * /deals/:id/report and /deals/:id/report.pdf, read as the named member (their RLS, their view).
 *
 *   npm run report -w @tieout/reports -- --deal <deal id> --as <member email> --out report.pdf [--html report.html] [--today YYYY-MM-DD]
 *
 * Database: DATABASE_URL, else the embedded PGlite files at PGLITE_DATA_DIR (default: the app's .data/pglite at the
 * repository root; stop `npm start` first, PGlite allows one process). Chromium: /usr/bin/chromium or CHROMIUM_PATH.
 */
/* eslint-disable no-console -- a command-line tool: its output is for the person who ran it, not a log */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DashboardError, getDealReport, openDatabase, recordDealExport } from '@tieout/db';
import { isoDay, todayIso } from '@tieout/doc-model';
import { closePdfBrowser, dealReportHtml, htmlToPdf } from './index.ts';

const usage =
  'usage: npm run report -w @tieout/reports -- --deal <deal id> --as <member email> --out report.pdf [--html report.html] [--today YYYY-MM-DD]';

const { values } = parseArgs({
  options: {
    deal: { type: 'string' },
    as: { type: 'string' },
    out: { type: 'string' },
    html: { type: 'string' },
    today: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (!values.deal || !values.as || (!values.out && !values.html)) {
  console.error(usage);
  process.exit(2);
}
if (values.today && !isoDay.safeParse(values.today).success) {
  console.error(`--today: use a date like 2026-12-31 (got ${values.today})`);
  process.exit(2);
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const db = await openDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.PGLITE_DATA_DIR ?? `${repoRoot}.data/pglite` });
try {
  const { rows } = await db.ownerQuery<{ id: string; email: string }>(`select id, email from auth.users where lower(email) = lower($1)`, [values.as]);
  const user = rows[0];
  if (!user) throw new DashboardError('not_found', `No user with the email ${values.as}`);
  const claims = { sub: user.id, role: 'authenticated', email: user.email };
  const report = await getDealReport(db, claims, values.deal, values.today ?? todayIso());
  const html = dealReportHtml(report);
  if (values.html) {
    await writeFile(values.html, html);
    console.log(`wrote ${values.html}`);
  }
  if (values.out) {
    await writeFile(values.out, await htmlToPdf(html));
    console.log(`wrote ${values.out} (${report.items.length} items of ${report.dashboard.scope.deal?.name})`);
  }
  await recordDealExport(db, claims, {
    workspaceId: report.dashboard.scope.workspace.id,
    dealId: values.deal,
    format: values.out ? 'pdf' : 'html',
    items: report.items.length,
  });
} catch (error) {
  if (error instanceof DashboardError) {
    console.error(error.message);
    process.exitCode = 1;
  } else throw error;
} finally {
  await closePdfBrowser();
  await db.close();
}
