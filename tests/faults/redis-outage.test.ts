import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectStockClient, Editor, missingEdits, type StockClient } from './support/clients.ts';
import { createFaultFixture, type FaultFixture } from './support/fixture.ts';
import { redisAnswers, redisServerInstalled, startRedis, type RedisProcess } from './support/redis-process.ts';
import { crashAllServerProcesses, freePort, readiness, startServerProcess, waitPersisted, type ServerProcess } from './support/server-process.ts';
import { createFaultStorage, loadStoredDoc, type FaultStorage } from './support/storage.ts';
import { waitFor } from './support/wait.ts';

/*
 * Two server processes fanning out through a redis-server of the test's own; it is killed with SIGKILL while
 * clients of both edit, then restarted on the same port.
 * Proves: without Redis each process goes on serving its own clients; once Redis is back both converge, and
 * every edit is stored (each process writes its own clients' edits).
 * On PGlite (single-process storage) each server has its own copy of the fixture, so "stored" means: the
 * union of both stores holds every edit.
 */
const redisWanted = Boolean(process.env.REDIS_URL) || (await redisAnswers(6379));
const skipReason = !redisServerInstalled()
  ? 'redis-server is not installed'
  : !redisWanted
    ? 'no Redis in this environment (REDIS_URL unset and nothing answers at 127.0.0.1:6379)'
    : null;

const storages: FaultStorage[] = [];
const servers: ServerProcess[] = [];
const clients: StockClient[] = [];
let redis: RedisProcess | null = null;

afterAll(async () => {
  await crashAllServerProcesses();
  for (const client of clients) client.destroy();
  for (const server of servers) await server.crash();
  await redis?.crash();
  for (const storage of storages) await storage.drop();
});

describe.skipIf(skipReason !== null)(`Redis outage between two server processes${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('serves each process its own clients while Redis is down, then converges with nothing lost', async () => {
    const first = await createFaultStorage('redis');
    storages.push(first);
    const fx: FaultFixture = await first.use((db) => createFaultFixture(db, { editors: 4 }));
    let second = first;
    if (first.kind === 'pglite') {
      second = first.clone('redis2');
      storages.push(second);
    }
    const checklist = fx.checklists[0]!;
    const redisPort = await freePort();
    redis = await startRedis(redisPort);
    const env = (storage: FaultStorage) => ({
      ...storage.env,
      REDIS_URL: redis!.url,
      LOG_LEVEL: process.env.FAULTS_LOG ?? 'warn',
      COLLAB_PERSIST_WINDOW_MS: '100',
    });
    const [a, b] = await Promise.all([
      startServerProcess({ port: await freePort(), env: env(first) }),
      startServerProcess({ port: await freePort(), env: env(second) }),
    ]);
    servers.push(a!, b!);
    const connect = (server: ServerProcess, index: number, name: string) => {
      const client = connectStockClient(server.url, checklist.id, fx.editors[index]!.token, name);
      clients.push(client);
      return new Editor(client, checklist.sectionId);
    };
    const onA = [connect(a!, 0, 'a1'), connect(a!, 1, 'a2')];
    const onB = [connect(b!, 2, 'b1'), connect(b!, 3, 'b2')];
    const everyone = [...onA, ...onB];
    await Promise.all(everyone.map((editor) => editor.client.synced()));
    const made = () => everyone.flatMap((editor) => editor.made);

    for (const editor of everyone) editor.start(40);
    await waitFor(() => everyone.every((editor) => editor.made.length >= 20), 30_000, 'steady editing');
    const beforeOutage = made();
    await waitFor(() => everyone.every((editor) => missingEdits(editor.client.doc, beforeOutage).length === 0), 30_000, 'fan-out through Redis');

    await redis.crash();
    await waitFor(
      async () => (await readiness(a!.http)).redis === false && (await readiness(b!.http)).redis === false,
      30_000,
      'both servers to notice',
    );
    const madeAtOutage = new Map(everyone.map((editor) => [editor, editor.made.length]));
    const newSince = (editor: Editor) => editor.made.slice(madeAtOutage.get(editor)!);
    // Each process keeps serving its own clients: a1 sees a2's new edits, b1 sees b2's.
    await waitFor(
      () =>
        everyone.every((editor) => newSince(editor).length > 10) &&
        missingEdits(onA[0]!.client.doc, newSince(onA[1]!)).length === 0 &&
        missingEdits(onB[0]!.client.doc, newSince(onB[1]!)).length === 0,
      30_000,
      'each process to serve its own clients while Redis is down',
    );
    // ...and nothing crosses between them while Redis is down: b1 made its edits before a2 made the ones a1 has.
    const crossing = newSince(onB[0]!);
    expect(crossing.length).toBeGreaterThan(5);
    expect(missingEdits(onA[0]!.client.doc, crossing)).toEqual(crossing);

    // Nobody edits when Redis comes back: convergence must come from the servers' own catch-up.
    for (const editor of everyone) editor.stop();
    const all = made();
    // b is stalled (a long GC pause, a descheduled container) while Redis returns, so a reconnects first.
    b!.child.kill('SIGSTOP');
    redis = await startRedis(redisPort);
    await waitFor(async () => (await readiness(a!.http)).ready, 60_000, 'a ready again');
    b!.child.kill('SIGCONT');
    await waitFor(async () => (await readiness(b!.http)).ready, 60_000, 'b ready again');
    await waitFor(() => everyone.every((editor) => missingEdits(editor.client.doc, all).length === 0), 60_000, 'every client to converge').catch(
      (error: unknown) => {
        throw new Error(
          `${String(error)}; missing per client: ${everyone.map((e) => `${e.client.name}=${missingEdits(e.client.doc, all).length}`).join(', ')}`,
        );
      },
    );

    await Promise.all([waitPersisted(a!.http), waitPersisted(b!.http)]);
    for (const server of servers.splice(0)) await server.stop();
    const stored = await Promise.all([...new Set([first, second])].map((storage) => storage.use((db) => loadStoredDoc(db, checklist.id))));
    const union = stored[0]!;
    for (const doc of stored.slice(1)) Y.applyUpdate(union, Y.encodeStateAsUpdate(doc));
    expect(missingEdits(union, all)).toEqual([]);
  }, 300_000);
});
