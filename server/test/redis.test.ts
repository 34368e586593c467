import { randomUUID } from 'node:crypto';
import { addSection } from '@tieout/doc-model';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { awarenessNames, createFixture, storedDoc, useCollabServer, waitFor } from '../src/testing.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const t = useCollabServer({ server: false });

/** Two server instances sharing one database and one Redis key prefix, like two processes behind a load balancer. */
async function twoServers(timing: Record<string, number> = {}) {
  const redis = { url: REDIS_URL, keyPrefix: `tieout:test:${randomUUID()}:` };
  const a = await t.startServer(t.db, { redis, timing: { persistWindowMs: 20, ...timing }, instanceId: 'a' });
  const b = await t.startServer(t.db, { redis, timing: { persistWindowMs: 20, ...timing }, instanceId: 'b' });
  return { a, b, prefix: redis.keyPrefix };
}

async function updateRows(checklistId: string) {
  const { rows } = await t.db.asService((sql) =>
    sql.query<{ user_id: string }>(`select user_id from public.document_updates where checklist_id = $1 order by id`, [checklistId]),
  );
  return rows.map((row) => row.user_id);
}

describe('Redis fan-out between server processes', () => {
  it('relays edits and awareness between clients of different processes, and stores each edit once', async () => {
    const fx = await createFixture(t.db);
    const { a, b } = await twoServers();
    const onA = await t.connect(a, fx.checklistId, fx.users.owner);
    const onB = await t.connect(b, fx.checklistId, fx.users.editor);
    await Promise.all([onA.synced(), onB.synced()]);

    const fromA = addSection(onA.doc, { title: 'From process A' });
    await waitFor(() => onB.doc.getMap('sections').has(fromA), 'A -> B');
    const fromB = addSection(onB.doc, { title: 'From process B' });
    await waitFor(() => onA.doc.getMap('sections').has(fromB), 'B -> A');

    onA.provider.awareness.setLocalStateField('user', { name: 'Olivia' });
    await waitFor(() => awarenessNames(onB).includes('Olivia'), 'awareness A -> B');

    // Both processes hold both edits (a relayed edit is applied, and would be queued for writing, before it is
    // held); whatever either queued is written by its flush.
    const held = (server: typeof a, id: string) => server.collab.loadedDocument(fx.checklistId)?.getMap('sections').has(id) === true;
    await waitFor(() => held(a, fromB) && held(b, fromA), 'both edits in both processes');
    await Promise.all([a.collab.flush(), b.collab.flush()]);
    // One row per edit, written by the process its author is connected to, as that author.
    expect(await updateRows(fx.checklistId)).toEqual([fx.users.owner.id, fx.users.editor.id]);
    const stored = await storedDoc(t.db, fx.checklistId);
    expect(stored.getMap('sections').has(fromA) && stored.getMap('sections').has(fromB)).toBe(true);
  });

  it('gives a process that loads a document later the edits another process has not written yet', async () => {
    const fx = await createFixture(t.db);
    const { a, b } = await twoServers({ persistWindowMs: 60_000, persistMaxBatchBytes: 10_000_000 });
    const onA = await t.connect(a, fx.checklistId, fx.users.editor);
    await onA.synced();
    const unsaved = addSection(onA.doc, { title: 'Not in the database yet' });
    await waitFor(() => a.collab.loadedDocument(fx.checklistId)?.getMap('sections').has(unsaved) === true);
    expect(await updateRows(fx.checklistId)).toEqual([]);

    const onB = await t.connect(b, fx.checklistId, fx.users.viewer);
    await onB.synced();
    await waitFor(() => onB.doc.getMap('sections').has(unsaved), 'the unsaved edit to reach the late process');
    await a.collab.flush();
    await b.collab.flush();
    expect(await updateRows(fx.checklistId)).toEqual([fx.users.editor.id]);
  });

  it('catches up on updates missed while its Redis subscription was down', async () => {
    const fx = await createFixture(t.db);
    const suffix = randomUUID();
    const redis = { url: REDIS_URL, keyPrefix: `tieout:test:${suffix}:` };
    const a = await t.startServer(t.db, { redis, timing: { persistWindowMs: 20 }, instanceId: `a-${suffix}` });
    const b = await t.startServer(t.db, { redis, timing: { persistWindowMs: 20 }, instanceId: `b-${suffix}` });
    const onA = await t.connect(a, fx.checklistId, fx.users.editor);
    const onB = await t.connect(b, fx.checklistId, fx.users.viewer);
    await Promise.all([onA.synced(), onB.synced()]);

    // Cut B's subscriber connection (only ours: found by its connection name) and edit on A meanwhile.
    const admin = new Redis(REDIS_URL);
    const list = (await admin.client('LIST')) as string;
    const line = list.split('\n').find((entry) => entry.includes(`name=collab-sub-b-${suffix}`));
    expect(line).toBeDefined();
    const id = /id=(\d+)/.exec(line!)![1]!;
    await admin.client('KILL', 'ID', id);
    const missed = addSection(onA.doc, { title: 'Sent while B was cut off' });
    await waitFor(() => onB.doc.getMap('sections').has(missed), 'B to catch up after reconnecting');
    await admin.quit();
  });

  it('keeps documents apart: a channel per document under the key prefix', async () => {
    const first = await createFixture(t.db);
    const second = await createFixture(t.db);
    const { a, b, prefix } = await twoServers();
    const watcher = new Redis(REDIS_URL);
    const channels = new Set<string>();
    await watcher.psubscribe(`${prefix}*`);
    watcher.on('pmessage', (_pattern, channel) => channels.add(channel));

    const one = await t.connect(a, first.checklistId, first.users.editor);
    const two = await t.connect(b, second.checklistId, second.users.editor);
    const twoOnA = await t.connect(a, second.checklistId, second.users.viewer);
    await Promise.all([one.synced(), two.synced(), twoOnA.synced()]);
    const oneOnB = await t.connect(b, first.checklistId, first.users.viewer);
    await oneOnB.synced();
    const section = addSection(one.doc, { title: 'Only in the first checklist' });
    const other = addSection(two.doc, { title: 'Only in the second checklist' });
    await waitFor(() => twoOnA.doc.getMap('sections').has(other), 'the second checklist edit across processes');
    // Markers sent after it, on every path it could have leaked by: a later first-checklist edit reaches B (so B
    // has handled the first), then a later second-checklist edit from B reaches A's client of that checklist.
    const firstMarker = addSection(one.doc, { title: 'First checklist, later' });
    await waitFor(() => oneOnB.doc.getMap('sections').has(firstMarker), 'the later first-checklist edit at B');
    const secondMarker = addSection(two.doc, { title: 'Second checklist, later' });
    await waitFor(() => twoOnA.doc.getMap('sections').has(secondMarker), 'the later second-checklist edit at A');
    expect(twoOnA.doc.getMap('sections').has(section)).toBe(false);
    expect(twoOnA.doc.getMap('sections').has(firstMarker)).toBe(false);
    expect(oneOnB.doc.getMap('sections').has(other)).toBe(false);
    expect(channels).toEqual(new Set([`${prefix}doc:${first.checklistId}`, `${prefix}doc:${second.checklistId}`]));
    await watcher.quit();
  });
});
