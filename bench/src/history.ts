/*
 * History storage and speed (issue 12):
 *
 *   npm run bench:history -w @tieout/bench [-- --edits=1000 --runs=30 --write-docs]
 *
 * 1. The seeded deal (embedded PGlite, the demo seed), a collaboration server with the default extensions (projection,
 *    audit writer, version recorder), and a realistic editing session through it: three stock y-websocket clients on
 *    the deal's checklists type notes word by word, change statuses, risks, owners and due dates, add and delete items
 *    and set figures. Then: audit rows written per 1,000 edits, and bytes per version (a version of each checklist
 *    recorded after the session) next to the update-log bytes the session added.
 * 2. A checklist of 500 items (titles, fields, figures, notes) with 40 versions, 10 items changed between each: the
 *    server's time to list its versions and to diff two versions (read both states, diffChecklists), as a member.
 * Numbers go to docs/benchmarks.md ("History") with --write-docs.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { signAccessToken } from '@tieout/auth';
import { getVersion, listVersions, migrate, openDatabase, recordVersion, storeInitialDocument, type Database } from '@tieout/db';
import { demoChecklists, demoDeal, demoUsers, userClaims } from '@tieout/db/testing';
import {
  addItem,
  addSection,
  deleteItem,
  diffChecklists,
  itemNotes,
  itemsOf,
  readChecklist,
  setFigure,
  stateToDoc,
  updateItem,
} from '@tieout/doc-model';
import { attachCollabServer, defaultExtensions } from '@tieout/server';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { cpuPressure, machineInfo } from './machine.ts';
import { percentile } from './stats.ts';

const { values } = parseArgs({ options: { edits: { type: 'string' }, runs: { type: 'string' }, 'write-docs': { type: 'boolean' } } });
const EDITS = Number(values.edits ?? 1000);
const RUNS = Number(values.runs ?? 30);
const LIST_ITEMS = 500;
const VERSIONS = 40;
const TARGET_MS = 300;
const secret = randomBytes(32).toString('base64url');

const db: Database = await openDatabase({ dataDir: 'memory://' });
await migrate(db, { seedIfFresh: true });
const httpServer = createServer();
const collab = attachCollabServer(httpServer, {
  db,
  auth: { jwtSecret: secret },
  logger: pino({ level: 'silent' }),
  // Versions are recorded explicitly after the session (one per checklist), not by the quiet timer.
  extensions: defaultExtensions({ db, versions: { quietMs: 3_600_000, maxIntervalMs: 3_600_000 } }),
});
await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
const url = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/collab`;
// Every client this run opens, closed at the end however it ends: a provider's awareness keeps an interval timer
// running until its document is destroyed (provider.destroy() alone leaves it, and the process never exited).
const opened: { doc: Y.Doc; provider: WebsocketProvider }[] = [];
const closeClient = (client: { doc: Y.Doc; provider: WebsocketProvider }) => {
  client.provider.destroy();
  client.doc.destroy();
};

async function connect(user: { id: string; email: string }, checklistId: string) {
  const doc = new Y.Doc();
  const { token } = await signAccessToken({ id: user.id, email: user.email }, { jwtSecret: secret });
  const provider = new WebsocketProvider(url, checklistId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  opened.push({ doc, provider });
  await new Promise<void>((resolve) => (provider.synced ? resolve() : provider.once('sync', () => resolve())));
  return { doc, provider };
}

const scalar = async (text: string, params: unknown[] = []) => Number((await db.ownerQuery<{ n: unknown }>(text, params)).rows[0]!.n);
const dealChecklists = [demoChecklists.siteRetrofits.id, demoChecklists.energyContracts.id, demoChecklists.leaseExposure.id];
const editors = [demoUsers.editor, demoUsers.editor2, demoUsers.owner];

try {
  // 1. A realistic session on the seeded deal.
  const logBefore = await scalar(`select coalesce(sum(octet_length(update)), 0) as n from public.document_updates`);
  const auditBefore = await scalar(`select count(*) as n from public.audit_trail where deal_id = $1`, [demoDeal.id]);
  const clients = await Promise.all(editors.map((user, index) => connect(user, dealChecklists[index % dealChecklists.length]!)));
  const words =
    'Per the utility letter of 30 October the first 120 MW energize in Q3 with the balance subject to the substation upgrade and the queue study'.split(
      ' ',
    );
  const statuses = ['not_started', 'in_progress', 'needs_review', 'blocked'] as const;
  const risks = ['low', 'medium', 'high', 'critical'] as const;
  let edits = 0;
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const typing = new Map<number, { itemId: string; text: Y.XmlText; word: number }>();
  while (edits < EDITS) {
    for (const [index, client] of clients.entries()) {
      const items = readChecklist(client.doc).sections.flatMap((section) => section.items);
      const sections = readChecklist(client.doc).sections;
      const item = items[Math.floor(random() * items.length)]!;
      const roll = random();
      if (roll < 0.55) {
        // Typing a sentence into one item's notes, a word per edit.
        let state = typing.get(index);
        if (!state || state.word >= words.length || !itemsOf(client.doc).has(state.itemId)) {
          const paragraph = new Y.XmlElement('paragraph');
          const text = new Y.XmlText('');
          paragraph.insert(0, [text]);
          itemNotes(client.doc, item.id).push([paragraph]);
          state = { itemId: item.id, text, word: 0 };
          typing.set(index, state);
        }
        state.text.insert(state.text.length, `${state.word === 0 ? '' : ' '}${words[state.word]}`);
        state.word += 1;
      } else if (roll < 0.75) updateItem(client.doc, item.id, { status: statuses[Math.floor(random() * statuses.length)]! });
      else if (roll < 0.82) updateItem(client.doc, item.id, { risk: risks[Math.floor(random() * risks.length)]! });
      else if (roll < 0.87) updateItem(client.doc, item.id, { ownerId: editors[Math.floor(random() * editors.length)]!.id });
      else if (roll < 0.91) updateItem(client.doc, item.id, { dueDate: `2027-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}` });
      else if (roll < 0.95) {
        const existing = item.figures.find((figure) => figure.label === 'Contracted MW');
        setFigure(client.doc, item.id, { id: existing?.id, kind: 'mw', label: 'Contracted MW', value: Math.round(random() * 300) });
      } else if (roll < 0.98)
        addItem(client.doc, { sectionId: sections[Math.floor(random() * sections.length)]!.id, title: `Follow-up request ${edits}` });
      else deleteItem(client.doc, item.id);
      edits += 1;
    }
    // About 20 edits a second per person: a fast typist's word rate, and windows that batch as they do in use.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Everything written and audited: the queues drain, then the audit writer's runs (they follow each write).
  await collab.flush();
  let stable = -1;
  for (let count = await scalar(`select count(*) as n from public.audit_trail where deal_id = $1`, [demoDeal.id]); count !== stable;) {
    stable = count;
    await new Promise((resolve) => setTimeout(resolve, 500));
    count = await scalar(`select count(*) as n from public.audit_trail where deal_id = $1`, [demoDeal.id]);
  }
  const auditRows = stable - auditBefore;
  const logBytes = (await scalar(`select coalesce(sum(octet_length(update)), 0) as n from public.document_updates`)) - logBefore;
  const versionBytes: number[] = [];
  for (const checklistId of dealChecklists) {
    const version = await recordVersion(db, { checklistId, kind: 'auto' });
    if (version) versionBytes.push(version.bytes);
  }
  for (const client of clients) closeClient(client);
  const perVersion = versionBytes.reduce((sum, bytes) => sum + bytes, 0) / Math.max(1, versionBytes.length);
  console.log(
    `${edits} edits: ${auditRows} audit rows (${((auditRows / edits) * 1000).toFixed(0)} per 1,000 edits), log +${logBytes} B, ${perVersion.toFixed(0)} B per version`,
  );

  // 2. Version list and diff of a 500-item checklist.
  const { rows: deals } = await db.ownerQuery<{ workspace_id: string; workstream_id: string }>(
    `select c.workspace_id, c.workstream_id from public.checklists c where c.id = $1`,
    [demoChecklists.siteRetrofits.id],
  );
  const { rows: created } = await db.ownerQuery<{ id: string }>(
    `insert into public.checklists (workspace_id, deal_id, workstream_id, title, created_by) values ($1, $2, $3, 'History bench (500 items)', null) returning id`,
    [deals[0]!.workspace_id, demoDeal.id, deals[0]!.workstream_id],
  );
  const bigId = created[0]!.id;
  const big = new Y.Doc();
  const sectionIds = Array.from({ length: 10 }, (_, index) => addSection(big, { title: `Section ${index + 1}` }));
  const itemIds: string[] = [];
  for (let index = 0; index < LIST_ITEMS; index += 1) {
    itemIds.push(
      addItem(big, {
        sectionId: sectionIds[index % sectionIds.length]!,
        title: `Request ${index + 1}: confirm the interconnection and lease terms for site ${index % 37}`,
        status: statuses[index % statuses.length],
        figures: [{ kind: 'mw', label: 'Contracted', value: index }],
        notes: [`Notes for request ${index + 1}. ${words.join(' ')}.`],
      }),
    );
  }
  await db.asUser(userClaims(demoUsers.owner), (sql) =>
    storeInitialDocument(sql, { checklistId: bigId, workspaceId: deals[0]!.workspace_id, state: Y.encodeStateAsUpdate(big) }),
  );
  const owner = userClaims(demoUsers.owner);
  const live = await connect(demoUsers.owner, bigId);
  for (let version = 0; version < VERSIONS; version += 1) {
    for (let change = 0; change < 10; change += 1) {
      const id = itemIds[(version * 10 + change) % itemIds.length]!;
      updateItem(live.doc, id, { status: statuses[(version + change) % statuses.length]!, risk: risks[version % risks.length]! });
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
    await collab.flush();
    await recordVersion(db, { checklistId: bigId, kind: 'named', name: `Round ${version + 1}`, createdBy: demoUsers.owner.id });
  }
  closeClient(live);
  const versions = await listVersions(db, owner, bigId);
  const timed = async (work: () => Promise<unknown>) => {
    const samples: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      await work();
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    return { median: percentile(samples, 50), p95: percentile(samples, 95) };
  };
  const list = await timed(() => listVersions(db, owner, bigId));
  const [newest, oldest] = [versions[0]!, versions.at(-1)!];
  let changedItems = 0;
  const diff = await timed(async () => {
    const [a, b] = await Promise.all([getVersion(db, owner, bigId, oldest.id), getVersion(db, owner, bigId, newest.id)]);
    const before = stateToDoc(a!.state);
    const after = stateToDoc(b!.state);
    changedItems = diffChecklists(before, after).items.length;
    before.destroy();
    after.destroy();
  });
  const bigVersionBytes = newest.bytes;
  console.log(
    `500 items, ${versions.length} versions: list median ${list.median.toFixed(1)} ms p95 ${list.p95.toFixed(1)} ms; diff median ${diff.median.toFixed(1)} ms p95 ${diff.p95.toFixed(1)} ms (${changedItems} items differ)`,
  );

  const machine = machineInfo();
  const pressure = cpuPressure();
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const verdict = (value: number) => (value <= TARGET_MS ? `met (≤ ${TARGET_MS} ms)` : `**missed** (target ≤ ${TARGET_MS} ms)`);
  const section = `## History

\`npm run bench:history -w @tieout/bench\` (bench/src/history.ts) on embedded PGlite, ${new Date().toISOString().slice(0, 10)},
${machine.cpuModel} (${machine.cores} cores), Node ${machine.node}${pressure !== null ? `, CPU pressure ${(pressure * 100).toFixed(0)}% at the end (other work on the machine)` : ''}.

Storage after a realistic editing session on the seeded deal: ${edits.toLocaleString('en-US')} edits by three people through a
collaboration server with the default extensions, about 20 edits a second each (55% typing notes word by word, the
rest statuses, risks, owners, due dates, figures, new and deleted items).

| what | value |
| --- | --- |
| audit rows per 1,000 edits | ${((auditRows / edits) * 1000).toFixed(0)} (${auditRows.toLocaleString('en-US')} rows; a person's consecutive changes of one field within an after-persist run are one row, and a run of typing in one item's notes is one row) |
| update-log bytes the session added | ${(logBytes / 1024).toFixed(1)} KiB |
| bytes per version (seeded checklists after the session, full state) | ${(perVersion / 1024).toFixed(1)} KiB |
| bytes per version, 500-item checklist with notes and figures | ${(bigVersionBytes / 1024).toFixed(1)} KiB |

Speed on a checklist of ${LIST_ITEMS} items with ${versions.length} versions (as a member, ${RUNS} runs):

| what | median | p95 | goal |
| --- | --- | --- | --- |
| list the versions (listVersions: no state bytes) | ${ms(list.median)} | ${ms(list.p95)} | ${verdict(list.p95)} |
| diff the oldest and the newest version (read both states, diffChecklists; ${changedItems} items differ) | ${ms(diff.median)} | ${ms(diff.p95)} | ${verdict(diff.p95)} |

The after-persist CPU share of the audit writer and the other extensions in the latency benchmark (issue 12's "at
most 10%") is not measured here; the server comparison above runs with the default extensions installed.
`;
  console.log(`\n${section}`);
  if (values['write-docs']) {
    const path = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
    const existing = await readFile(path, 'utf8');
    const heading = '## History';
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
  for (const client of opened) closeClient(client);
  await collab.close().catch(() => {});
  httpServer.close();
  await db.close();
}
