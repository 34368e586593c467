import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LIVE_CHANNEL, publishLiveEvent, subscribeLiveEvents, type Database, type LiveEvent } from '../src/index.ts';
import { migratedDatabase } from './tenancy.fixtures.ts';

let db: Database;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ db, dispose } = await migratedDatabase('live_events'));
}, 120_000);
afterAll(async () => dispose(), 60_000);

function collector() {
  const events: LiveEvent[] = [];
  return { events, onEvent: (event: LiveEvent) => events.push(event) };
}

describe('live events', () => {
  it('delivers an event when the transaction commits, and never one that rolled back', async () => {
    const { events, onEvent } = collector();
    const subscription = await subscribeLiveEvents(db, onEvent);
    try {
      const workspaceId = randomUUID();
      await db
        .asService(async (sql) => {
          await publishLiveEvent(sql, { topic: 'items', workspaceId, checklistId: randomUUID() });
          throw new Error('roll back');
        })
        .catch(() => {});
      // The marker is sent after the rolled-back one: once it is here, the other would have been too.
      await db.asService((sql) => publishLiveEvent(sql, { topic: 'comments', workspaceId }));
      await vi.waitFor(() => expect(events.map((event) => event.topic)).toContain('comments'));
      expect(events.filter((event) => event.workspaceId === workspaceId).map((event) => event.topic)).toEqual(['comments']);
    } finally {
      await subscription.close();
    }
  });

  it('hears events that SQL sends with pg_notify, as triggers do', async () => {
    const { events, onEvent } = collector();
    const subscription = await subscribeLiveEvents(db, onEvent);
    try {
      const workspaceId = randomUUID();
      await db.ownerQuery(`select pg_notify($1, json_build_object('topic', 'membership', 'workspaceId', $2::uuid, 'userId', $2::uuid)::text)`, [
        LIVE_CHANNEL,
        workspaceId,
      ]);
      await vi.waitFor(() => expect(events).toContainEqual({ topic: 'membership', workspaceId, userId: workspaceId }));
    } finally {
      await subscription.close();
    }
  });

  it('reports payloads that are not live events instead of delivering them', async () => {
    const { events, onEvent } = collector();
    const invalid: string[] = [];
    const subscription = await subscribeLiveEvents(db, onEvent, { onInvalid: (payload) => invalid.push(payload) });
    try {
      await db.ownerQuery(`select pg_notify($1, 'not json'), pg_notify($1, '{"topic":"nonsense"}')`, [LIVE_CHANNEL]);
      await vi.waitFor(() => expect(invalid).toEqual(['not json', '{"topic":"nonsense"}']));
      expect(events).toEqual([]);
    } finally {
      await subscription.close();
    }
  });

  it('refuses to publish an event that is not one', async () => {
    await expect(db.asService((sql) => publishLiveEvent(sql, { topic: 'nonsense' } as unknown as LiveEvent))).rejects.toThrow();
    await expect(db.asService((sql) => publishLiveEvent(sql, { topic: 'items', workspaceId: randomUUID(), note: 'x'.repeat(2000) }))).rejects.toThrow(
      /limited to 1024 bytes/,
    );
  });

  it('stops delivering after close', async () => {
    const first = collector();
    const second = collector();
    const closed = await subscribeLiveEvents(db, first.onEvent);
    const open = await subscribeLiveEvents(db, second.onEvent);
    try {
      await closed.close();
      const workspaceId = randomUUID();
      await db.asService((sql) => publishLiveEvent(sql, { topic: 'files', workspaceId }));
      await vi.waitFor(() => expect(second.events).toContainEqual({ topic: 'files', workspaceId }));
      expect(first.events).toEqual([]);
    } finally {
      await open.close();
    }
  });

  it.runIf(process.env.DATABASE_URL)('on Postgres, reconnects after the listening connection is killed and reports the gap', async () => {
    const { events, onEvent } = collector();
    let gaps = 0;
    const subscription = await subscribeLiveEvents(db, onEvent, { onGap: () => gaps++ });
    try {
      await db.ownerQuery(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen %' and pid <> pg_backend_pid()`,
      );
      await vi.waitFor(() => expect(gaps).toBe(1), { timeout: 20_000 });
      const workspaceId = randomUUID();
      await db.asService((sql) => publishLiveEvent(sql, { topic: 'versions', workspaceId }));
      await vi.waitFor(() => expect(events).toContainEqual({ topic: 'versions', workspaceId }));
    } finally {
      await subscription.close();
    }
  });
});
