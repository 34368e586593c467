import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { connectStockClient, Editor, missingEdits, type StockClient } from './support/clients.ts';
import { createFaultFixture } from './support/fixture.ts';
import { crashAllServerProcesses, freePort, readiness, startServerProcess, waitPersisted, type ServerProcess } from './support/server-process.ts';
import { createFaultStorage, loadStoredDoc, type FaultStorage } from './support/storage.ts';
import { waitFor } from './support/wait.ts';

/*
 * The machine's Postgres restarts (pg_ctlcluster restart) while clients edit.
 * Proves: nothing is lost (the write-behind queue keeps and retries), /readyz reports the outage and the
 * server recovers by itself. This restarts the machine's shared Postgres: one restart, and it must stay the
 * last test of this file (vitest runs files one at a time on this 2-core machine: see decision 061).
 */
const execFileAsync = promisify(execFile);
const skipReason = !process.env.DATABASE_URL
  ? 'DATABASE_URL is not set: PGlite runs inside the server process and cannot be restarted on its own'
  : process.getuid?.() !== 0
    ? 'restarting the Postgres cluster needs root'
    : null;

const pgIsReady = async () => {
  const { hostname, port } = new URL(process.env.DATABASE_URL!);
  try {
    await execFileAsync('pg_isready', ['-q', '-h', hostname, '-p', port || '5432']);
    return true;
  } catch {
    return false;
  }
};

let storage: FaultStorage | null = null;
let server: ServerProcess | null = null;
const clients: StockClient[] = [];

afterAll(async () => {
  await crashAllServerProcesses();
  for (const client of clients) client.destroy();
  await server?.crash();
  if (skipReason === null) await waitFor(pgIsReady, 60_000, 'Postgres to accept connections again');
  await storage?.drop();
});

describe.skipIf(skipReason !== null)(`Postgres restart during editing${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('loses no edit and recovers by itself; /readyz goes unhealthy, then healthy', async () => {
    storage = await createFaultStorage('pgrestart');
    const fx = await storage.use((db) => createFaultFixture(db, { editors: 3 }));
    const checklist = fx.checklists[0]!;
    server = await startServerProcess({ port: await freePort(), env: { ...storage.env, LOG_LEVEL: 'warn', COLLAB_PERSIST_WINDOW_MS: '100' } });
    const editors = [0, 1, 2].map((index) => {
      const client = connectStockClient(server!.url, checklist.id, fx.editors[index]!.token, `pg${index}`);
      clients.push(client);
      return new Editor(client, checklist.sectionId);
    });
    await Promise.all(editors.map((editor) => editor.client.synced()));
    expect((await readiness(server.http)).ready).toBe(true);

    // /readyz sampled every 50 ms throughout (one request at a time).
    const statuses: number[] = [];
    let sampling: Promise<void> | null = null;
    const sampler = setInterval(() => {
      sampling ??= readiness(server!.http).then(({ status }) => {
        statuses.push(status);
        sampling = null;
      });
    }, 50);

    for (const editor of editors) editor.start(30);
    await waitFor(() => editors.every((editor) => editor.made.length >= 30), 30_000, 'steady editing');
    await execFileAsync('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'main', 'restart'], { timeout: 120_000 });
    await waitFor(pgIsReady, 60_000, 'Postgres to accept connections again');
    // Editing goes on through the recovery.
    const madeAtRestart = editors.map((editor) => editor.made.length);
    await waitFor(() => editors.every((editor, index) => editor.made.length >= madeAtRestart[index]! + 30), 30_000, 'editing after the restart');
    expect(server.child.exitCode, `the server process died:\n${server.output().slice(-3000)}`).toBeNull();
    expect(editors.every((editor) => editor.client.provider.wsconnected)).toBe(true);
    for (const editor of editors) editor.stop();
    const all = editors.flatMap((editor) => editor.made);

    // No restart of the server, no nudge: it must get back to ready with nothing pending.
    await waitPersisted(server.http, 60_000).catch(async (error: unknown) => {
      throw new Error(
        `${String(error)}; readyz: ${JSON.stringify(await readiness(server!.http))}; server log tail:\n${server!.output().slice(-3000)}`,
      );
    });
    clearInterval(sampler);
    await sampling;
    const firstBad = statuses.findIndex((status) => status !== 200);
    expect(firstBad, `readyz statuses: ${statuses.join(',')}`).toBeGreaterThan(-1);
    expect(statuses[firstBad]).toBe(503);
    expect(statuses.at(-1)).toBe(200);
    // The server stayed up for its clients throughout: they kept their connections and see each other's edits.
    for (const editor of editors) expect(missingEdits(editor.client.doc, all)).toEqual([]);

    const code = await server.stop();
    expect(code.code).toBe(0);
    server = null;
    const stored = await storage.use((db) => loadStoredDoc(db, checklist.id));
    expect(missingEdits(stored, all)).toEqual([]);
  }, 300_000);
});
