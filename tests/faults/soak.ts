/**
 * Soak: many stock y-websocket connections editing one server process for a long time (NOT part of CI).
 *   npm run soak -w @tieout/tests -- --connections 1000 --minutes 10
 * Flags: --connections N (1000), --minutes M (10), --documents D (20), --edit-interval-ms I (5000: each
 * connection edits every I ms), --sample-seconds S (10: server RSS sampling).
 * Storage: Postgres when DATABASE_URL is set (a database of its own, dropped at the end), else PGlite.
 * Each connection owns one item of its document; an edit sets its title to "<name> edit <n>", and every
 * fifth edit also adds a figure. At the end every edit a connection made must be in the stored document.
 * Prints a report and exits non-zero if anything was lost. Loopback only; stops by itself.
 */
import { availableParallelism, totalmem } from 'node:os';
// eslint-disable-next-line no-restricted-imports -- a soak runs for a set time (its subject), outside the test suites
import { setTimeout as soakFor } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { addItem, entryTitle, itemsOf, setFigure, updateItem, type Figure } from '@tieout/doc-model';
import * as Y from 'yjs';
import { connectStockClient, type StockClient } from './support/clients.ts';
import { createFaultFixture } from './support/fixture.ts';
import { freePort, readiness, startServerProcess, waitPersisted } from './support/server-process.ts';
import { createFaultStorage, loadStoredDoc } from './support/storage.ts';
import { waitFor } from './support/wait.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '1000' },
    minutes: { type: 'string', default: '10' },
    documents: { type: 'string', default: '20' },
    'edit-interval-ms': { type: 'string', default: '5000' },
    'sample-seconds': { type: 'string', default: '10' },
  },
});
const positive = (name: string, text: string) => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${text}"`);
  return value;
};
const connections = Math.floor(positive('connections', values.connections));
const durationMs = positive('minutes', values.minutes) * 60_000;
const documents = Math.min(connections, Math.floor(positive('documents', values.documents)));
const intervalMs = positive('edit-interval-ms', values['edit-interval-ms']);
const sampleMs = positive('sample-seconds', values['sample-seconds']) * 1000;
const MAX_PER_USER = 20; // the server's default connection limit per user

// Each stock provider registers a process exit handler (y-websocket): hundreds of them are expected here.
process.setMaxListeners(0);
const log = (message: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

interface Conn {
  name: string;
  documentIndex: number;
  client: StockClient;
  edits: number;
  figures: string[];
}

const storage = await createFaultStorage('soak');
let exitCode = 1;
const conns: Conn[] = [];
let server: Awaited<ReturnType<typeof startServerProcess>> | null = null;
try {
  const users = Math.ceil(connections / MAX_PER_USER);
  const fx = await storage.use((db) => createFaultFixture(db, { editors: users, checklists: documents }));
  server = await startServerProcess({ port: await freePort(), env: { ...storage.env, LOG_LEVEL: 'warn' } });
  log(
    `server pid ${server.pid} on ${storage.kind}; ${connections} connections on ${documents} documents, one edit per connection every ${intervalMs} ms, for ${durationMs / 60_000} min`,
  );

  // Connect in waves, each connection creating its own item.
  for (let start = 0; start < connections; start += 50) {
    const wave: Conn[] = [];
    for (let i = start; i < Math.min(connections, start + 50); i += 1) {
      const documentIndex = i % documents;
      const name = `c${String(i).padStart(5, '0')}`;
      const client = connectStockClient(server.url, fx.checklists[documentIndex]!.id, fx.editors[i % users]!.token, name);
      wave.push({ name, documentIndex, client, edits: 0, figures: [] });
    }
    await Promise.all(wave.map((conn) => conn.client.synced()));
    for (const conn of wave)
      addItem(conn.client.doc, { id: conn.name, sectionId: fx.checklists[conn.documentIndex]!.sectionId, title: `${conn.name} edit 0` });
    conns.push(...wave);
  }
  log(`${conns.length} connections synced`);

  const samples: { at: number; rss: number }[] = [];
  const started = Date.now();
  const sample = () => samples.push({ at: Math.round((Date.now() - started) / 1000), rss: server!.rssBytes() });
  sample();
  const sampler = setInterval(() => {
    sample();
    log(`t=${samples.at(-1)!.at}s server RSS ${mb(samples.at(-1)!.rss)}, edits ${conns.reduce((sum, conn) => sum + conn.edits, 0)}`);
  }, sampleMs);
  const timers = conns.map((conn) => {
    const edit = () => {
      conn.edits += 1;
      updateItem(conn.client.doc, conn.name, { title: `${conn.name} edit ${conn.edits}` });
      if (conn.edits % 5 === 0)
        conn.figures.push(
          setFigure(conn.client.doc, conn.name, { id: `${conn.name}-f${conn.edits}`, kind: 'mw', label: `edit ${conn.edits}`, value: conn.edits }),
        );
    };
    let interval: NodeJS.Timeout | undefined;
    const first = setTimeout(() => {
      edit();
      interval = setInterval(edit, intervalMs);
    }, Math.random() * intervalMs);
    return () => {
      clearTimeout(first);
      clearInterval(interval);
    };
  });
  await soakFor(durationMs); // a soak runs for a chosen duration: the one wait on time, and no test asserts anything on it
  for (const stop of timers) stop();
  clearInterval(sampler);
  sample();
  const editsMade = conns.reduce((sum, conn) => sum + conn.edits + 1, 0);
  log(`editing stopped: ${editsMade} edits (item creations included)`);

  // Every connection must see every other connection's last edit of its document (the server relayed all).
  const expectTitle = (conn: Conn) => `${conn.name} edit ${conn.edits}`;
  const byDocument = new Map<number, Conn[]>();
  for (const conn of conns) byDocument.set(conn.documentIndex, [...(byDocument.get(conn.documentIndex) ?? []), conn]);
  const converged = () =>
    conns.every((viewer) =>
      byDocument.get(viewer.documentIndex)!.every((owner) => entryTitle(itemsOf(viewer.client.doc).get(owner.name)) === expectTitle(owner)),
    );
  await waitFor(converged, 120_000, 'every connection to see every edit');
  const disconnectedAtEnd = conns.filter((conn) => !conn.client.provider.wsconnected).length;
  await waitPersisted(server.http, 120_000);
  const ready = await readiness(server.http);
  const stopped = await server.stop();
  server = null;
  for (const conn of conns) conn.client.destroy();

  let lost = 0;
  const problems: string[] = [];
  await storage.use(async (db) => {
    for (const [documentIndex, owners] of byDocument) {
      const stored = await loadStoredDoc(db, fx.checklists[documentIndex]!.id);
      for (const owner of owners) {
        const item = itemsOf(stored).get(owner.name);
        const figures = item?.get('figures') as Y.Map<Figure> | undefined;
        const missingFigures = owner.figures.filter((id) => !figures?.has(id)).length;
        if (entryTitle(item) !== expectTitle(owner) || missingFigures > 0) {
          lost += 1;
          if (problems.length < 10)
            problems.push(`${owner.name}: title "${String(entryTitle(item))}" (expected "${expectTitle(owner)}"), ${missingFigures} figures missing`);
        }
      }
    }
  });

  const rss = samples.map((s) => s.rss);
  const report = {
    machine: { cores: availableParallelism(), memory: mb(totalmem()), node: process.version, storage: storage.kind },
    connections,
    documents,
    minutes: durationMs / 60_000,
    editIntervalMs: intervalMs,
    editsMade,
    serverRss: { first: mb(rss[0]!), last: mb(rss.at(-1)!), max: mb(Math.max(...rss)) },
    samples: samples.map((s) => `${s.at}s:${mb(s.rss)}`),
    disconnectedAtEnd,
    readyAtEnd: ready.ready,
    serverExit: stopped.code,
    connectionsWithLostEdits: lost,
    problems,
  };
  console.log(JSON.stringify(report, null, 2));
  exitCode = lost === 0 && stopped.code === 0 ? 0 : 1;
  log(exitCode === 0 ? 'PASS: nothing lost' : 'FAIL: edits lost (see problems)');
} catch (error) {
  console.error(error);
} finally {
  for (const conn of conns) conn.client.destroy();
  await server?.crash();
  await storage.drop();
}
process.exit(exitCode);
