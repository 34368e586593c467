import { randomUUID } from 'node:crypto';
import type { Database } from '@tieout/db';
import { addItem, addSection, itemsOf } from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../src/index.ts';
import {
  connectClient,
  createFixture,
  metricValue,
  permissionDenials,
  storedAuthors,
  storedDoc,
  tokenFor,
  useCollabServer,
  waitFor,
  type Client,
  type Fixture,
  type RunningServer,
} from '../src/testing.ts';

/*
 * Issue 10, "revoked access still writes": a role change takes effect before the sender's next message is applied
 * (the server hears of it through the live-events channel and holds the user's frames until it has re-read the
 * role), and an edit the database refuses after it was applied never reaches a snapshot, nor comes back from a
 * session that saw it (docs/decisions/110, 111).
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A gate the test opens: calls wait at it while it is closed (counted in `waiting`). */
class Gate {
  private opened: Promise<void> = Promise.resolve();
  private openIt: () => void = () => {};
  closed = false;
  waiting = 0;
  close(): void {
    this.closed = true;
    this.opened = new Promise((resolve) => (this.openIt = resolve));
  }
  open(): void {
    this.closed = false;
    this.openIt();
  }
  async pass(): Promise<void> {
    if (!this.closed) return;
    this.waiting += 1;
    await this.opened;
    this.waiting -= 1;
  }
}

/** The real database; service-role reads (the membership re-check) and user writes (the update log) wait at gates. */
function gatedDatabase(target: Database) {
  const recheck = new Gate();
  const writes = new Gate();
  const db: Database = new Proxy(target, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'asService') return async (...args: unknown[]) => (await recheck.pass(), value.apply(target, args));
      if (property === 'scriptAsUsers' || property === 'asUsers') {
        return async (...args: unknown[]) => (await writes.pass(), value.apply(target, args));
      }
      return value.bind(target);
    },
  });
  return { db, recheck, writes };
}

const t = useCollabServer({ server: false });
const track = (client: Client) => t.track(client);

async function setRole(fx: Fixture, userId: string, role: 'owner' | 'editor' | 'viewer' | null) {
  await t.db.asService((sql) =>
    role === null
      ? sql.query(`delete from public.workspace_members where workspace_id = $1 and user_id = $2`, [fx.workspaceId, userId])
      : sql.query(`update public.workspace_members set role = $3 where workspace_id = $1 and user_id = $2`, [fx.workspaceId, userId, role]),
  );
}

async function metric(server: RunningServer, name: string): Promise<number> {
  const value = metricValue(await server.collab.metrics.registry.metrics(), name);
  return Number.isNaN(value) ? 0 : value;
}

/** An editor and an owner, synced, on a server whose periodic re-check never runs during the test. */
async function twoSessions(db: Database) {
  const fx = await createFixture(t.db);
  const server = await t.startServer(db, { timing: { membershipRecheckMs: 3_600_000, persistWindowMs: 20 } });
  const editor = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor)));
  const owner = track(connectClient(server.url, fx.checklistId, await tokenFor(fx.users.owner)));
  await Promise.all([editor.synced(), owner.synced()]);
  const sectionId = addSection(owner.doc, { title: 'Power' });
  await waitFor(() => editor.doc.getMap('sections').has(sectionId), 'the section at the editor');
  return { fx, server, editor, owner, sectionId };
}

describe('membership changes reach open sessions before their next edit', () => {
  it("holds a demoted editor's edit from the moment the server hears of it, and never applies it", async () => {
    const gated = gatedDatabase(t.db);
    const { fx, server, editor, owner, sectionId } = await twoSessions(gated.db);
    const denied = permissionDenials(editor);
    gated.recheck.close();
    await setRole(fx, fx.users.editor.id, 'viewer');
    // The server heard it: the re-check it started waits at the gate.
    await waitFor(() => gated.recheck.waiting > 0, 'the re-check after the live event');
    expect(await metric(server, 'collab_membership_events_total')).toBeGreaterThanOrEqual(1);

    const itemId = addItem(editor.doc, { sectionId, title: 'Sent after the demotion' });
    await waitFor(async () => (await metric(server, 'collab_frames_held_total')) >= 1, 'the edit to be held');
    expect(itemsOf(server.collab.loadedDocument(fx.checklistId)!).has(itemId)).toBe(false);

    gated.recheck.open();
    await waitFor(() => denied.length > 0, 'permission denied');
    expect(denied[0]).toMatch(/viewer.*cannot edit/);
    await server.collab.flush();
    expect(itemsOf(server.collab.loadedDocument(fx.checklistId)!).has(itemId)).toBe(false);
    expect(itemsOf(owner.doc).has(itemId)).toBe(false);
    expect(itemsOf(await storedDoc(t.db, fx.checklistId)).has(itemId)).toBe(false);
  });

  it('closes a removed member with 4403 before their held edit is applied', async () => {
    const gated = gatedDatabase(t.db);
    const { fx, server, editor, owner, sectionId } = await twoSessions(gated.db);
    gated.recheck.close();
    await setRole(fx, fx.users.editor.id, null);
    await waitFor(() => gated.recheck.waiting > 0, 'the re-check after the live event');
    const itemId = addItem(editor.doc, { sectionId, title: 'Sent after the removal' });
    await waitFor(async () => (await metric(server, 'collab_frames_held_total')) >= 1, 'the edit to be held');
    gated.recheck.open();
    expect(await editor.closed).toEqual({ code: CloseCode.forbidden, reason: 'membership revoked' });
    await server.collab.flush();
    expect(itemsOf(server.collab.loadedDocument(fx.checklistId)!).has(itemId)).toBe(false);
    expect(itemsOf(owner.doc).has(itemId)).toBe(false);
  });

  it('applies the held edits, in order, when the re-check confirms write access', async () => {
    const gated = gatedDatabase(t.db);
    const { fx, server, editor, owner, sectionId } = await twoSessions(gated.db);
    gated.recheck.close();
    await setRole(fx, fx.users.editor.id, 'owner');
    await waitFor(() => gated.recheck.waiting > 0, 'the re-check after the live event');
    const first = addItem(editor.doc, { sectionId, title: 'First' });
    const second = addItem(editor.doc, { sectionId, title: 'Second' });
    await waitFor(async () => (await metric(server, 'collab_frames_held_total')) >= 2, 'both edits to be held');
    expect(itemsOf(owner.doc).has(first)).toBe(false);
    gated.recheck.open();
    await waitFor(() => itemsOf(owner.doc).has(first) && itemsOf(owner.doc).has(second), 'the edits at the owner');
    await server.collab.flush();
    expect(await storedAuthors(t.db, fx.checklistId)).toContain(fx.users.editor.id);
  });
});

describe('an applied edit the database refuses', () => {
  it('is reverted, never compacted, and not stored again when a session that saw it reconnects', async () => {
    const gated = gatedDatabase(t.db);
    const { fx, server, editor, owner, sectionId } = await twoSessions(gated.db);
    await server.collab.flush();
    // The edit is applied and relayed, but its write waits; meanwhile the editor is demoted.
    gated.writes.close();
    const itemId = addItem(editor.doc, { sectionId, title: 'Applied, then refused' });
    await waitFor(() => itemsOf(owner.doc).has(itemId), 'the edit at the owner');
    await waitFor(() => gated.writes.waiting > 0, 'the write to start');
    await setRole(fx, fx.users.editor.id, 'viewer');
    await waitFor(async () => (await metric(server, 'collab_membership_events_total')) >= 1, 'the live event');
    const ownerClosed = new Promise<{ code: number }>((resolve) => owner.provider.once('connection-close', (event) => event && resolve(event)));
    gated.writes.open();

    // RLS refuses the row: the document is reloaded from the log and every session reconnects.
    expect((await ownerClosed).code).toBe(CloseCode.reloading);
    await waitFor(async () => (await metric(server, 'collab_documents_reverted_total')) >= 1, 'the revert');
    await waitFor(() => owner.provider.wsconnected && owner.provider.synced, 'the owner to reconnect');
    // The owner's document still holds the edit and its sync sent it back: it is left out.
    const later = addItem(owner.doc, { sectionId, title: 'After the revert' });
    await waitFor(() => server.collab.loadedDocument(fx.checklistId) !== undefined, 'the reloaded document');
    await waitFor(() => itemsOf(server.collab.loadedDocument(fx.checklistId)!).has(later), "the owner's next edit");
    expect(itemsOf(server.collab.loadedDocument(fx.checklistId)!).has(itemId)).toBe(false);

    await server.close();
    const stored = await storedDoc(t.db, fx.checklistId);
    expect(itemsOf(stored).has(later)).toBe(true);
    expect(itemsOf(stored).has(itemId)).toBe(false);
    const { rows } = await t.db.asService((sql) =>
      sql.query<{ n: number }>(`select count(*)::int as n from public.document_snapshots where checklist_id = $1`, [fx.checklistId]),
    );
    expect(rows[0]!.n).toBe(1);
  });

  it.skipIf(!process.env.REDIS_URL)('is reverted in every process that holds the document (Redis)', async () => {
    const gated = gatedDatabase(t.db);
    const fx = await createFixture(t.db);
    const redis = { url: REDIS_URL, keyPrefix: `tieout:test:${randomUUID()}:` };
    const timing = { membershipRecheckMs: 3_600_000, persistWindowMs: 20 };
    const a = await t.startServer(gated.db, { redis, timing, instanceId: 'a' });
    const b = await t.startServer(t.db, { redis, timing, instanceId: 'b' });
    const editor = track(connectClient(a.url, fx.checklistId, await tokenFor(fx.users.editor)));
    const owner = track(connectClient(b.url, fx.checklistId, await tokenFor(fx.users.owner)));
    await Promise.all([editor.synced(), owner.synced()]);
    const sectionId = addSection(owner.doc, { title: 'Power' });
    await waitFor(() => editor.doc.getMap('sections').has(sectionId), 'the section at the editor');
    await Promise.all([a.collab.flush(), b.collab.flush()]);

    gated.writes.close();
    const itemId = addItem(editor.doc, { sectionId, title: 'Applied on A, refused' });
    await waitFor(() => itemsOf(owner.doc).has(itemId), 'the edit at the owner on B');
    await waitFor(() => gated.writes.waiting > 0, 'the write to start');
    await setRole(fx, fx.users.editor.id, 'viewer');
    await waitFor(async () => (await metric(a, 'collab_membership_events_total')) >= 1, 'the live event');
    gated.writes.open();
    await waitFor(async () => (await metric(b, 'collab_documents_reverted_total')) >= 1, 'the revert on B');
    await waitFor(() => owner.provider.wsconnected && owner.provider.synced, 'the owner to reconnect');
    const later = addItem(owner.doc, { sectionId, title: 'After the revert' });
    await waitFor(() => itemsOf(b.collab.loadedDocument(fx.checklistId) ?? new Y.Doc()).has(later), 'the next edit');
    expect(itemsOf(b.collab.loadedDocument(fx.checklistId)!).has(itemId)).toBe(false);
    await a.close();
    await b.close();
    expect(itemsOf(await storedDoc(t.db, fx.checklistId)).has(itemId)).toBe(false);
  });
});
