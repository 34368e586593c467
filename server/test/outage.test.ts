import { addSection } from '@tieout/doc-model';
import type { Database } from '@tieout/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../src/index.ts';
import {
  connectClient,
  createFixture,
  createTestDatabase,
  getJson,
  rawClient,
  startServer,
  storedAuthors,
  storedDoc,
  tokenFor,
  waitFor,
  withOutage,
  type TestDatabase,
} from './support.ts';

let storage: TestDatabase;
let db: Database;

beforeAll(async () => {
  storage = await createTestDatabase();
  db = await storage.open();
});
afterAll(async () => storage?.drop());

describe('database unavailability', () => {
  it('keeps serving from memory, reports not ready, retries, and writes everything once the database is back', async () => {
    const fx = await createFixture(db);
    const outage = withOutage(db);
    const server = await startServer(outage.db, { timing: { persistWindowMs: 10, persistRetryMinMs: 50, persistRetryMaxMs: 200 } });
    const http = `http://127.0.0.1:${server.port}/collab`;
    const editor = connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor));
    const viewer = connectClient(server.url, fx.checklistId, await tokenFor(fx.users.viewer));
    await Promise.all([editor.synced(), viewer.synced()]);
    expect((await getJson(`${http}/readyz`)).status).toBe(200);

    outage.setDown(true);
    const sections = ['Cooling retrofit', 'Substation upgrade', 'Fibre diversity'].map((title) => addSection(editor.doc, { title }));
    await waitFor(() => sections.every((id) => viewer.doc.getMap('sections').has(id)), 5000, 'edits served from memory');
    await waitFor(async () => (await getJson(`${http}/readyz`)).body.failingDocuments === 1, 5000, 'readyz to report the failing document');
    const down = await getJson(`${http}/readyz`);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ ready: false, database: false, pendingUpdates: expect.any(Number) });
    expect(down.body.pendingUpdates).toBeGreaterThan(0);
    expect((await getJson(`${http}/healthz`)).status).toBe(200);

    // New sessions cannot be authorized meanwhile: told to try again later (the provider retries).
    const late = rawClient(`${server.url}/${fx.checklistId}?token=${await tokenFor(fx.users.owner)}`);
    expect((await late.closed).code).toBe(CloseCode.tryAgainLater);
    expect(await storedAuthors(db, fx.checklistId)).toEqual([]);

    outage.setDown(false);
    await waitFor(async () => (await getJson(`${http}/readyz`)).status === 200, 10_000, 'readyz to recover');
    const stored = await storedDoc(db, fx.checklistId);
    for (const id of sections) expect(stored.getMap('sections').has(id)).toBe(true);
    expect(await storedAuthors(db, fx.checklistId)).toEqual([fx.users.editor.id]);

    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(metrics).toMatch(/collab_errors_total\{kind="persist_failed"\} [1-9]/);
    editor.destroy();
    viewer.destroy();
    await server.close();
  });

  it('on shutdown writes what is pending, then closes clients with 1001', async () => {
    const fx = await createFixture(db);
    const server = await startServer(db, { timing: { persistWindowMs: 60_000, persistMaxBatchBytes: 10_000_000 } });
    const editor = connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor));
    await editor.synced();
    const id = addSection(editor.doc, { title: 'Written on shutdown' });
    await waitFor(() => server.collab.loadedDocument(fx.checklistId)?.getMap('sections').has(id) === true);
    expect(await storedAuthors(db, fx.checklistId)).toEqual([]);
    await server.close();
    expect((await editor.closed).code).toBe(CloseCode.goingAway);
    expect((await storedDoc(db, fx.checklistId)).getMap('sections').has(id)).toBe(true);
    editor.destroy();
  });
});
