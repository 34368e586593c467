/*
 * Reviews under load (issue 13):
 *
 *   npm run bench:reviews -w @tieout/bench [-- --database-url=postgres://... --runs=30 --comments=200 --write-docs]
 *
 * 1. A checklist of 500 items and 2,000 comments (500 threads of 4, a third anchored to notes, a fifth mentioning
 *    someone): the server's time to answer the comment panel's read (GET /checklists/:id/review: access check,
 *    threads with comments and mentions, review states, setting, sign-offs, as the signed-in member).
 * 2. Comment delivery while 100 stock y-websocket clients edit the checklist (one edit per client per second, in a
 *    separate process, through a collaboration server with the default extensions): from the start of a comment's
 *    write to another member holding it, i.e. its `comments` live notice heard by a subscriber (as the app's /live
 *    stream hears it) and the panel's read, as that member, returning it. The SSE hop to the browser is not in it.
 * Numbers go to docs/benchmarks.md ("Reviews") with --write-docs.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { signAccessToken } from '@tieout/auth';
import {
  checklistAccess,
  createThread,
  getReviewSettings,
  listChecklistThreads,
  listReviewStates,
  listSignoffs,
  migrate,
  openDatabase,
  replyToThread,
  storeInitialDocument,
  subscribeLiveEvents,
  writeProjection,
  type Database,
  type JwtClaims,
} from '@tieout/db';
import { addItem, addSection } from '@tieout/doc-model';
import { attachCollabServer, defaultExtensions } from '@tieout/server';
import * as Y from 'yjs';
import { cpuPressure, machineInfo } from './machine.ts';
import { percentile } from './stats.ts';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    runs: { type: 'string' },
    comments: { type: 'string' },
    clients: { type: 'string' },
    'write-docs': { type: 'boolean' },
  },
});
const runs = Number(values.runs ?? 30);
const deliveries = Number(values.comments ?? 200);
const CLIENTS = Number(values.clients ?? 100);
const ITEMS = 500;
const THREADS = 500;
const PER_THREAD = 4;
const TARGETS = { panel: 100, delivery: 1_000 };
const JWT_SECRET = randomUUID() + randomUUID();

async function user(db: Database, name: string): Promise<JwtClaims & { id: string }> {
  const id = randomUUID();
  const email = `${name}-${id.slice(0, 6)}@bench.test`;
  await db.ownerQuery(`insert into auth.users (id, email) values ($1, $2)`, [id, email]);
  return { id, sub: id, role: 'authenticated', email };
}

async function time(what: string, work: () => Promise<unknown>) {
  for (let warm = 0; warm < 3; warm += 1) await work();
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const result = { median: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) };
  console.log(`${what}: median ${result.median.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms`);
  return result;
}

const db = await openDatabase({ url: values['database-url'] ?? process.env.DATABASE_URL, poolSize: 8 });
const httpServer = createServer();
let collab: ReturnType<typeof attachCollabServer> | null = null;
try {
  await migrate(db, { seedIfFresh: false });
  const owner = await user(db, 'owner');
  const reviewer = await user(db, 'reviewer');
  const editors = await Promise.all(Array.from({ length: 5 }, (_, n) => user(db, `editor${n}`)));
  const ids = { workspace: randomUUID(), deal: randomUUID(), workstream: randomUUID(), checklist: randomUUID() };
  await db.asService(async (sql) => {
    await sql.query(`insert into public.workspaces (id, name, created_by) values ($1, 'Bench reviews', null)`, [ids.workspace]);
    for (const [member, role] of [[owner, 'owner'], [reviewer, 'reviewer'], ...editors.map((e) => [e, 'editor'] as const)] as const) {
      await sql.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)`, [ids.workspace, member.id, role]);
    }
    await sql.query(`insert into public.deals (id, workspace_id, name) values ($1, $2, 'Deal')`, [ids.deal, ids.workspace]);
    await sql.query(`insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'custom', 'Sites')`, [
      ids.workstream,
      ids.workspace,
      ids.deal,
    ]);
    await sql.query(`insert into public.checklists (id, workspace_id, deal_id, workstream_id, title) values ($1, $2, $3, $4, 'Reviews bench')`, [
      ids.checklist,
      ids.workspace,
      ids.deal,
      ids.workstream,
    ]);
  });
  const doc = new Y.Doc();
  const itemIds: string[] = [];
  doc.transact(() => {
    let section = addSection(doc, { title: 'Section 1' });
    for (let n = 0; n < ITEMS; n += 1) {
      if (n > 0 && n % 25 === 0) section = addSection(doc, { title: `Section ${n / 25 + 1}` });
      itemIds.push(
        addItem(doc, { sectionId: section, title: `Request ${n + 1}`, notes: [`Notes of request ${n + 1}: capacity 1.3 GW at the substation.`] }),
      );
    }
  });
  await db.asUser(owner, (sql) =>
    storeInitialDocument(sql, { checklistId: ids.checklist, workspaceId: ids.workspace, state: Y.encodeStateAsUpdate(doc) }),
  );
  await writeProjection(db, { checklistId: ids.checklist, workspaceId: ids.workspace, dealId: ids.deal }, doc, null);
  const started = performance.now();
  for (let t = 0; t < THREADS; t += 1) {
    const author = t % 2 === 0 ? reviewer : editors[t % editors.length]!;
    const anchored = t % 3 === 0;
    const { threadId } = await createThread(db, author, {
      checklistId: ids.checklist,
      itemId: itemIds[t % ITEMS]!,
      body: `Question ${t + 1}: is the figure firm?${t % 5 === 0 ? ' @Owner' : ''}`,
      mentions: t % 5 === 0 ? [owner.id] : [],
      anchor: anchored
        ? {
            start: { type: null, tname: null, item: { client: 1, clock: t }, assoc: 0 },
            end: { type: null, tname: null, item: { client: 1, clock: t + 6 }, assoc: -1 },
          }
        : null,
      quote: anchored ? '1.3 GW' : null,
    });
    for (let r = 1; r < PER_THREAD; r += 1)
      await replyToThread(db, r % 2 ? editors[(t + r) % editors.length]! : reviewer, { threadId, body: `Reply ${r} in thread ${t + 1}` });
  }
  console.log(`built ${ITEMS} items, ${THREADS * PER_THREAD} comments (${((performance.now() - started) / 1000).toFixed(1)} s)`);

  // The comment panel's read, as the review route's loader does it.
  const panelRead = () =>
    Promise.all([
      checklistAccess(db, owner, ids.checklist),
      listChecklistThreads(db, owner, ids.checklist),
      listReviewStates(db, owner, ids.checklist),
      getReviewSettings(db, owner, ids.checklist),
      listSignoffs(db, owner, ids.checklist),
    ]);
  const [, threads] = await panelRead();
  if (threads.reduce((sum, thread) => sum + thread.comments.length, 0) !== THREADS * PER_THREAD) throw new Error('the panel read misses comments');
  const panel = await time(`comment panel read (${ITEMS} items, ${THREADS * PER_THREAD} comments)`, panelRead);
  const threadsBytes = Buffer.byteLength(JSON.stringify(threads));

  // 100 editing clients through a collaboration server with the default extensions.
  collab = attachCollabServer(httpServer, { db, auth: { jwtSecret: JWT_SECRET }, extensions: defaultExtensions({ db }) });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/collab`;
  const tokens = await Promise.all(
    Array.from(
      { length: CLIENTS },
      async (_, n) =>
        (await signAccessToken({ id: editors[n % editors.length]!.id, email: editors[n % editors.length]!.email! }, { jwtSecret: JWT_SECRET })).token,
    ),
  );
  const load = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./reviews-editors.ts', import.meta.url))], {
    env: { ...process.env, REVIEWS_BENCH: JSON.stringify({ url, checklistId: ids.checklist, tokens, itemIds: itemIds.slice(0, 100) }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let editCount = '';
  await new Promise<void>((resolve, reject) => {
    load.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (text.includes('ready')) resolve();
      const match = /edits (\d+)/.exec(text);
      if (match) editCount = match[1]!;
    });
    load.once('exit', (code) => reject(new Error(`the editing clients exited (${code})`)));
  });
  console.log(`${CLIENTS} clients editing`);

  // Delivery: write a comment as the reviewer; the owner's side hears the notice and re-reads until it is there.
  const waiting = new Map<string, () => void>();
  const subscription = await subscribeLiveEvents(db, (event) => {
    if (event.topic !== 'comments' || event.checklistId !== ids.checklist) return;
    for (const wake of waiting.values()) wake();
  });
  const delivery: number[] = [];
  for (let n = 0; n < deliveries; n += 1) {
    const body = `Delivery probe ${n} ${randomUUID()}`;
    const start = performance.now();
    const seen = new Promise<void>((resolve) => {
      let reading = false;
      let again = false;
      const check = async () => {
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        do {
          again = false;
          const read = await listChecklistThreads(db, owner, ids.checklist);
          if (read.some((thread) => thread.comments.some((comment) => comment.body === body))) {
            waiting.delete(body);
            resolve();
            return;
          }
        } while (again);
        reading = false;
      };
      waiting.set(body, () => void check());
    });
    await createThread(db, reviewer, { checklistId: ids.checklist, itemId: itemIds[n % ITEMS]!, body });
    await seen;
    delivery.push(performance.now() - start);
  }
  delivery.sort((a, b) => a - b);
  const deliveryStats = { median: percentile(delivery, 50), p95: percentile(delivery, 95), p99: percentile(delivery, 99) };
  console.log(`comment delivery while ${CLIENTS} clients edit: median ${deliveryStats.median.toFixed(0)} ms, p99 ${deliveryStats.p99.toFixed(0)} ms`);
  await subscription.close();
  load.kill('SIGTERM');
  await new Promise((resolve) => load.once('exit', resolve));

  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const verdict = (value: number, target: number) =>
    value <= target ? `met (≤ ${target.toLocaleString('en-US')} ms)` : `**missed** (target ≤ ${target.toLocaleString('en-US')} ms)`;
  const machine = machineInfo();
  const pressure = cpuPressure();
  const section = `## Reviews

\`npm run bench:reviews -w @tieout/bench\` (bench/src/reviews.ts) on ${db.kind === 'pglite' ? 'embedded PGlite' : 'Postgres'}, ${new Date().toISOString().slice(0, 10)},
${machine.cpuModel} (${machine.cores} cores), Node ${machine.node}${pressure !== null ? `, CPU pressure ${(pressure * 100).toFixed(0)}% at the end (other work on the machine)` : ''}.
A checklist of ${ITEMS} items and ${(THREADS * PER_THREAD).toLocaleString('en-US')} comments (${THREADS} threads of ${PER_THREAD}; a third anchored to notes, a fifth with a mention).

| what | median | p95 | p99 | goal |
| --- | --- | --- | --- | --- |
| comment panel read (GET /checklists/:id/review: access, threads with comments and mentions, review states, setting, sign-offs; ${runs} runs; ${(threadsBytes / 1024).toFixed(0)} KB of threads) | ${ms(panel.median)} | ${ms(panel.p95)} | ${ms(panel.p99)} | ${verdict(panel.p95, TARGETS.panel)} |
| comment delivery while ${CLIENTS} stock clients edit (${deliveries} comments${editCount ? `, ${Number(editCount).toLocaleString('en-US')} edits meanwhile` : ''}) | ${ms(deliveryStats.median)} | ${ms(deliveryStats.p95)} | ${ms(deliveryStats.p99)} | ${verdict(deliveryStats.p99, TARGETS.delivery)} |

Delivery is measured from the start of the comment's write to another member's read returning it: the write commits,
its \`comments\` notice reaches a subscriber of \`tieout_live\` (as the app's \`/live\` stream subscribes), and the comment
panel's read as that member has it (decision 130). The last hop, the Server-Sent Event to the browser and the browser's
request, is not in the number.
`;
  console.log(`\n${section}`);
  if (values['write-docs']) {
    const path = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
    const existing = await readFile(path, 'utf8');
    const heading = '## Reviews';
    const at = existing.indexOf(`\n${heading}\n`);
    let updated: string;
    if (at === -1) updated = `${existing.trimEnd()}\n\n${section}`;
    else {
      const start = at + 1;
      const end = existing.indexOf('\n## ', start + heading.length);
      updated = `${existing.slice(0, start)}${section}${end === -1 ? '' : `\n${existing.slice(end + 1)}`}`;
    }
    await writeFile(path, updated.endsWith('\n') ? updated : `${updated}\n`);
    console.log(`wrote ${path}`);
  }
} finally {
  await collab?.close().catch(() => {});
  httpServer.close();
  await db.close();
}
