import { addItem, deleteItem, updateItem } from '@tieout/doc-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStockClient, type StockClient } from './support/clients.ts';
import { createFaultFixture, type FaultFixture } from './support/fixture.ts';
import { crashAllServerProcesses, freePort, startServerProcess, waitPersisted, type ServerProcess } from './support/server-process.ts';
import { createFaultStorage, type FaultStorage } from './support/storage.ts';
import { waitFor } from './support/wait.ts';

/*
 * The standalone collaboration server (server/src/main.ts, its own process, no app) runs the same after-write
 * pipeline as the embedded one (defaultExtensions): edits made through it with a stock y-websocket client reach
 * public.checklist_items and public.audit_trail.
 */

let storage: FaultStorage;
let fx: FaultFixture;
let server: ServerProcess | null = null;
const clients: StockClient[] = [];

beforeAll(async () => {
  storage = await createFaultStorage('after_persist');
  fx = await storage.use((db) => createFaultFixture(db, { editors: 2 }));
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await crashAllServerProcesses();
  await storage?.drop();
});

type ItemRow = {
  item_id: string;
  title: string;
  status: string;
};

async function projectedRows(checklistId: string): Promise<ItemRow[]> {
  return storage.use(async (db) => {
    const { rows } = await db.ownerQuery<ItemRow>(
      `select item_id, title, status from public.checklist_items where checklist_id = $1 order by title`,
      [checklistId],
    );
    return rows;
  });
}

async function auditRows(checklistId: string) {
  return storage.use(async (db) => {
    const { rows } = await db.ownerQuery<{ kind: string; item_id: string | null; field: string | null; new_value: unknown; user_id: string }>(
      `select kind, item_id, field, new_value, user_id from public.audit_trail where checklist_id = $1 order by id`,
      [checklistId],
    );
    return rows;
  });
}

async function versionCount(checklistId: string) {
  return storage.use(async (db) => {
    const { rows } = await db.ownerQuery<{ n: number }>(`select count(*)::int as n from public.document_versions where checklist_id = $1`, [
      checklistId,
    ]);
    return rows[0]!.n;
  });
}

describe('standalone collaboration server', () => {
  it('keeps the projection, the audit trail and the versions current for edits made through it', async () => {
    const checklist = fx.checklists[0]!;
    server = await startServerProcess({ port: await freePort(), env: { ...storage.env, COLLAB_PERSIST_WINDOW_MS: '50', LOG_LEVEL: 'warn' } });
    const client = connectStockClient(server.url, checklist.id, fx.editors[0]!.token, 'alice');
    clients.push(client);
    await client.synced();

    const kept = addItem(client.doc, { sectionId: checklist.sectionId, title: 'Utility interconnection agreement' });
    const gone = addItem(client.doc, { sectionId: checklist.sectionId, title: 'Phase I environmental report' });
    await waitPersisted(server.http);
    updateItem(client.doc, kept, { status: 'done' });
    deleteItem(client.doc, gone);
    await waitPersisted(server.http);

    const expected = [{ item_id: kept, title: 'Utility interconnection agreement', status: 'done' }];
    if (storage.kind === 'postgres') {
      // Postgres is shared: the rows are seen while the server runs.
      await waitFor(async () => JSON.stringify(await projectedRows(checklist.id)) === JSON.stringify(expected), 20_000, 'the projection');
    }
    // A graceful stop waits for the after-persist work; PGlite has one owner, so it is read after the stop.
    expect((await server.stop()).code).toBe(0);
    expect(await projectedRows(checklist.id)).toEqual(expected);
    const audit = await auditRows(checklist.id);
    const alice = fx.editors[0]!.id;
    expect(audit.map(({ kind, item_id, field, user_id }) => ({ kind, item_id, field, user_id }))).toEqual([
      { kind: 'item_created', item_id: kept, field: null, user_id: alice },
      { kind: 'item_created', item_id: gone, field: null, user_id: alice },
      { kind: 'item_field', item_id: kept, field: 'status', user_id: alice },
      { kind: 'item_deleted', item_id: gone, field: null, user_id: alice },
    ]);
    // The edits since the last version are recorded as one as the server shuts down.
    expect(await versionCount(checklist.id)).toBe(1);
  });
});
