import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { addSection } from '@tieout/doc-model';
import { openScratchDatabase } from '@tieout/db/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { configProblems as problems } from '@tieout/config/testing';
import { createLogger } from '@tieout/config';
import { CloseCode, loadCollabConfig, loadCollabTuning, startCollabServer, versionTimingFromEnv } from '../src/index.ts';
import { connectClient, createFixture, getJson, storedDoc, tokenFor, waitFor, JWT_SECRET } from '../src/testing.ts';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('configuration', () => {
  it('applies defaults and reads limits from the environment', () => {
    const config = loadCollabConfig({ SUPABASE_JWT_SECRET: JWT_SECRET, COLLAB_MAX_MESSAGE_BYTES: '2048', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.port).toBe(1234);
    expect(config.limits.maxMessageBytes).toBe(2048);
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', keyPrefix: 'tieout:collab:' });
    expect(config.auth.jwtSecret).toBe(JWT_SECRET);
  });

  it('reads the same tuning for a server attached to the app, without the standalone settings', () => {
    const tuning = loadCollabTuning({ NODE_ENV: 'production', COLLAB_PERSIST_WINDOW_MS: '250', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(tuning.redis?.url).toBe('redis://127.0.0.1:6379');
    expect(tuning.timing.persistWindowMs).toBe(250);
    expect(tuning.limits).toEqual(loadCollabConfig({ SUPABASE_JWT_SECRET: JWT_SECRET }).limits);
    expect(() => loadCollabTuning({ COLLAB_MESSAGE_BURST: 'lots' })).toThrow(/COLLAB_MESSAGE_BURST/);
  });

  it('reads the spacing of the afterPersist runs (decision 175) and hands it to the server', async () => {
    expect(loadCollabTuning({}).afterPersist).toEqual({ afterPersistIntervalMs: 1000, afterPersistMaxIntervalMs: 5000 });
    expect(loadCollabTuning({ COLLAB_AFTER_PERSIST_INTERVAL_MS: '0' }).afterPersist).toEqual({
      afterPersistIntervalMs: 0,
      afterPersistMaxIntervalMs: 5000,
    });
    // A maximum left unset is never below the interval.
    expect(loadCollabTuning({ COLLAB_AFTER_PERSIST_INTERVAL_MS: '8000' }).afterPersist).toEqual({
      afterPersistIntervalMs: 8000,
      afterPersistMaxIntervalMs: 8000,
    });
    const config = loadCollabConfig({
      SUPABASE_JWT_SECRET: JWT_SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      COLLAB_AFTER_PERSIST_INTERVAL_MS: '250',
      COLLAB_AFTER_PERSIST_MAX_INTERVAL_MS: '2000',
    });
    expect(config.afterPersist).toEqual({ afterPersistIntervalMs: 250, afterPersistMaxIntervalMs: 2000 });
    const scratch = await openScratchDatabase({ label: 'collab_after_persist_env' });
    cleanups.push(() => scratch.dispose());
    const server = await startCollabServer(config, { db: scratch.db, logger: createLogger('collab', { level: 'silent' }) });
    cleanups.push(() => server.close());
    expect(server.collab.lifecycle.afterPersistIntervalMs).toBe(250);
    expect(server.collab.lifecycle.afterPersistMaxIntervalMs).toBe(2000);
  });

  it('rejects a bad afterPersist spacing with the variable named, in both readers', () => {
    for (const read of [loadCollabTuning, (e: Record<string, string>) => loadCollabConfig({ SUPABASE_JWT_SECRET: JWT_SECRET, ...e })]) {
      expect(
        problems(() => read({ COLLAB_AFTER_PERSIST_INTERVAL_MS: 'soon', COLLAB_AFTER_PERSIST_MAX_INTERVAL_MS: '-5' })).map((p) => p.variable),
      ).toEqual(['COLLAB_AFTER_PERSIST_INTERVAL_MS', 'COLLAB_AFTER_PERSIST_MAX_INTERVAL_MS']);
      expect(problems(() => read({ COLLAB_AFTER_PERSIST_INTERVAL_MS: '3000', COLLAB_AFTER_PERSIST_MAX_INTERVAL_MS: '1000' }))).toEqual([
        { variable: 'COLLAB_AFTER_PERSIST_MAX_INTERVAL_MS', message: 'must be at least COLLAB_AFTER_PERSIST_INTERVAL_MS (3000)' },
      ]);
    }
  });

  it('rejects bad values with a ConfigError (@tieout/config) naming every variable', () => {
    const bad = problems(() =>
      loadCollabConfig({
        SUPABASE_JWT_SECRET: JWT_SECRET,
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        COLLAB_MESSAGES_PER_SECOND: '-1',
        LOG_LEVEL: 'loud',
        COLLAB_MIGRATE: 'maybe',
      }),
    );
    expect(bad.map((problem) => problem.variable)).toEqual(['COLLAB_MESSAGES_PER_SECOND', 'PORT', 'DATABASE_URL', 'LOG_LEVEL', 'COLLAB_MIGRATE']);
    expect(bad.find((problem) => problem.variable === 'COLLAB_MIGRATE')?.message).toBe('use true or false');
    // No default secret in any NODE_ENV (decision 100).
    for (const NODE_ENV of ['production', 'development', 'test']) {
      const [missing] = problems(() => loadCollabConfig({ NODE_ENV }));
      expect(missing?.variable).toBe('SUPABASE_JWT_SECRET');
      expect(missing?.message).toMatch(/required unless SUPABASE_URL is set: .*there is no default secret/);
    }
    expect(problems(() => loadCollabConfig({ SUPABASE_JWT_SECRET: 'short' }))).toEqual([
      { variable: 'SUPABASE_JWT_SECRET', message: 'must be at least 32 characters' },
    ]);
    expect(problems(() => versionTimingFromEnv({ COLLAB_VERSION_QUIET_MS: 'soon' })).map((problem) => problem.variable)).toEqual([
      'COLLAB_VERSION_QUIET_MS',
    ]);
  });

  it('stops the process at start (exit 2) with every problem listed in one fatal line', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: { ...process.env, SUPABASE_JWT_SECRET: JWT_SECRET, PORT: 'eighty', COLLAB_VERSION_QUIET_MS: 'soon' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    const line = JSON.parse(output.trim().split('\n').at(-1)!);
    expect(line).toMatchObject({ level: 60, name: 'collab' });
    expect(line.problems.map((problem: { variable: string }) => problem.variable)).toEqual(['PORT', 'COLLAB_VERSION_QUIET_MS']);
  });
});

describe('standalone process (src/main.ts)', () => {
  it('serves, and on SIGTERM writes pending edits, closes clients with 1001 and exits 0', async () => {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      PORT: '0',
      HOST: '127.0.0.1',
      SUPABASE_JWT_SECRET: JWT_SECRET,
      LOG_LEVEL: 'info',
      COLLAB_PERSIST_WINDOW_MS: '60000',
    };
    const scratch = await openScratchDatabase({ label: 'collab_main', persistent: true });
    cleanups.push(() => scratch.dispose());
    Object.assign(env, scratch.env);
    const { db } = scratch;
    const fx = await createFixture(db);
    if (db.kind === 'pglite') await db.close(); // PGlite storage has one owner at a time: hand it to the child.

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: serverDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => void child.kill('SIGKILL'));
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => /collaboration server listening/.test(output), 'the server to listen', 60_000);
    const port = Number(/"port":(\d+)/.exec(output)![1]);

    expect((await getJson(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await getJson(`http://127.0.0.1:${port}/readyz`)).body.ready).toBe(true);
    const client = connectClient(`ws://127.0.0.1:${port}/collab`, fx.checklistId, await tokenFor(fx.users.editor));
    const viewer = connectClient(`ws://127.0.0.1:${port}/collab`, fx.checklistId, await tokenFor(fx.users.viewer));
    await Promise.all([client.synced(), viewer.synced()]);
    const id = addSection(client.doc, { title: 'Written on SIGTERM' });
    // The server has it (it relayed it to the viewer); its persist window is a minute, so it is still pending.
    await waitFor(() => viewer.doc.getMap('sections').has(id), 'the edit at the viewer');
    expect(output).toMatch(/"msg":"connection opened"/);
    expect(output).toMatch(new RegExp(`"userId":"${fx.users.editor.id}"`));

    child.kill('SIGTERM');
    expect((await client.closed).code).toBe(CloseCode.goingAway);
    expect(await exited).toBe(0);
    client.destroy();
    viewer.destroy();

    const after = db.kind === 'pglite' ? await scratch.open() : db;
    expect((await storedDoc(after, fx.checklistId)).getMap('sections').has(id)).toBe(true);
  }, 120_000);
});
