import { randomUUID } from 'node:crypto';
import { addSection } from '@tieout/doc-model';
import type { Database } from '@tieout/db';
import * as decoding from 'lib0/decoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../src/index.ts';
import {
  connectClient,
  createFixture,
  createTestDatabase,
  rawClient,
  signRawJwt,
  startServer,
  storedAuthors,
  storedDoc,
  tokenFor,
  waitFor,
  type Client,
  type Fixture,
  type RunningServer,
  type TestDatabase,
} from './support.ts';

let storage: TestDatabase;
let db: Database;
let fx: Fixture;
let server: RunningServer;
const clients: Client[] = [];
const track = (client: Client) => (clients.push(client), client);

beforeAll(async () => {
  storage = await createTestDatabase();
  db = await storage.open();
  fx = await createFixture(db);
  server = await startServer(db, { timing: { persistWindowMs: 10, membershipRecheckMs: 200 } });
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await server?.close();
  await storage?.drop();
});

/** Connects a raw socket and expects it to be closed before the server sent a single frame. */
async function expectRefused(path: string, code: number, reason: RegExp) {
  const client = rawClient(`${server.url}/${path}`);
  const closed = await client.closed;
  expect(closed.code).toBe(code);
  expect(closed.reason).toMatch(reason);
  expect(client.frames).toEqual([]);
}

describe('authentication before sync', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('refuses a missing token with 4401', async () => {
    await expectRefused(fx.checklistId, CloseCode.unauthorized, /^missing:/);
  });

  it('refuses a malformed token with 4401', async () => {
    await expectRefused(`${fx.checklistId}?token=not-a-jwt`, CloseCode.unauthorized, /^malformed:/);
    await expectRefused(`${fx.checklistId}?token=a.b.c`, CloseCode.unauthorized, /^malformed:/);
  });

  it('refuses an expired token with 4401', async () => {
    const token = await tokenFor(fx.users.editor, { now: Date.now() - 7200_000, expiresInSeconds: 60 });
    await expectRefused(`${fx.checklistId}?token=${token}`, CloseCode.unauthorized, /^expired:/);
  });

  it('refuses a token signed with another secret with 4401', async () => {
    const token = await tokenFor(fx.users.editor, { secret: 'some-other-secret-that-is-long-enough-0123' });
    await expectRefused(`${fx.checklistId}?token=${token}`, CloseCode.unauthorized, /^bad_signature:/);
  });

  it('refuses a token for another audience with 4401', async () => {
    const token = signRawJwt({ sub: fx.users.editor.id, role: 'authenticated', aud: 'someone-else', exp: now() + 600 });
    await expectRefused(`${fx.checklistId}?token=${token}`, CloseCode.unauthorized, /^wrong_audience:/);
  });

  it('refuses an anon-role token with 4401', async () => {
    const token = signRawJwt({ sub: fx.users.editor.id, role: 'anon', aud: 'authenticated', exp: now() + 600 });
    await expectRefused(`${fx.checklistId}?token=${token}`, CloseCode.unauthorized, /^invalid_claims:/);
  });

  it('refuses a signed-in non-member with 4403', async () => {
    await expectRefused(`${fx.checklistId}?token=${await tokenFor(fx.users.outsider)}`, CloseCode.forbidden, /not a member/);
  });

  it('refuses an unknown checklist and a room name that is not a checklist id with 4404', async () => {
    const token = await tokenFor(fx.users.owner);
    await expectRefused(`${randomUUID()}?token=${token}`, CloseCode.notFound, /no such checklist/);
    await expectRefused(`not-a-checklist?token=${token}`, CloseCode.notFound, /no such checklist/);
  });

  it('makes the stock provider stop reconnecting on a 44xx refusal', async () => {
    const client = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.outsider)));
    const closedForGood = new Promise<{ code: number }>((resolve) => client.provider.on('closed', (event) => resolve(event)));
    expect((await closedForGood).code).toBe(CloseCode.forbidden);
    expect(client.provider.synced).toBe(false);
    expect(client.provider.shouldConnect).toBe(false);
  });

  it('queues frames sent before authorization completes and answers them afterwards', async () => {
    const token = await tokenFor(fx.users.viewer);
    const client = rawClient(`${server.url}/${fx.checklistId}?token=${token}`);
    await client.opened;
    // Sync step 1 with an empty state vector, sent at once, before the server could have authorized.
    client.ws.send(new Uint8Array([0, 0, 1, 0]));
    await waitFor(() => client.frames.some((frame) => frame[0] === 0 && frame[1] === 1), 5000, 'sync step 2');
    client.ws.close();
  });
});

describe('read-only roles', () => {
  for (const role of ['reviewer', 'viewer'] as const) {
    it(`does not apply or store a ${role}'s edits, tells them, and still relays their awareness`, async () => {
      const editor = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor)));
      const readOnly = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users[role])));
      await Promise.all([editor.synced(), readOnly.synced()]);

      const denied = new Promise<string>((resolve) => {
        readOnly.provider.messageHandlers[2] = (_encoder, decoder) => {
          decoding.readVarUint(decoder);
          resolve(decoding.readVarString(decoder));
        };
      });
      const sectionId = addSection(readOnly.doc, { title: `Written by a ${role}` });
      readOnly.provider.awareness.setLocalStateField('user', { name: role });
      expect(await denied).toMatch(new RegExp(`${role}.*cannot edit`));

      await waitFor(
        () => [...editor.provider.awareness.getStates().values()].some((state) => state.user?.name === role),
        5000,
        'the awareness state to reach the editor',
      );
      // The editor's own edits still reach the read-only client.
      const editorSection = addSection(editor.doc, { title: 'From the editor' });
      await waitFor(() => readOnly.doc.getMap('sections').has(editorSection), 5000, 'the editor section');
      await server.collab.flush();
      expect(editor.doc.getMap('sections').has(sectionId)).toBe(false);
      expect(server.collab.loadedDocument(fx.checklistId)!.getMap('sections').has(sectionId)).toBe(false);
      expect((await storedDoc(db, fx.checklistId)).getMap('sections').has(sectionId)).toBe(false);
      expect(await storedAuthors(db, fx.checklistId)).not.toContain(fx.users[role].id);
      editor.destroy();
      readOnly.destroy();
    });
  }
});

describe('membership changes on open connections', () => {
  it('makes a demoted editor read-only and closes a removed member with 4403 within seconds', async () => {
    const f = await createFixture(db);
    const editor = track(connectClient(server.url, f.checklistId, await tokenFor(f.users.editor)));
    const owner = track(connectClient(server.url, f.checklistId, await tokenFor(f.users.owner)));
    await Promise.all([editor.synced(), owner.synced()]);

    await db.asService((sql) =>
      sql.query(`update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2`, [f.workspaceId, f.users.editor.id]),
    );
    await new Promise((resolve) => setTimeout(resolve, 600));
    const afterDemotion = addSection(editor.doc, { title: 'After demotion' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(owner.doc.getMap('sections').has(afterDemotion)).toBe(false);

    await db.asService((sql) =>
      sql.query(`delete from public.workspace_members where workspace_id = $1 and user_id = $2`, [f.workspaceId, f.users.editor.id]),
    );
    const closed = await Promise.race([editor.closed, new Promise<null>((resolve) => setTimeout(resolve, 3000, null))]);
    expect(closed).toEqual({ code: CloseCode.forbidden, reason: 'membership revoked' });
    expect(owner.provider.wsconnected).toBe(true);
  });

  it('closes sessions of a deleted checklist with 4404', async () => {
    const f = await createFixture(db);
    const editor = track(connectClient(server.url, f.checklistId, await tokenFor(f.users.editor)));
    await editor.synced();
    await db.asService((sql) => sql.query(`delete from public.checklists where id = $1`, [f.checklistId]));
    const closed = await Promise.race([editor.closed, new Promise<null>((resolve) => setTimeout(resolve, 3000, null))]);
    expect(closed).toEqual({ code: CloseCode.notFound, reason: 'checklist deleted' });
  });
});
