import { randomBytes } from 'node:crypto';
import { addItem, updateItem } from '@tieout/doc-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { connectStockClient, type StockClient } from './support/clients.ts';
import { createFaultFixture, type FaultFixture } from './support/fixture.ts';
import { crashAllServerProcesses, freePort, startServerProcess, waitPersisted, type ServerProcess } from './support/server-process.ts';
import { createFaultStorage, type FaultStorage } from './support/storage.ts';
import { waitFor } from './support/wait.ts';

/*
 * kill -9 of the collaboration server after it wrote two people's edits to the update log but before its audit writer's
 * next after-persist run (decision 175 spaces them; here 10 minutes apart, so the run cannot come first). The restarted
 * server replays the log from the checklist's audit cursor when it loads the document (decision 121): the rows appear,
 * each naming the person who made the change, and the rows written before the crash are not written twice.
 */

const METRICS_TOKEN = randomBytes(24).toString('base64url');
let storage: FaultStorage;
let fx: FaultFixture;
let port: number;
const clients: StockClient[] = [];

const serverEnv = () => ({
  ...storage.env,
  COLLAB_PERSIST_WINDOW_MS: '50',
  COLLAB_AFTER_PERSIST_INTERVAL_MS: '600000',
  COLLAB_METRICS_TOKEN: METRICS_TOKEN,
  LOG_LEVEL: 'warn',
});

beforeAll(async () => {
  storage = await createFaultStorage('audit_replay');
  fx = await storage.use((db) => createFaultFixture(db, { editors: 2 }));
  port = await freePort();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await crashAllServerProcesses();
  await storage?.drop();
});

/** The audit writer's finished after-persist runs, from the server's /metrics. */
async function auditRuns(server: ServerProcess): Promise<number> {
  const response = await fetch(`${server.http}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  const prefix = 'collab_after_persist_runs_total{extension="audit-trail"} ';
  const line = (await response.text()).split('\n').find((entry) => entry.startsWith(prefix));
  return line ? Number(line.slice(prefix.length)) : 0;
}

async function auditRows(checklistId: string) {
  return storage.use(async (db) => {
    const { rows } = await db.ownerQuery<{ kind: string; item_id: string | null; field: string | null; new_value: unknown; user_id: string }>(
      `select kind, item_id, field, new_value, user_id from public.audit_trail where checklist_id = $1 order by id`,
      [checklistId],
    );
    return rows.map(({ kind, item_id, field, new_value, user_id }) => ({ kind, item_id, field, new_value, user_id }));
  });
}

describe('audit trail across a crash', () => {
  it('audits the logged edits the killed server had not audited, naming each author, once', async () => {
    const checklist = fx.checklists[0]!;
    const [alice, bob] = [fx.editors[0]!, fx.editors[1]!];
    let server = await startServerProcess({ port, env: serverEnv() });
    const aliceClient = connectStockClient(server.url, checklist.id, alice.token, 'alice');
    const bobClient = connectStockClient(server.url, checklist.id, bob.token, 'bob');
    clients.push(aliceClient, bobClient);
    await Promise.all([aliceClient.synced(), bobClient.synced()]);

    // The first run after a quiet spell goes at once: alice's item is audited before the crash.
    const item = addItem(aliceClient.doc, { sectionId: checklist.sectionId, title: 'Grid connection offer' });
    await waitFor(async () => (await auditRuns(server)) >= 1, 30_000, 'the audit writer to audit the first edit');
    const runsBefore = await auditRuns(server);

    // Two people edit; the server logs both as their authors, and the audit writer's next run is 10 minutes away.
    // (bob edits once he sees alice's change, so the server applies them in this order.)
    updateItem(aliceClient.doc, item, { status: 'done' });
    const bobItems = bobClient.doc.getMap<Y.Map<unknown>>('items');
    await waitFor(() => bobItems.get(item)?.get('status') === 'done', 30_000, 'bob to see alice’s change');
    const second = addItem(bobClient.doc, { sectionId: checklist.sectionId, title: 'Transmission capacity study' });
    updateItem(bobClient.doc, item, { risk: 'high' });
    await waitFor(() => aliceClient.doc.getMap<Y.Map<unknown>>('items').get(item)?.get('risk') === 'high', 30_000, 'alice to see bob’s changes');
    await waitPersisted(server.http);
    expect(await auditRuns(server)).toBe(runsBefore);

    await server.crash();
    expect((await server.exited).signal).toBe('SIGKILL');
    for (const client of clients.splice(0)) client.destroy();

    const created = { kind: 'item_created', item_id: item, field: null, user_id: alice.id };
    // What the killed server left: the log holds every edit, the trail only the first.
    expect((await auditRows(checklist.id)).map(({ new_value: _, ...row }) => row)).toEqual([created]);

    // The restarted server audits the rest when the document is loaded (a viewer only reads it).
    server = await startServerProcess({ port, env: serverEnv() });
    const reader = connectStockClient(server.url, checklist.id, fx.viewer.token, 'reader');
    clients.push(reader);
    await reader.synced();
    const expected = [
      created,
      { kind: 'item_field', item_id: item, field: 'status', user_id: alice.id },
      { kind: 'item_created', item_id: second, field: null, user_id: bob.id },
      { kind: 'item_field', item_id: item, field: 'risk', user_id: bob.id },
    ];
    const withoutValues = async () => (await auditRows(checklist.id)).map(({ new_value: _, ...row }) => row);
    if (storage.kind === 'postgres') {
      // Postgres is shared: the rows are seen while the server runs, without any further edit or unload.
      await waitFor(async () => (await withoutValues()).length >= expected.length, 30_000, 'the replayed audit rows');
    }
    // PGlite has one owner: read after a graceful stop (which waits for the audit writer's writes).
    expect((await server.stop()).code).toBe(0);
    const rows = await auditRows(checklist.id);
    expect(rows.map(({ new_value: _, ...row }) => row)).toEqual(expected);
    expect(rows.find((row) => row.field === 'status')?.new_value).toBe('done');
    expect(rows.find((row) => row.field === 'risk')?.new_value).toBe('high');
  }, 180_000);
});
