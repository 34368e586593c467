import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppendUpdatesError, createAppendBatcher, type Database, type ScriptStep } from '../src/index.ts';
import { createChecklistFixture, openScratchDatabase, type ChecklistFixture } from '../src/testing.ts';

let db: Database;
let dispose: () => Promise<void>;
let docs: ChecklistFixture[];

beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'batcher' }));
  docs = [await createChecklistFixture(db), await createChecklistFixture(db), await createChecklistFixture(db)];
}, 60_000);
afterAll(async () => dispose?.());

const update = (byte: number) => Uint8Array.of(0, 0, byte);

/** The real database, recording each script's steps; a script can be held until released. */
function recording(real: Database) {
  const scripts: ScriptStep[][] = [];
  let gate: Promise<void> | null = null;
  let release = () => {};
  const wrapped: Database = {
    ...real,
    scriptAsUsers: async (steps) => {
      scripts.push(steps);
      if (gate) await gate;
      return real.scriptAsUsers(steps);
    },
  };
  return {
    db: wrapped,
    scripts,
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    release() {
      gate = null;
      release();
    },
  };
}

async function storedFor(checklistId: string, ids: number[]) {
  const { rows } = await db.asService((sql) =>
    sql.query<{ user_id: string; checklist_id: string }>(
      `select user_id, checklist_id from public.document_updates where id = any($1::bigint[]) order by id`,
      [ids],
    ),
  );
  return rows;
}

describe('the append batcher (group commit)', () => {
  it('writes appends of several documents made together in one script, each settled with its own ids, as its authors', async () => {
    const recorder = recording(db);
    const batcher = createAppendBatcher(recorder.db);
    const [a, b, c] = await Promise.all(
      docs.map((doc, index) =>
        batcher.append(doc.checklistId, doc.workspaceId, [
          { claims: doc.users.editor.claims, updates: [update(index), update(index + 10)] },
          { claims: doc.users.owner.claims, updates: [update(index + 20)] },
        ]),
      ),
    );
    expect(recorder.scripts).toHaveLength(1);
    expect(recorder.scripts[0]).toHaveLength(6);
    for (const [index, appended] of [a!, b!, c!].entries()) {
      const doc = docs[index]!;
      expect(appended.map((entry) => entry.ids.length)).toEqual([2, 1]);
      const rows = await storedFor(
        doc.checklistId,
        appended.flatMap((entry) => entry.ids),
      );
      expect(rows.map((row) => row.checklist_id)).toEqual([doc.checklistId, doc.checklistId, doc.checklistId]);
      expect(rows.map((row) => row.user_id)).toEqual([doc.users.editor.id, doc.users.editor.id, doc.users.owner.id]);
    }
  });

  it('queues what arrives while a write is in flight and sends it all in the next one', async () => {
    const recorder = recording(db);
    const batcher = createAppendBatcher(recorder.db);
    recorder.hold();
    const first = batcher.append(docs[0]!.checklistId, docs[0]!.workspaceId, [{ claims: docs[0]!.users.editor.claims, updates: [update(1)] }]);
    await vi.waitFor(() => expect(recorder.scripts).toHaveLength(1));
    const later = docs.map((doc) => batcher.append(doc.checklistId, doc.workspaceId, [{ claims: doc.users.editor.claims, updates: [update(2)] }]));
    // Nothing but the held write can start another script; once every callback queued so far has run (a turn of
    // the event loop), a second one would already be there.
    await new Promise((resolve) => setImmediate(resolve));
    expect(recorder.scripts).toHaveLength(1);
    recorder.release();
    await Promise.all([first, ...later]);
    expect(recorder.scripts.map((steps) => steps.length)).toEqual([1, 3]);
  });

  it('fails only the request whose author is refused; the others are stored', async () => {
    const batcher = createAppendBatcher(db);
    const [refused, stored] = await Promise.allSettled([
      batcher.append(docs[0]!.checklistId, docs[0]!.workspaceId, [
        { claims: docs[0]!.users.editor.claims, updates: [update(3)] },
        { claims: docs[0]!.users.viewer.claims, updates: [update(4)] },
      ]),
      batcher.append(docs[1]!.checklistId, docs[1]!.workspaceId, [{ claims: docs[1]!.users.editor.claims, updates: [update(5)] }]),
    ]);
    expect(refused.status).toBe('rejected');
    const error = (refused as PromiseRejectedResult).reason as AppendUpdatesError;
    expect(error).toBeInstanceOf(AppendUpdatesError);
    expect(error.userId).toBe(docs[0]!.users.viewer.id);
    expect(stored.status).toBe('fulfilled');
    const ids = (stored as PromiseFulfilledResult<{ ids: number[] }[]>).value[0]!.ids;
    expect(await storedFor(docs[1]!.checklistId, ids)).toEqual([{ user_id: docs[1]!.users.editor.id, checklist_id: docs[1]!.checklistId }]);
  });

  it('keeps a script under its byte budget (a larger request still goes, alone)', async () => {
    const recorder = recording(db);
    const batcher = createAppendBatcher(recorder.db, { maxBytes: 6 });
    await Promise.all([
      batcher.append(docs[0]!.checklistId, docs[0]!.workspaceId, [{ claims: docs[0]!.users.editor.claims, updates: [update(6)] }]),
      batcher.append(docs[1]!.checklistId, docs[1]!.workspaceId, [{ claims: docs[1]!.users.editor.claims, updates: [update(7)] }]),
      batcher.append(docs[2]!.checklistId, docs[2]!.workspaceId, [
        { claims: docs[2]!.users.editor.claims, updates: [update(8), update(9), update(10)] },
      ]),
    ]);
    expect(recorder.scripts.map((steps) => steps.length)).toEqual([2, 1]);
  });
});
