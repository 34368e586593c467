import { addItem, addSection, itemsOf, updateItem } from '@tieout/doc-model';
import {
  createServiceBatcher,
  projectionTargetOf,
  ProjectionError,
  withBatchedService,
  writeProjection,
  type Database,
  type ProjectionTarget,
} from '@tieout/db';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { auditTrailExtension, projectionExtension, searchIndexExtension } from '../src/index.ts';
import { countingDatabase, createFixture, useCollabServer, waitFor } from '../src/testing.ts';

const t = useCollabServer({ server: false });

/** A document with one section and `titles` as its items. */
function documentWith(titles: string[]): Y.Doc {
  const doc = new Y.Doc();
  const sectionId = addSection(doc, { title: 'Power' });
  for (const title of titles) addItem(doc, { sectionId, title });
  return doc;
}

async function targetOf(checklistId: string): Promise<ProjectionTarget> {
  const target = await projectionTargetOf(t.db, checklistId);
  if (!target) throw new Error(`no checklist ${checklistId}`);
  return target;
}

async function projected(checklistId: string) {
  const { rows } = await t.db.asService((sql) =>
    sql.query<{ title: string; tx: string }>(`select title, xmin::text as tx from public.checklist_items where checklist_id = $1 order by title`, [
      checklistId,
    ]),
  );
  return rows;
}

/** `real` whose service transactions fail (rolled back, after their work ran) while `down` is set, like a dropped connection. */
function flakyDatabase(real: Database) {
  const state = { down: false, failed: 0 };
  const db: Database = {
    ...countingDatabase(real).db,
    asService: (work) =>
      real.asService(async (sql) => {
        const result = await work(sql);
        if (state.down) {
          state.failed++;
          throw new Error('Connection terminated unexpectedly');
        }
        return result;
      }),
    // The same for a script: its statements run, then the commit is lost.
    scriptAsService: (statements) =>
      real.asService(async (sql) => {
        const results = [];
        for (const statement of statements) results.push((await sql.query(statement)).rows);
        if (state.down) {
          state.failed++;
          throw new Error('Connection terminated unexpectedly');
        }
        return results;
      }),
  };
  return { db, state };
}

describe('service-role work shared across documents (decision 175)', () => {
  it("writes two documents' projections in one transaction", async () => {
    const [a, b] = [await createFixture(t.db), await createFixture(t.db)];
    const counting = countingDatabase(t.db);
    const batched = withBatchedService(counting.db, createServiceBatcher(counting.db));
    const results = await Promise.all([
      writeProjection(batched, await targetOf(a.checklistId), documentWith(['Interconnection agreement', 'Substation']), null),
      writeProjection(batched, await targetOf(b.checklistId), documentWith(['Cooling contract']), null),
    ]);
    expect(results.map((result) => result.inserted)).toEqual([2, 1]);
    expect(counting.calls.asService).toBe(1);
    const rows = [...(await projected(a.checklistId)), ...(await projected(b.checklistId))];
    expect(rows.map((row) => row.title)).toEqual(['Interconnection agreement', 'Substation', 'Cooling contract']);
    expect(new Set(rows.map((row) => row.tx)).size).toBe(1);
  });

  it("one document's failure does not lose another's: each settles with its own outcome", async () => {
    const [a, b] = [await createFixture(t.db), await createFixture(t.db)];
    const counting = countingDatabase(t.db);
    const batched = withBatchedService(counting.db, createServiceBatcher(counting.db));
    const wrong = { ...(await targetOf(a.checklistId)), dealId: crypto.randomUUID() };
    const [bad, good, sqlError] = await Promise.allSettled([
      writeProjection(batched, wrong, documentWith(['Misfiled']), null),
      writeProjection(batched, await targetOf(b.checklistId), documentWith(['Cooling contract']), null),
      batched.asService((sql) => sql.query(`select 1 / 0`)),
    ]);
    expect(bad.status === 'rejected' && bad.reason).toBeInstanceOf(ProjectionError);
    expect(good.status).toBe('fulfilled');
    expect(sqlError.status === 'rejected' && String(sqlError.reason)).toMatch(/division by zero/);
    expect((await projected(b.checklistId)).map((row) => row.title)).toEqual(['Cooling contract']);
    expect(await projected(a.checklistId)).toEqual([]);
    // The shared try, then each alone.
    expect(counting.calls.asService).toBe(4);
  });

  it("keeps each update's author in the audit rows, and an outage mid-batch retries without loss or duplication", async () => {
    const [a, b] = [await createFixture(t.db), await createFixture(t.db)];
    const flaky = flakyDatabase(t.db);
    const writes = withBatchedService(flaky.db, createServiceBatcher(flaky.db));
    const server = await t.startServer(t.db, {
      timing: { persistWindowMs: 50 },
      afterPersist: { afterPersistIntervalMs: 0, afterPersistMaxIntervalMs: 0 },
      extensions: [projectionExtension(t.db, { writes }), auditTrailExtension(t.db, { writes }), searchIndexExtension(t.db, { writes })],
    });
    const clients = {
      aOwner: await t.connect(server, a.checklistId, a.users.owner),
      aEditor: await t.connect(server, a.checklistId, a.users.editor),
      bEditor: await t.connect(server, b.checklistId, b.users.editor),
    };
    await Promise.all(Object.values(clients).map((client) => client.synced()));
    const sectionA = addSection(clients.aOwner.doc, { title: 'Power' });
    const itemA = addItem(clients.aOwner.doc, { sectionId: sectionA, title: 'Interconnection agreement' });
    const sectionB = addSection(clients.bEditor.doc, { title: 'Cooling' });
    const itemB = addItem(clients.bEditor.doc, { sectionId: sectionB, title: 'Chiller lease' });
    await waitFor(async () => (await projected(a.checklistId)).length === 1 && (await projected(b.checklistId)).length === 1, 'both projections');
    await waitFor(() => itemsOf(clients.aEditor.doc).has(itemA), 'the item at the editor');

    // The database drops every service transaction: the runs of both documents fail, after their statements ran.
    flaky.state.down = true;
    updateItem(clients.aOwner.doc, itemA, { status: 'in_progress' });
    updateItem(clients.aEditor.doc, itemA, { risk: 'high' });
    updateItem(clients.bEditor.doc, itemB, { title: 'Chiller lease (2 MW)' });
    await waitFor(() => flaky.state.failed >= 4, 'the writes to fail');
    await server.collab.flush();
    flaky.state.down = false;
    // The next edit of each document carries what failed.
    updateItem(clients.aOwner.doc, itemA, { title: 'Interconnection agreement (signed)' });
    updateItem(clients.bEditor.doc, itemB, { status: 'done' });

    const auditRows = async (checklistId: string) => {
      const { rows } = await t.db.asService((sql) =>
        sql.query<{ field: string; user_id: string; new_value: unknown }>(
          `select field, user_id, new_value from public.audit_trail where checklist_id = $1 and kind = 'item_field' order by id`,
          [checklistId],
        ),
      );
      return rows;
    };
    await waitFor(async () => (await auditRows(a.checklistId)).length >= 3 && (await auditRows(b.checklistId)).length >= 2, 'the audit rows');
    await waitFor(
      async () => (await projected(b.checklistId)).map((row) => row.title).join() === 'Chiller lease (2 MW)',
      'the carried projection of b',
    );
    await server.collab.flush();
    for (const client of Object.values(clients)) client.destroy();
    await server.close();

    const byField = (rows: { field: string; user_id: string }[]) => rows.map((row) => `${row.field}:${row.user_id}`).sort();
    // Once each (nothing lost, nothing written twice), each by the person who made it.
    expect(byField(await auditRows(a.checklistId))).toEqual(
      [`status:${a.users.owner.id}`, `risk:${a.users.editor.id}`, `title:${a.users.owner.id}`].sort(),
    );
    expect(byField(await auditRows(b.checklistId))).toEqual([`title:${b.users.editor.id}`, `status:${b.users.editor.id}`].sort());
    expect((await projected(a.checklistId)).map((row) => row.title)).toEqual(['Interconnection agreement (signed)']);
  });
});
