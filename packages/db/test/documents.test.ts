import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  AppendUpdatesError,
  appendUpdates,
  appendUpdatesAsUsers,
  checklistAccess,
  compactDocument,
  latestUpdateId,
  loadDocumentState,
  sessionAccess,
  toUint8Array,
  type Database,
} from '../src/index.ts';
import { createChecklistFixture, openScratchDatabase, type ChecklistFixture } from '../src/testing.ts';

let db: Database;
let dispose: () => Promise<void>;
let fx: ChecklistFixture;

beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'docs' }));
  fx = await createChecklistFixture(db);
}, 60_000);
afterAll(async () => dispose?.());

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
      await expect(appendUpdates(db, fx.users[who].claims, fx.checklistId, fx.workspaceId, [update])).rejects.toThrow(/row-level security/);
    }
    expect(await latestUpdateId(db, fx.checklistId)).toBe(before);
  });

  it('refuses an append that claims another workspace', async () => {
    const other = await createChecklistFixture(db);
    const update = editUpdate(new Y.Doc(), 'title', 'cross-tenant');
    await expect(appendUpdates(db, fx.users.editor.claims, other.checklistId, fx.workspaceId, [update])).rejects.toThrow(/row-level security/);
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

describe('appends of several users in one transaction', () => {
  it("inserts each user's updates as that user, in order, with ids ascending in the order given", async () => {
    const f = await createChecklistFixture(db);
    const alice = new Y.Doc();
    const bob = new Y.Doc();
    const ownerUpdates = Array.from({ length: 12 }, (_, i) => editUpdate(alice, 'owner', `v${i}`));
    const editorUpdates = [editUpdate(bob, 'editor', 'one'), editUpdate(bob, 'editor', 'two')];
    const [owner, empty, editor] = await appendUpdatesAsUsers(db, f.checklistId, f.workspaceId, [
      { claims: f.users.owner.claims, updates: ownerUpdates },
      { claims: f.users.reviewer.claims, updates: [] },
      { claims: f.users.editor.claims, updates: editorUpdates },
    ]);
    expect(owner!.ids).toHaveLength(12);
    expect(empty!.ids).toEqual([]);
    expect(editor!.ids).toHaveLength(2);
    expect(editor!.ids[0]).toBeGreaterThan(owner!.ids[11]!);

    const { rows } = await db.asService((sql) =>
      sql.query<{ id: number; user_id: string; update: unknown; xmin: string }>(
        `select id, user_id, update, xmin::text from public.document_updates where checklist_id = $1 order by id`,
        [f.checklistId],
      ),
    );
    expect(rows.map((row) => row.id)).toEqual([...owner!.ids, ...editor!.ids]);
    expect(rows.map((row) => row.user_id)).toEqual([...Array(12).fill(f.users.owner.id), ...Array(2).fill(f.users.editor.id)]);
    expect(rows.map((row) => [...toUint8Array(row.update)])).toEqual([...ownerUpdates, ...editorUpdates].map((u) => [...u]));
    expect(new Set(rows.map((row) => row.xmin)).size).toBe(1);
    expect(
      docFrom((await loadDocumentState(db, f.users.viewer.claims, f.checklistId)).updates)
        .getMap('meta')
        .toJSON(),
    ).toEqual({
      owner: 'v11',
      editor: 'two',
    });
  });

  it('stores nothing when one user is refused, and names that user', async () => {
    const f = await createChecklistFixture(db);
    const before = await latestUpdateId(db, f.checklistId);
    const error = await appendUpdatesAsUsers(db, f.checklistId, f.workspaceId, [
      { claims: f.users.editor.claims, updates: [editUpdate(new Y.Doc(), 'editor', 'kept?')] },
      { claims: f.users.viewer.claims, updates: [editUpdate(new Y.Doc(), 'viewer', 'refused')] },
      { claims: f.users.owner.claims, updates: [editUpdate(new Y.Doc(), 'owner', 'kept?')] },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppendUpdatesError);
    expect((error as AppendUpdatesError).userId).toBe(f.users.viewer.id);
    expect((error as AppendUpdatesError).code).toBe('42501');
    expect((error as AppendUpdatesError).message).toMatch(/row-level security/);
    expect(await latestUpdateId(db, f.checklistId)).toBe(before);
  });

  it('names the first user when the checklist is gone', async () => {
    const error = await appendUpdatesAsUsers(db, crypto.randomUUID(), fx.workspaceId, [
      { claims: fx.users.owner.claims, updates: [new Uint8Array([0, 0])] },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppendUpdatesError);
    expect((error as AppendUpdatesError).userId).toBe(fx.users.owner.id);
    expect((error as AppendUpdatesError).code).toMatch(/^(23|42)/);
  });

  it('does nothing for no updates at all', async () => {
    expect(await appendUpdatesAsUsers(db, fx.checklistId, fx.workspaceId, [])).toEqual([]);
    expect(await appendUpdatesAsUsers(db, fx.checklistId, fx.workspaceId, [{ claims: fx.users.viewer.claims, updates: [] }])).toEqual([{ ids: [] }]);
  });
});

describe('sessionAccess (service-role re-check of open sessions)', () => {
  it('answers what checklistAccess answers as each user, for many sessions at once', async () => {
    const other = await createChecklistFixture(db);
    const sessions = [
      ...(['owner', 'editor', 'reviewer', 'viewer', 'outsider'] as const).map((who) => ({ checklistId: fx.checklistId, who, users: fx.users })),
      { checklistId: other.checklistId, who: 'editor' as const, users: other.users },
      { checklistId: other.checklistId, who: 'editor' as const, users: fx.users },
    ];
    const answers = await sessionAccess(
      db,
      sessions.map((s) => ({ checklistId: s.checklistId, userId: s.users[s.who].id })),
    );
    expect(answers).toHaveLength(sessions.length);
    for (const [index, session] of sessions.entries()) {
      const asUser = await checklistAccess(db, session.users[session.who].claims, session.checklistId);
      expect(answers[index]).toEqual({
        checklistId: session.checklistId,
        userId: session.users[session.who].id,
        checklistExists: true,
        access: asUser,
      });
    }
    expect(answers.map((a) => a.access?.role ?? null)).toEqual(['owner', 'editor', 'reviewer', 'viewer', null, 'editor', null]);
  });

  it('sees removals, role changes and deleted checklists, and answers ids that are not UUIDs with nothing', async () => {
    const f = await createChecklistFixture(db);
    await db.asService(async (sql) => {
      await sql.query(`update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2`, [
        f.workspaceId,
        f.users.editor.id,
      ]);
      await sql.query(`delete from public.workspace_members where workspace_id = $1 and user_id = $2`, [f.workspaceId, f.users.reviewer.id]);
    });
    const gone = await createChecklistFixture(db);
    await db.asService((sql) => sql.query(`delete from public.checklists where id = $1`, [gone.checklistId]));
    const answers = await sessionAccess(db, [
      { checklistId: f.checklistId, userId: f.users.editor.id },
      { checklistId: f.checklistId, userId: f.users.reviewer.id },
      { checklistId: gone.checklistId, userId: gone.users.owner.id },
      { checklistId: f.checklistId, userId: 'not-a-uuid' },
      { checklistId: 'not-a-uuid', userId: f.users.owner.id },
    ]);
    expect(answers.map(({ checklistExists, access }) => ({ checklistExists, role: access?.role ?? null }))).toEqual([
      { checklistExists: true, role: 'viewer' },
      { checklistExists: true, role: null },
      { checklistExists: false, role: null },
      { checklistExists: true, role: null },
      { checklistExists: false, role: null },
    ]);
    expect(await sessionAccess(db, [])).toEqual([]);
  });
});

describe('compaction', () => {
  it('writes a snapshot covering the log, then loads snapshot plus the tail after it', async () => {
    const f = await createChecklistFixture(db);
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
    const { rows } = await db.asService((sql) => sql.query(`select id from public.document_updates where checklist_id = $1`, [f.checklistId]));
    expect(rows).toHaveLength(6);
  });

  it('includes logged rows the given state missed, and never moves a snapshot backwards', async () => {
    const f = await createChecklistFixture(db);
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
    expect(
      docFrom([toUint8Array(rows[0]!.state)])
        .getMap('meta')
        .toJSON(),
    ).toEqual({ alice: 'yes', bob: 'yes' });

    const stale = await compactDocument(db, f.checklistId, new Uint8Array([0, 0]), ids[0]! - 1);
    expect(stale.written).toBe(false);
    expect((await loadDocumentState(db, f.users.owner.claims, f.checklistId)).snapshotUpdateId).toBe(ids[0]);
  });

  it('refuses to compact a checklist that does not exist', async () => {
    await expect(compactDocument(db, crypto.randomUUID(), new Uint8Array([0, 0]), 1)).rejects.toThrow(/No checklist/);
  });

  it('keeps appends and compaction consistent when they race', async () => {
    const f = await createChecklistFixture(db);
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
