import { randomUUID } from 'node:crypto';
import { addSection } from '@tieout/doc-model';
import type { Database } from '@tieout/db';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectClient,
  createFixture,
  createTestDatabase,
  startServer,
  storedDoc,
  tokenFor,
  waitFor,
  type Client,
  type RunningServer,
  type TestDatabase,
} from './support.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let storage: TestDatabase;
let db: Database;
const servers: RunningServer[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  storage = await createTestDatabase();
  db = await storage.open();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  for (const server of servers) await server.close();
  await storage?.drop();
});

/** Two server instances sharing one database and one Redis key prefix, like two processes behind a load balancer. */
async function twoServers(timing: Record<string, number> = {}) {
  const redis = { url: REDIS_URL, keyPrefix: `tieout:test:${randomUUID()}:` };
  const a = await startServer(db, { redis, timing: { persistWindowMs: 20, ...timing }, instanceId: 'a' });
  const b = await startServer(db, { redis, timing: { persistWindowMs: 20, ...timing }, instanceId: 'b' });
  servers.push(a, b);
  return { a, b, prefix: redis.keyPrefix };
}

async function updateRows(checklistId: string) {
  const { rows } = await db.asService((sql) =>
    sql.query<{ user_id: string }>(`select user_id from public.document_updates where checklist_id = $1 order by id`, [checklistId]),
  );
  return rows.map((row) => row.user_id);
}

describe('Redis fan-out between server processes', () => {
  it('relays edits and awareness between clients of different processes, and stores each edit once', async () => {
    const fx = await createFixture(db);
    const { a, b } = await twoServers();
    const onA = connectClient(a.url, fx.checklistId, await tokenFor(fx.users.owner));
    const onB = connectClient(b.url, fx.checklistId, await tokenFor(fx.users.editor));
    clients.push(onA, onB);
    await Promise.all([onA.synced(), onB.synced()]);

    const fromA = addSection(onA.doc, { title: 'From process A' });
    await waitFor(() => onB.doc.getMap('sections').has(fromA), 5000, 'A -> B');
    const fromB = addSection(onB.doc, { title: 'From process B' });
    await waitFor(() => onA.doc.getMap('sections').has(fromB), 5000, 'B -> A');

    onA.provider.awareness.setLocalStateField('user', { name: 'Olivia' });
    await waitFor(
      () => [...onB.provider.awareness.getStates().values()].some((state) => state.user?.name === 'Olivia'),
      5000,
      'awareness A -> B',
    );

    await Promise.all([a.collab.flush(), b.collab.flush()]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await Promise.all([a.collab.flush(), b.collab.flush()]);
    // One row per edit, written by the process its author is connected to, as that author.
    expect(await updateRows(fx.checklistId)).toEqual([fx.users.owner.id, fx.users.editor.id]);
    const stored = await storedDoc(db, fx.checklistId);
    expect(stored.getMap('sections').has(fromA) && stored.getMap('sections').has(fromB)).toBe(true);
  });

  it('gives a process that loads a document later the edits another process has not written yet', async () => {
    const fx = await createFixture(db);
    const { a, b } = await twoServers({ persistWindowMs: 60_000, persistMaxBatchBytes: 10_000_000 });
    const onA = connectClient(a.url, fx.checklistId, await tokenFor(fx.users.editor));
    clients.push(onA);
    await onA.synced();
    const unsaved = addSection(onA.doc, { title: 'Not in the database yet' });
    await waitFor(() => a.collab.loadedDocument(fx.checklistId)?.getMap('sections').has(unsaved) === true);
    expect(await updateRows(fx.checklistId)).toEqual([]);

    const onB = connectClient(b.url, fx.checklistId, await tokenFor(fx.users.viewer));
    clients.push(onB);
    await onB.synced();
    await waitFor(() => onB.doc.getMap('sections').has(unsaved), 5000, 'the unsaved edit to reach the late process');
    await a.collab.flush();
    await b.collab.flush();
    expect(await updateRows(fx.checklistId)).toEqual([fx.users.editor.id]);
  });

  it('catches up on updates missed while its Redis subscription was down', async () => {
    const fx = await createFixture(db);
    const suffix = randomUUID();
    const redis = { url: REDIS_URL, keyPrefix: `tieout:test:${suffix}:` };
    const a = await startServer(db, { redis, timing: { persistWindowMs: 20 }, instanceId: `a-${suffix}` });
    const b = await startServer(db, { redis, timing: { persistWindowMs: 20 }, instanceId: `b-${suffix}` });
    servers.push(a, b);
    const onA = connectClient(a.url, fx.checklistId, await tokenFor(fx.users.editor));
    const onB = connectClient(b.url, fx.checklistId, await tokenFor(fx.users.viewer));
    clients.push(onA, onB);
    await Promise.all([onA.synced(), onB.synced()]);

    // Cut B's subscriber connection (only ours: found by its connection name) and edit on A meanwhile.
    const admin = new Redis(REDIS_URL);
    const list = (await admin.client('LIST')) as string;
    const line = list.split('\n').find((entry) => entry.includes(`name=collab-sub-b-${suffix}`));
    expect(line).toBeDefined();
    const id = /id=(\d+)/.exec(line!)![1]!;
    await admin.client('KILL', 'ID', id);
    const missed = addSection(onA.doc, { title: 'Sent while B was cut off' });
    await waitFor(() => onB.doc.getMap('sections').has(missed), 10_000, 'B to catch up after reconnecting');
    await admin.quit();
  });

  it('keeps documents apart: a channel per document under the key prefix', async () => {
    const first = await createFixture(db);
    const second = await createFixture(db);
    const { a, b, prefix } = await twoServers();
    const watcher = new Redis(REDIS_URL);
    const channels = new Set<string>();
    await watcher.psubscribe(`${prefix}*`);
    watcher.on('pmessage', (_pattern, channel) => channels.add(channel));

    const one = connectClient(a.url, first.checklistId, await tokenFor(first.users.editor));
    const two = connectClient(b.url, second.checklistId, await tokenFor(second.users.editor));
    const twoOnA = connectClient(a.url, second.checklistId, await tokenFor(second.users.viewer));
    clients.push(one, two, twoOnA);
    await Promise.all([one.synced(), two.synced(), twoOnA.synced()]);
    const section = addSection(one.doc, { title: 'Only in the first checklist' });
    const other = addSection(two.doc, { title: 'Only in the second checklist' });
    await waitFor(() => twoOnA.doc.getMap('sections').has(other), 5000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(twoOnA.doc.getMap('sections').has(section)).toBe(false);
    expect(channels).toEqual(new Set([`${prefix}doc:${first.checklistId}`, `${prefix}doc:${second.checklistId}`]));
    await watcher.quit();
  });
});
