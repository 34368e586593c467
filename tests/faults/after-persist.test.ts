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

interface ItemRow {
  item_id: string;
  title: string;
  status: string;
}

async function projectedRows(checklistId: string): Promise<ItemRow[]> {
  return storage.use(async (db) => {
    const { rows } = await db.ownerQuery<ItemRow>(
      `select item_id, title, status from public.checklist_items where checklist_id = $1 order by title`,
      [checklistId],
    );
    return rows;
  });
}

describe('standalone collaboration server', () => {
  it('keeps the projection current for edits made through it', async () => {
    const checklist = fx.checklists[0]!;
    server = await startServerProcess({ port: await freePort(), env: { ...storage.env, COLLAB_PERSIST_WINDOW_MS: '50', LOG_LEVEL: 'warn' } });
    const alice = connectStockClient(server.url, checklist.id, fx.editors[0]!.token, 'alice');
    clients.push(alice);
    await alice.synced();

    const kept = addItem(alice.doc, { sectionId: checklist.sectionId, title: 'Utility interconnection agreement' });
    const gone = addItem(alice.doc, { sectionId: checklist.sectionId, title: 'Phase I environmental report' });
    await waitPersisted(server.http);
    updateItem(alice.doc, kept, { status: 'done' });
    deleteItem(alice.doc, gone);
    await waitPersisted(server.http);

    const expected = [{ item_id: kept, title: 'Utility interconnection agreement', status: 'done' }];
    if (storage.kind === 'postgres') {
      // Postgres is shared: the rows are seen while the server runs.
      await waitFor(async () => JSON.stringify(await projectedRows(checklist.id)) === JSON.stringify(expected), 20_000, 'the projection');
    }
    // A graceful stop waits for the after-persist work; PGlite has one owner, so it is read after the stop.
    expect((await server.stop()).code).toBe(0);
    expect(await projectedRows(checklist.id)).toEqual(expected);
  });
});
