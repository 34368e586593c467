import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  appendUpdates,
  checklistAccess,
  checklistExists,
  compactDocument,
  latestUpdateId,
  loadDocumentState,
  toUint8Array,
  type Database,
} from '../src/index.ts';
import { createDocumentFixture, freshDatabase, type DocumentFixture } from './documents.fixtures.ts';

let db: Database;
let drop: () => Promise<void>;
let fx: DocumentFixture;

beforeAll(async () => {
  ({ db, drop } = await freshDatabase());
  fx = await createDocumentFixture(db);
}, 60_000);
afterAll(async () => drop?.());

function editUpdate(base: Y.Doc, key: string, value: string): Uint8Array {
  const before = Y.encodeStateVector(base);
  base.getMap('meta').set(key, value);
  return Y.encodeStateAsUpdate(base, before);
}

function docFrom(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const update of updates) Y.applyUpdate(doc, update);
  return doc;
}

describe('checklistAccess', () => {
  it('gives each member their role and the workspace', async () => {
    for (const role of ['owner', 'editor', 'reviewer', 'viewer'] as const) {
      expect(await checklistAccess(db, fx.users[role].claims, fx.checklistId)).toEqual({ workspaceId: fx.workspaceId, role });
    }
  });

  it('gives a non-member nothing, for an existing and a missing checklist alike', async () => {
    expect(await checklistAccess(db, fx.users.outsider.claims, fx.checklistId)).toBeNull();
    expect(await checklistAccess(db, fx.users.owner.claims, crypto.randomUUID())).toBeNull();
    expect(await checklistExists(db, fx.checklistId)).toBe(true);
    expect(await checklistExists(db, crypto.randomUUID())).toBe(false);
  });
});

describe('update log', () => {
  it('appends as the user, attributed to them, and loads back in order as Uint8Arrays', async () => {
    const author = new Y.Doc();
    const first = editUpdate(author, 'title', 'Site retrofits');
    const second = editUpdate(author, 'title', 'Site retrofits (Denton)');
    const { ids } = await appendUpdates(db, fx.users.editor.claims, fx.checklistId, fx.workspaceId, [first, second]);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBeGreaterThan(ids[0]!);

    const { rows } = await db.asService((sql) =>
      sql.query<{ user_id: string }>(`select user_id from public.document_updates where id = any($1::bigint[])`, [ids]),
    );
    expect(rows.map((row) => row.user_id)).toEqual([fx.users.editor.id, fx.users.editor.id]);

    const state = await loadDocumentState(db, fx.users.viewer.claims, fx.checklistId);
    expect(state.snapshotUpdateId).toBe(0);
    expect(state.lastUpdateId).toBe(ids[1]);
    expect(state.tailLength).toBe(2);
    for (const update of state.updates) expect(update.constructor).toBe(Uint8Array);
    expect(docFrom(state.updates).getMap('meta').get('title')).toBe('Site retrofits (Denton)');
  });

  it('refuses appends from reviewers, viewers and outsiders and stores nothing for them', async () => {
    const before = await latestUpdateId(db, fx.checklistId);
    const update = editUpdate(new Y.Doc(), 'title', 'hijacked');
    for (const who of ['reviewer', 'viewer', 'outsider'] as const) {
      await expect(appendUpdates(db, fx.users[who].claims, fx.checklistId, fx.workspaceId, [update])).rejects.toThrow(
        /row-level security/,
      );
    }
    expect(await latestUpdateId(db, fx.checklistId)).toBe(before);
  });

  it('refuses an append that claims another workspace', async () => {
    const other = await createDocumentFixture(db);
    const update = editUpdate(new Y.Doc(), 'title', 'cross-tenant');
    await expect(appendUpdates(db, fx.users.editor.claims, other.checklistId, fx.workspaceId, [update])).rejects.toThrow(
      /row-level security/,
    );
  });

  it('lets a non-member load nothing', async () => {
    const state = await loadDocumentState(db, fx.users.outsider.claims, fx.checklistId);
    expect(state.updates).toEqual([]);
  });

  it('normalises Buffers and views to plain Uint8Arrays', () => {
    const buffer = Buffer.from([1, 2, 3]);
    const plain = toUint8Array(buffer);
    expect(plain.constructor).toBe(Uint8Array);
    expect([...plain]).toEqual([1, 2, 3]);
    expect(() => toUint8Array('x')).toThrow(TypeError);
  });
});

describe('compaction', () => {
  it('writes a snapshot covering the log, then loads snapshot plus the tail after it', async () => {
    const f = await createDocumentFixture(db);
    const author = new Y.Doc();
    const updates = Array.from({ length: 5 }, (_, i) => editUpdate(author, `k${i}`, `v${i}`));
    const { ids } = await appendUpdates(db, f.users.owner.claims, f.checklistId, f.workspaceId, updates);
    const upTo = ids[ids.length - 1]!;

    const result = await compactDocument(db, f.checklistId, Y.encodeStateAsUpdate(author), upTo);
    expect(result).toMatchObject({ written: true, lastUpdateId: upTo });

    const tail = editUpdate(author, 'after', 'snapshot');
    const appended = await appendUpdates(db, f.users.editor.claims, f.checklistId, f.workspaceId, [tail]);
    const state = await loadDocumentState(db, f.users.reviewer.claims, f.checklistId);
    expect(state.snapshotUpdateId).toBe(upTo);
    expect(state.tailLength).toBe(1);
    expect(state.updates).toHaveLength(2);
    expect(state.lastUpdateId).toBe(appended.ids[0]);
    expect(docFrom(state.updates).getMap('meta').toJSON()).toEqual(author.getMap('meta').toJSON());

    // The log is kept: it is the history.
    const { rows } = await db.asService((sql) =>
      sql.query(`select id from public.document_updates where checklist_id = $1`, [f.checklistId]),
    );
    expect(rows).toHaveLength(6);
  });

  it('includes logged rows the given state missed, and never moves a snapshot backwards', async () => {
    const f = await createDocumentFixture(db);
    const alice = new Y.Doc();
    const bob = new Y.Doc();
    const a = editUpdate(alice, 'alice', 'yes');
    const b = editUpdate(bob, 'bob', 'yes');
    await appendUpdates(db, f.users.owner.claims, f.checklistId, f.workspaceId, [a]);
    const { ids } = await appendUpdates(db, f.users.editor.claims, f.checklistId, f.workspaceId, [b]);

    // Only alice's state is handed over; bob's logged row must still end up in the snapshot.
    await compactDocument(db, f.checklistId, Y.encodeStateAsUpdate(alice), ids[0]!);
    const { rows } = await db.asService((sql) =>
      sql.query<{ state: unknown }>(`select state from public.document_snapshots where checklist_id = $1`, [f.checklistId]),
    );
    expect(docFrom([toUint8Array(rows[0]!.state)]).getMap('meta').toJSON()).toEqual({ alice: 'yes', bob: 'yes' });

    const stale = await compactDocument(db, f.checklistId, new Uint8Array([0, 0]), ids[0]! - 1);
    expect(stale.written).toBe(false);
    expect((await loadDocumentState(db, f.users.owner.claims, f.checklistId)).snapshotUpdateId).toBe(ids[0]);
  });

  it('refuses to compact a checklist that does not exist', async () => {
    await expect(compactDocument(db, crypto.randomUUID(), new Uint8Array([0, 0]), 1)).rejects.toThrow(/No checklist/);
  });

  it('keeps appends and compaction consistent when they race', async () => {
    const f = await createDocumentFixture(db);
    const author = new Y.Doc();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      const update = editUpdate(author, `r${i}`, String(i));
      writes.push(appendUpdates(db, f.users.editor.claims, f.checklistId, f.workspaceId, [update]));
      if (i % 5 === 4) {
        writes.push(latestUpdateId(db, f.checklistId).then((id) => compactDocument(db, f.checklistId, new Uint8Array([0, 0]), id)));
      }
    }
    await Promise.all(writes);
    const state = await loadDocumentState(db, f.users.viewer.claims, f.checklistId);
    expect(docFrom(state.updates).getMap('meta').toJSON()).toEqual(author.getMap('meta').toJSON());
  });
});
