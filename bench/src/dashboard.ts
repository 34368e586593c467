/*
 * The managers' numbers under load (issue 14, and issue 10's "one large checklist slows every workspace"):
 *
 *   npm run bench:dashboard -w @tieout/bench [-- --database-url=postgres://... --runs=30 --write-docs]
 *
 * A workspace of 20 deals and 5,000 items: the dashboard's loader (workspace and deal), the item list with
 * filters and a deal's XLSX export, each timed as the app calls them (the packages/db reads as the signed-in
 * member, plus building the workbook). Then a 30,000-item checklist is added to ANOTHER workspace and the home
 * page and dashboard of the first are timed again: pre-aggregated counts and indexes that start with the tenant
 * keep them where they were. Numbers go to docs/benchmarks.md ("Managers' dashboard") with --write-docs.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  getDashboard,
  getDealReport,
  listItems,
  listWorkspacesWithDeals,
  migrate,
  openDatabase,
  parseItemFilter,
  writeProjection,
  type Database,
  type JwtClaims,
} from '@tieout/db';
import { addItem, addSection, ITEM_STATUSES, RISK_LEVELS, todayIso, type ItemStatus } from '@tieout/doc-model';
import { dealXlsx } from '@tieout/reports';
import * as Y from 'yjs';
import { cpuPressure, machineInfo } from './machine.ts';
import { percentile } from './stats.ts';

const { values } = parseArgs({
  options: { 'database-url': { type: 'string' }, runs: { type: 'string' }, 'write-docs': { type: 'boolean' }, 'big-items': { type: 'string' } },
});
const runs = Number(values.runs ?? 30);
const bigItems = Number(values['big-items'] ?? 30_000);
const DEALS = 20;
const WORKSTREAMS = ['Site retrofits', 'Energy contracts', 'Lease exposure'] as const;
const ITEMS = 5_000;
const TARGETS = { dashboard: 150, items: 100, xlsx: 2_000 };

/** A deterministic pseudo-random sequence (mulberry32), so every run builds the same data. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function user(db: Database, name: string): Promise<JwtClaims> {
  const id = randomUUID();
  const email = `${name}-${id.slice(0, 6)}@bench.test`;
  await db.ownerQuery(`insert into auth.users (id, email) values ($1, $2)`, [id, email]);
  return { sub: id, role: 'authenticated', email };
}

async function workspace(db: Database, name: string, members: JwtClaims[]): Promise<string> {
  const id = randomUUID();
  await db.asService(async (sql) => {
    await sql.query(`insert into public.workspaces (id, name, created_by) values ($1, $2, null)`, [id, name]);
    for (const [index, member] of members.entries()) {
      await sql.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)`, [
        id,
        member.sub,
        index === 0 ? 'owner' : 'editor',
      ]);
    }
  });
  return id;
}

/** A checklist of `count` items with statuses, owners, risks, due dates and some figures, projected as the server would. */
async function checklist(
  db: Database,
  target: { workspaceId: string; dealId: string; workstreamId: string },
  title: string,
  count: number,
  owners: string[],
  next: () => number,
): Promise<string> {
  const id = randomUUID();
  await db.asService((sql) =>
    sql.query(`insert into public.checklists (id, workspace_id, deal_id, workstream_id, title) values ($1, $2, $3, $4, $5)`, [
      id,
      target.workspaceId,
      target.dealId,
      target.workstreamId,
      title,
    ]),
  );
  const doc = new Y.Doc();
  const today = todayIso();
  // Sections of 25 items, each built in a document of its own and merged: the doc model's sibling lookups then
  // stay within 25 items, so a 30,000-item checklist builds in seconds.
  for (let start = 0; start < count; start += 25) {
    const part = new Y.Doc();
    part.transact(() => {
      const section = addSection(part, { title: `Section ${start / 25 + 1}` });
      for (let n = start; n < Math.min(count, start + 25); n += 1) {
        const due = new Date(Date.parse(`${today}T00:00:00Z`) + Math.round((next() - 0.4) * 60) * 86_400_000).toISOString().slice(0, 10);
        addItem(part, {
          sectionId: section,
          title: `${title} request ${n + 1}`,
          status: ITEM_STATUSES[Math.floor(next() * ITEM_STATUSES.length)] as ItemStatus,
          ownerId: next() < 0.9 ? owners[Math.floor(next() * owners.length)]! : null,
          risk: next() < 0.85 ? RISK_LEVELS[Math.floor(next() * RISK_LEVELS.length)]! : null,
          dueDate: next() < 0.8 ? due : null,
          figures:
            next() < 0.1
              ? [
                  { kind: 'mw', label: 'Deliverable MW today', value: Math.round(next() * 100) },
                  { kind: 'usd', label: 'Take-or-pay exposure', value: Math.round(next() * 1e7) },
                ]
              : [],
        });
      }
    });
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(part));
    part.destroy();
  }
  await writeProjection(db, { checklistId: id, ...target }, doc, null);
  doc.destroy();
  return id;
}

async function time(what: string, work: () => Promise<unknown>): Promise<{ what: string; median: number; p95: number; runs: number }> {
  for (let warm = 0; warm < 3; warm += 1) await work();
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const result = { what, median: percentile(samples, 50), p95: percentile(samples, 95), runs };
  console.log(`${what}: median ${result.median.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms`);
  return result;
}

const db = await openDatabase({ url: values['database-url'] ?? process.env.DATABASE_URL, poolSize: 4 });
try {
  await migrate(db, { seedIfFresh: false });
  const next = random(14);
  const manager = await user(db, 'manager');
  const team = [manager, ...(await Promise.all([1, 2, 3, 4, 5].map((n) => user(db, `analyst${n}`))))];
  const benchWorkspace = await workspace(db, 'Bench capital', team);
  const other = await user(db, 'other-owner');
  const otherWorkspace = await workspace(db, 'Other fund', [other]);
  // A small third workspace: "another workspace's home page" while the big checklist lands elsewhere.
  const neighbour = await user(db, 'neighbour');
  const neighbourWorkspace = await workspace(db, 'Neighbour', [neighbour]);

  const started = performance.now();
  const dealIds: string[] = [];
  const perChecklist = Math.floor(ITEMS / (DEALS * WORKSTREAMS.length));
  let made = 0;
  for (let d = 0; d < DEALS; d += 1) {
    const dealId = randomUUID();
    dealIds.push(dealId);
    await db.asService((sql) =>
      sql.query(`insert into public.deals (id, workspace_id, name) values ($1, $2, $3)`, [dealId, benchWorkspace, `Deal ${d + 1}`]),
    );
    for (const [w, name] of WORKSTREAMS.entries()) {
      const workstreamId = randomUUID();
      await db.asService((sql) =>
        sql.query(`insert into public.workstreams (id, workspace_id, deal_id, kind, name, position) values ($1, $2, $3, 'custom', $4, $5)`, [
          workstreamId,
          benchWorkspace,
          dealId,
          name,
          w,
        ]),
      );
      const last = d === DEALS - 1 && w === WORKSTREAMS.length - 1;
      const count = last ? ITEMS - made : perChecklist;
      made += count;
      await checklist(
        db,
        { workspaceId: benchWorkspace, dealId, workstreamId },
        `${name} ${d + 1}`,
        count,
        team.map((member) => member.sub),
        next,
      );
    }
  }
  const neighbourDeal = randomUUID();
  const neighbourStream = randomUUID();
  await db.asService(async (sql) => {
    await sql.query(`insert into public.deals (id, workspace_id, name) values ($1, $2, 'Neighbour deal')`, [neighbourDeal, neighbourWorkspace]);
    await sql.query(`insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'custom', 'Tax')`, [
      neighbourStream,
      neighbourWorkspace,
      neighbourDeal,
    ]);
  });
  await checklist(db, { workspaceId: neighbourWorkspace, dealId: neighbourDeal, workstreamId: neighbourStream }, 'Tax', 60, [neighbour.sub], next);
  console.log(`built ${made} items in ${DEALS} deals (${((performance.now() - started) / 1000).toFixed(1)} s)`);

  const today = todayIso();
  const filter = parseItemFilter(new URLSearchParams({ status: 'open', risk: 'high', due: 'overdue' }));
  const before = {
    dashboard: await time('workspace dashboard (20 deals, 5,000 items)', () =>
      getDashboard(db, manager, { kind: 'workspace', workspaceId: benchWorkspace }, today),
    ),
    deal: await time('deal dashboard (250 items)', () => getDashboard(db, manager, { kind: 'deal', dealId: dealIds[0]! }, today)),
    items: await time('item list, open + high risk + overdue, whole workspace', () =>
      listItems(db, manager, { kind: 'workspace', workspaceId: benchWorkspace }, filter, today, { limit: 200 }),
    ),
    itemsAll: await time('item list, no filter, first 200 of 5,000', () =>
      listItems(db, manager, { kind: 'workspace', workspaceId: benchWorkspace }, {}, today, { limit: 200 }),
    ),
    xlsx: await time('XLSX export of a deal (250 items)', async () => dealXlsx(await getDealReport(db, manager, dealIds[0]!, today))),
    home: await time('home page of the 5,000-item workspace', () => listWorkspacesWithDeals(db, manager, today)),
    neighbour: await time('home page of a small other workspace', () => listWorkspacesWithDeals(db, neighbour, today)),
  };

  // A 30,000-item checklist in yet another workspace.
  const bigDeal = randomUUID();
  const bigStream = randomUUID();
  await db.asService(async (sql) => {
    await sql.query(`insert into public.deals (id, workspace_id, name) values ($1, $2, 'Huge deal')`, [bigDeal, otherWorkspace]);
    await sql.query(`insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'custom', 'Everything')`, [
      bigStream,
      otherWorkspace,
      bigDeal,
    ]);
  });
  const bigStart = performance.now();
  await checklist(db, { workspaceId: otherWorkspace, dealId: bigDeal, workstreamId: bigStream }, 'Huge', bigItems, [other.sub], next);
  console.log(
    `added a ${bigItems.toLocaleString('en-US')}-item checklist to another workspace (${((performance.now() - bigStart) / 1000).toFixed(1)} s)`,
  );
  const after = {
    neighbour: await time('home page of the small workspace, after', () => listWorkspacesWithDeals(db, neighbour, today)),
    home: await time('home page of the 5,000-item workspace, after', () => listWorkspacesWithDeals(db, manager, today)),
    dashboard: await time('workspace dashboard, after', () => getDashboard(db, manager, { kind: 'workspace', workspaceId: benchWorkspace }, today)),
    bigHome: await time(`home page of the workspace holding the ${bigItems.toLocaleString('en-US')}-item checklist`, () =>
      listWorkspacesWithDeals(db, other, today),
    ),
  };

  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const verdict = (value: number, target: number) =>
    value <= target ? `met (≤ ${target.toLocaleString('en-US')} ms)` : `**missed** (target ≤ ${target.toLocaleString('en-US')} ms)`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const machine = machineInfo();
  const pressure = cpuPressure();
  const section = `## Managers' dashboard

\`npm run bench:dashboard -w @tieout/bench\` (bench/src/dashboard.ts) on ${db.kind === 'pglite' ? 'embedded PGlite' : 'Postgres'}, ${runs} timed runs after 3 warm-up runs each,
${new Date().toISOString().slice(0, 10)}, ${machine.cpuModel} (${machine.cores} cores), Node ${machine.node}${pressure !== null ? `, CPU pressure ${(pressure * 100).toFixed(0)}% at the end (other work on the machine)` : ''}.
A workspace of ${DEALS} deals and ${ITEMS.toLocaleString('en-US')} items (${DEALS * WORKSTREAMS.length} checklists); each time is a packages/db read as the signed-in member, as the
route's loader calls it (the export: the read and building the workbook with exceljs).

| what | median | p95 | goal |
| --- | --- | --- | --- |
| dashboard loader, workspace (${ITEMS.toLocaleString('en-US')} items) | ${ms(before.dashboard.median)} | ${ms(before.dashboard.p95)} | ${verdict(before.dashboard.p95, TARGETS.dashboard)} |
| dashboard loader, one deal | ${ms(before.deal.median)} | ${ms(before.deal.p95)} | ${verdict(before.deal.p95, TARGETS.dashboard)} |
| item list with filters (open, high risk, overdue) | ${ms(before.items.median)} | ${ms(before.items.p95)} | ${verdict(before.items.p95, TARGETS.items)} |
| item list, no filter, first 200 | ${ms(before.itemsAll.median)} | ${ms(before.itemsAll.p95)} | ${verdict(before.itemsAll.p95, TARGETS.items)} |
| XLSX export of a deal (${perChecklist * WORKSTREAMS.length} items) | ${ms(before.xlsx.median)} | ${ms(before.xlsx.p95)} | ${verdict(before.xlsx.p95, TARGETS.xlsx)} |

**A ${bigItems.toLocaleString('en-US')}-item checklist in another workspace** (issue 10): the other workspaces' pages before and after it was projected.

| page | before (median) | after (median) | after / before |
| --- | --- | --- | --- |
| home page of a small workspace | ${ms(before.neighbour.median)} | ${ms(after.neighbour.median)} | ${ratio(after.neighbour.median, before.neighbour.median)} |
| home page of the ${ITEMS.toLocaleString('en-US')}-item workspace | ${ms(before.home.median)} | ${ms(after.home.median)} | ${ratio(after.home.median, before.home.median)} |
| dashboard of the ${ITEMS.toLocaleString('en-US')}-item workspace | ${ms(before.dashboard.median)} | ${ms(after.dashboard.median)} | ${ratio(after.dashboard.median, before.dashboard.median)} |

The home page of the workspace that holds the big checklist itself: ${ms(after.bigHome.median)} median. The counts come from
\`checklist_item_counts\` (one row per checklist, status, risk and owner, kept by statement-level triggers on the projection) and
the per-item reads (overdue, figures, the list) use indexes that start with the workspace or deal, so RLS never filters
another workspace's rows (docs/decisions/140).
`;
  console.log(`\n${section}`);
  if (values['write-docs']) {
    const path = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
    const existing = await readFile(path, 'utf8');
    const heading = "## Managers' dashboard";
    const start = existing.indexOf(heading);
    let updated: string;
    if (start === -1) updated = `${existing.trimEnd()}\n\n${section}`;
    else {
      const end = existing.indexOf('\n## ', start + heading.length);
      updated = `${existing.slice(0, start)}${section}${end === -1 ? '' : `\n${existing.slice(end + 1)}`}`;
    }
    await writeFile(path, updated.endsWith('\n') ? updated : `${updated}\n`);
    console.log(`wrote ${path}`);
  }
} finally {
  await db.close();
}
