import { addItem, addSection, itemsOf, updateItem } from '@tieout/doc-model';
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { RefuseConnection, type AfterPersistContext, type CollabExtension, type DocumentChanges, type PersistedUpdate } from '../src/index.ts';
import { createFixture, metricValue, useCollabServer, waitFor } from '../src/testing.ts';

const t = useCollabServer({ server: false });

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

async function loggedRows(checklistId: string) {
  const { rows } = await t.db.asService((sql) =>
    sql.query<{ id: number | bigint; user_id: string }>(`select id, user_id from public.document_updates where checklist_id = $1 order by id`, [
      checklistId,
    ]),
  );
  return rows.map((row) => ({ id: Number(row.id), userId: row.user_id }));
}

describe('afterPersist', () => {
  it('spaces runs as the server options say (docs/decisions/175), 1 s to 5 s by default', async () => {
    const tuned = await t.startServer(t.db, { afterPersist: { afterPersistIntervalMs: 250, afterPersistMaxIntervalMs: 750 } });
    expect([tuned.collab.lifecycle.afterPersistIntervalMs, tuned.collab.lifecycle.afterPersistMaxIntervalMs]).toEqual([250, 750]);
    await tuned.close();
    const plain = await t.startServer(t.db);
    expect([plain.collab.lifecycle.afterPersistIntervalMs, plain.collab.lifecycle.afterPersistMaxIntervalMs]).toEqual([1000, 5000]);
    await plain.close();
  });

  it('runs off the critical path: persistence goes on while a run is in flight, and the next run gets everything, attributed', async () => {
    const fx = await createFixture(t.db);
    const runs: { updates: PersistedUpdate[]; changes: DocumentChanges }[] = [];
    const gate = deferred();
    const extension: CollabExtension = {
      name: 'slow',
      async afterPersist({ updates, changes }: AfterPersistContext) {
        runs.push({ updates: [...updates], changes: { items: new Set(changes.items), sections: new Set(changes.sections), meta: changes.meta } });
        if (runs.length === 1) await gate.promise;
      },
    };
    const server = await t.startServer(t.db, { timing: { persistWindowMs: 10 }, extensions: [extension] });
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    const owner = await t.connect(server, fx.checklistId, fx.users.owner);
    await Promise.all([editor.synced(), owner.synced()]);

    const sectionId = addSection(editor.doc, { title: 'Power' });
    await waitFor(() => runs.length === 1, 'the first run');
    // The first run is stuck; edits keep being written, each window on its own.
    await waitFor(() => owner.doc.getMap('sections').has(sectionId), 'the section at the owner');
    const atServer = (id: string) => waitFor(() => itemsOf(server.collab.loadedDocument(fx.checklistId)!).has(id), 'the item at the server');
    const first = addItem(owner.doc, { sectionId, title: 'Interconnection agreement' });
    await atServer(first);
    await server.collab.flush();
    const second = addItem(editor.doc, { sectionId, title: 'Substation capacity' });
    await atServer(second);
    await server.collab.flush();
    const logged = await loggedRows(fx.checklistId);
    expect(logged).toHaveLength(3);
    expect(runs).toHaveLength(1);

    gate.resolve();
    await waitFor(() => runs.length === 2, 'the coalesced run');
    const [, coalesced] = runs;
    expect(coalesced!.updates.map(({ source, userId, updateId }) => ({ source, userId, updateId }))).toEqual([
      { source: 'persisted', userId: fx.users.owner.id, updateId: logged[1]!.id },
      { source: 'persisted', userId: fx.users.editor.id, updateId: logged[2]!.id },
    ]);
    expect([...coalesced!.changes.items].sort()).toEqual([first, second].sort());
    expect(runs[0]!.updates).toEqual([expect.objectContaining({ source: 'persisted', userId: fx.users.editor.id, updateId: logged[0]!.id })]);
    expect([...runs[0]!.changes.sections]).toEqual([sectionId]);

    // A field change deep in an item names the item.
    updateItem(editor.doc, first, { status: 'blocked' });
    await waitFor(() => runs.length === 3, 'the third run');
    expect([...runs[2]!.changes.items]).toEqual([first]);
    await server.close();
  });

  it('counts a failing run and goes on with the next one', async () => {
    const fx = await createFixture(t.db);
    let calls = 0;
    const server = await t.startServer(t.db, {
      timing: { persistWindowMs: 10 },
      extensions: [
        {
          name: 'flaky',
          afterPersist: async () => {
            calls += 1;
            if (calls === 1) throw new Error('index down');
          },
        },
      ],
    });
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    await editor.synced();
    addSection(editor.doc, { title: 'One' });
    await waitFor(() => calls === 1);
    addSection(editor.doc, { title: 'Two' });
    await waitFor(() => calls === 2);
    const text = await (await fetch(`http://127.0.0.1:${server.port}/collab/metrics`)).text();
    expect(metricValue(text, 'collab_extension_errors_total{extension="flaky",hook="afterPersist"}')).toBe(1);
    expect(metricValue(text, 'collab_after_persist_runs_total{extension="flaky"}')).toBe(1);
    await server.close();
  });
});

describe('the other hooks', () => {
  it('beforeApplyUpdate can drop an update (the sender is told, nobody else sees it, nothing is stored) or close the session', async () => {
    const fx = await createFixture(t.db);
    const seen: { userId: string; role: string; structs: number }[] = [];
    const server = await t.startServer(t.db, {
      timing: { persistWindowMs: 10 },
      extensions: [
        {
          name: 'guard',
          beforeApplyUpdate: ({ doc, update, decoded, userId, role }) => {
            seen.push({ userId, role, structs: decoded.structs.length });
            expect(update.byteLength).toBeGreaterThan(0);
            const items = itemsOf(doc as Y.Doc);
            if (role === 'owner' && items.size > 0) return { action: 'close', reason: 'owners may not add a second item here', code: 4403 };
            return userId === fx.users.editor.id && items.size > 0 ? { action: 'drop', reason: 'one item is enough' } : undefined;
          },
        },
      ],
    });
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    const owner = await t.connect(server, fx.checklistId, fx.users.owner);
    await Promise.all([editor.synced(), owner.synced()]);
    const denied = new Promise<string>((resolve) => {
      editor.provider.messageHandlers[2] = (_encoder, decoder) => {
        decoding.readVarUint(decoder);
        resolve(decoding.readVarString(decoder));
      };
    });
    const sectionId = addSection(editor.doc, { title: 'Power' });
    const accepted = addItem(editor.doc, { sectionId, title: 'Accepted' });
    await waitFor(() => itemsOf(owner.doc).has(accepted), 'the accepted item at the owner');
    const dropped = addItem(editor.doc, { sectionId, title: 'Dropped' });
    expect(await denied).toBe('one item is enough');
    await server.collab.flush();
    expect(itemsOf(server.collab.loadedDocument(fx.checklistId)!).has(dropped)).toBe(false);
    expect(seen[0]).toMatchObject({ userId: fx.users.editor.id, role: 'editor' });

    addItem(owner.doc, { sectionId, title: 'From the owner' });
    expect(await owner.closed).toEqual({ code: 4403, reason: 'owners may not add a second item here' });
    expect(itemsOf(owner.doc).has(dropped)).toBe(false);
    await server.close();
  });

  it('onConnect can refuse a session; onDisconnect and beforeUnloadDocument follow the session and the document', async () => {
    const fx = await createFixture(t.db);
    const events: string[] = [];
    const server = await t.startServer(t.db, {
      timing: { persistWindowMs: 10, unloadDelayMs: 10 },
      extensions: [
        {
          name: 'lifecycle-log',
          onConnect: ({ userId, role }) => {
            events.push(`connect ${role}`);
            if (userId === fx.users.viewer.id) throw new RefuseConnection('viewers are not let in today', 4403);
          },
          afterLoadDocument: ({ checklistId }) => void events.push(`load ${checklistId === fx.checklistId}`),
          afterPersist: () => void events.push('persist'),
          onDisconnect: ({ role }) => void events.push(`disconnect ${role}`),
          beforeUnloadDocument: () => void events.push('unload'),
        },
      ],
    });
    const viewer = await t.connect(server, fx.checklistId, fx.users.viewer);
    expect(await viewer.closed).toEqual({ code: 4403, reason: 'viewers are not let in today' });
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    await editor.synced();
    addSection(editor.doc, { title: 'Power' });
    await waitFor(() => events.includes('persist'), 'the afterPersist run');
    editor.destroy();
    await waitFor(() => server.collab.documentCount === 0, 'the document to unload');
    expect(events).toEqual(['connect viewer', 'connect editor', 'load true', 'persist', 'disconnect editor', 'unload']);
    await server.close();
  });

  it('a failing afterLoadDocument fails the load (the session may retry), never opens the document half-guarded', async () => {
    const fx = await createFixture(t.db);
    const server = await t.startServer(t.db, {
      extensions: [
        {
          name: 'cache',
          afterLoadDocument: () => {
            throw new Error('approvals could not be read');
          },
        },
      ],
    });
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    expect((await editor.closed).code).toBe(1013);
    editor.destroy();
    const text = await (await fetch(`http://127.0.0.1:${server.port}/collab/metrics`)).text();
    expect(metricValue(text, 'collab_extension_errors_total{extension="cache",hook="afterLoadDocument"}')).toBeGreaterThanOrEqual(1);
    await server.close();
  });

  it('refuses two extensions with the same name', async () => {
    await expect(t.startServer(t.db, { extensions: [{ name: 'twin' }, { name: 'twin' }] })).rejects.toThrow(/named twin/);
  });
});
