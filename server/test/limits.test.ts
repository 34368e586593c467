import { addItem, addSection, itemsOf, readChecklist, sectionsOf } from '@tieout/doc-model';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../src/index.ts';
import { emptySyncStep1Message } from '../src/protocol.ts';
import { createFixture, rawClient, storedDoc, tokenFor, useCollabServer, waitFor } from '../src/testing.ts';

const t = useCollabServer({ server: false });
const sv0 = emptySyncStep1Message();
/** A sync step 2 frame (the server's answer to a sync step 1). */
const isSyncStep2 = (frame: Uint8Array) => frame[0] === 0 && frame[1] === 1;

describe('limits', () => {
  it('closes a connection that exceeds the message rate with 4429', async () => {
    const server = await t.startServer(t.db, { limits: { messagesPerSecond: 20, messageBurst: 30 } });
    const client = rawClient(`${server.url}/${t.fx.checklistId}?token=${await tokenFor(t.fx.users.viewer)}`);
    await client.opened;
    await waitFor(() => client.frames.length > 0);
    for (let i = 0; i < 60; i++) client.ws.send(sv0);
    const closed = await client.closed;
    expect(closed.code).toBe(CloseCode.rateLimited);
    expect(closed.reason).toMatch(/messages per second/);

    // A client that stays under the rate is served: forty sync steps 1 (more than the burst of thirty), each sent
    // once the previous one was answered and 100 ms later on the server's clock (its rate limiter reads
    // performance.now, controlled here), so never more than ten a second.
    const polite = rawClient(`${server.url}/${t.fx.checklistId}?token=${await tokenFor(t.fx.users.viewer)}`);
    await polite.opened;
    await waitFor(() => polite.frames.length > 0, 'the polite session to open');
    const realNow = performance.now();
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      vi.advanceTimersByTime(realNow); // the controlled clock goes on from where the real one was
      for (let i = 1; i <= 40; i++) {
        vi.advanceTimersByTime(100);
        polite.ws.send(sv0);
        await waitFor(() => polite.frames.filter(isSyncStep2).length >= i, `answer ${i}`);
      }
    } finally {
      vi.useRealTimers();
    }
    expect(polite.ws.readyState).toBe(polite.ws.OPEN);
    polite.ws.close();
    await server.close();
  });

  it('refuses a user more connections than allowed with 4429, and accepts again once one closes', async () => {
    const server = await t.startServer(t.db, { limits: { maxConnectionsPerUser: 2 } });
    const token = await tokenFor(t.fx.users.reviewer);
    const first = rawClient(`${server.url}/${t.fx.checklistId}?token=${token}`);
    const second = rawClient(`${server.url}/${t.fx.checklistId}?token=${token}`);
    await waitFor(() => first.frames.length > 0 && second.frames.length > 0, 'two sessions');
    const third = rawClient(`${server.url}/${t.fx.checklistId}?token=${token}`);
    const closed = await third.closed;
    expect(closed.code).toBe(CloseCode.rateLimited);
    expect(closed.reason).toMatch(/too many connections/);
    expect(third.frames).toEqual([]);

    // Another user is not affected.
    const other = rawClient(`${server.url}/${t.fx.checklistId}?token=${await tokenFor(t.fx.users.viewer)}`);
    await waitFor(() => other.frames.length > 0, 'another user session');

    first.ws.close();
    await first.closed;
    const fourth = rawClient(`${server.url}/${t.fx.checklistId}?token=${token}`);
    await waitFor(() => fourth.frames.length > 0, 'a session after one closed');
    for (const c of [second, other, fourth]) c.ws.close();
    await server.close();
  });

  it('refuses edits that would take the document above its size limit with 4413 and keeps the rest', async () => {
    const f = await createFixture(t.db);
    const server = await t.startServer(t.db, { limits: { maxDocumentBytes: 4096 }, timing: { persistWindowMs: 10 } });
    const client = await t.connect(server, f.checklistId, f.users.editor);
    await client.synced();
    const kept = addSection(client.doc, { title: 'Small enough' });
    await waitFor(() => server.collab.loadedDocument(f.checklistId)?.getMap('sections').has(kept) === true);
    const blob = addItem(client.doc, { sectionId: kept, title: 'Long notes', notes: ['x'.repeat(8000)] });
    expect(await client.closed).toEqual({ code: CloseCode.tooLarge, reason: 'The document would exceed 4096 bytes' });
    client.destroy();
    await server.collab.flush();
    const stored = await storedDoc(t.db, f.checklistId);
    expect(stored.getMap('sections').has(kept)).toBe(true);
    expect(itemsOf(stored).has(blob)).toBe(false);
    await server.close();
  });

  it('persists a burst of edits in few batched writes', async () => {
    const f = await createFixture(t.db);
    const server = await t.startServer(t.db, { timing: { persistWindowMs: 200 } });
    const client = await t.connect(server, f.checklistId, f.users.editor);
    await client.synced();
    for (let i = 0; i < 50; i++) addSection(client.doc, { title: `k${i}` });
    await waitFor(() => sectionsOf(server.collab.loadedDocument(f.checklistId)!).size === 50);
    await server.collab.flush();
    const { rows } = await t.db.asService((sql) => sql.query(`select id from public.document_updates where checklist_id = $1`, [f.checklistId]));
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThan(10);
    expect(readChecklist(await storedDoc(t.db, f.checklistId))).toEqual(readChecklist(client.doc));
    client.destroy();
    await server.close();
  });

  it('compacts after the configured number of writes', async () => {
    const f = await createFixture(t.db);
    const server = await t.startServer(t.db, { timing: { persistWindowMs: 1, compactAfterUpdates: 3 } });
    const client = await t.connect(server, f.checklistId, f.users.editor);
    await client.synced();
    for (let i = 0; i < 4; i++) {
      addSection(client.doc, { title: `k${i}` });
      await waitFor(() => sectionsOf(server.collab.loadedDocument(f.checklistId)!).size === i + 1);
      await server.collab.flush();
    }
    await waitFor(async () => {
      const { rows } = await t.db.asService((sql) =>
        sql.query(`select last_update_id from public.document_snapshots where checklist_id = $1`, [f.checklistId]),
      );
      return rows.length === 1;
    }, 'a snapshot');
    const doc = new Y.Doc();
    const { loadDocumentState } = await import('@tieout/db');
    const state = await loadDocumentState(t.db, f.users.viewer.claims, f.checklistId);
    expect(state.snapshotUpdateId).toBeGreaterThan(0);
    for (const update of state.updates) Y.applyUpdate(doc, update);
    expect(readChecklist(doc).sections.map((section) => section.title)).toEqual(['k0', 'k1', 'k2', 'k3']);
    client.destroy();
    await server.close();
  });
});
