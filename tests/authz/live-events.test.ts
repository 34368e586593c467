import { publishLiveEvent, type Database } from '@tieout/db';
import { openScratchDatabase } from '@tieout/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAppHarness, loadRoute, type AppHarness, type RouteModule } from './support/app-routes.ts';
import { buildAuthzWorld, type AuthzWorld } from './support/fixtures.ts';

// GET /live (app/app/routes/live.ts): each person hears the live events of their own workspaces only.
let db: Database;
let dispose: () => Promise<void>;
let world: AuthzWorld;
let harness: AppHarness;
let route: RouteModule;

beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'authz_live_events' }));
  world = await buildAuthzWorld(db);
  harness = await createAppHarness(db, [world.A.members.viewer, world.B.members.owner]);
  route = await loadRoute('live.ts');
});
afterAll(async () => dispose?.());

/** Opens the stream as a browser would and collects the `live` events' data as they arrive. */
async function openStream(cookie: string | null) {
  const abort = new AbortController();
  const headers = new Headers();
  if (cookie) headers.set('Cookie', cookie);
  const request = new Request(`http://127.0.0.1:${harness.context.config.port}/live`, { headers, signal: abort.signal });
  const response = (await route.loader!({ request, params: {}, context: harness.context })) as Response;
  const events: Record<string, unknown>[] = [];
  const kinds: string[] = [];
  let ended = false;
  if (response.ok) {
    void (async () => {
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const kind = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (kind) kinds.push(kind);
          if (kind === 'live' && data) events.push(JSON.parse(data) as Record<string, unknown>);
        }
      }
      ended = true;
    })();
  }
  return { response, events, kinds, ended: () => ended, close: () => abort.abort() };
}

describe('the live events stream', () => {
  it('delivers the events of my workspaces and none of another workspace', async () => {
    const stream = await openStream(await harness.cookieFor(world.A.members.viewer));
    try {
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('Content-Type')).toMatch(/^text\/event-stream/);
      expect(stream.response.headers.get('Cache-Control')).toMatch(/no-store/);
      await vi.waitFor(() => expect(stream.kinds).toContain('ready'));
      await db.asService((sql) => publishLiveEvent(sql, { topic: 'items', workspaceId: world.B.id, checklistId: world.B.checklistId }));
      await db.asService((sql) => publishLiveEvent(sql, { topic: 'items', workspaceId: world.A.id, checklistId: world.A.checklistId }));
      // A's event was sent after B's: once it has arrived, B's would have too.
      await vi.waitFor(() => expect(stream.events).toContainEqual({ topic: 'items', workspaceId: world.A.id, checklistId: world.A.checklistId }));
      expect(stream.events.map((event) => event.workspaceId)).toEqual([world.A.id]);
    } finally {
      stream.close();
    }
  });

  it('passes notifications only to the person they are for', async () => {
    const stream = await openStream(await harness.cookieFor(world.A.members.viewer));
    try {
      await vi.waitFor(() => expect(stream.kinds).toContain('ready'));
      await db.asService((sql) => publishLiveEvent(sql, { topic: 'notifications', workspaceId: world.A.id, userId: world.A.members.owner.id }));
      await db.asService((sql) => publishLiveEvent(sql, { topic: 'notifications', workspaceId: world.A.id, userId: world.A.members.viewer.id }));
      await vi.waitFor(() => expect(stream.events).toHaveLength(1));
      expect(stream.events[0]).toEqual({ topic: 'notifications', workspaceId: world.A.id, userId: world.A.members.viewer.id });
    } finally {
      stream.close();
    }
  });

  it('ends the stream when the person’s session ends', async () => {
    const stream = await openStream(await harness.cookieFor(world.B.members.owner));
    await vi.waitFor(() => expect(stream.kinds).toContain('ready'));
    await db.asService((sql) => publishLiveEvent(sql, { topic: 'session', userId: world.B.members.owner.id }));
    await vi.waitFor(() => expect(stream.ended()).toBe(true));
  });

  it('answers 401 without a session', async () => {
    const stream = await openStream(null);
    expect(stream.response.status).toBe(401);
  });
});
