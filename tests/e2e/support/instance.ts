/**
 * Starts the built app as `npm start` does (NODE_ENV=production, embedded auth, no SUPABASE_JWT_SECRET) on data
 * that a test owns, so it can be stopped and started again on the same data. Listens on an ephemeral port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const appDir = fileURLToPath(new URL('../../../app/', import.meta.url));

export interface InstanceData {
  /** The environment naming the data: PGLITE_DATA_DIR, or DATABASE_URL of a database made for this test. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/** A new, empty place for an instance's data: a PGlite directory, or a new database on DATABASE_URL's server. */
export async function freshInstanceData(label: string): Promise<InstanceData> {
  if (!process.env.DATABASE_URL) return { env: { PGLITE_DATA_DIR: mkdtempSync(join(tmpdir(), `tieout-${label}-`)) }, dispose: async () => {} };
  const admin = new URL(process.env.DATABASE_URL);
  const name = `tieout_e2e_${label}_${Date.now()}`.replace(/[^a-z0-9_]/g, '_');
  const run = async (text: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await run(`create database "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { env: { DATABASE_URL: url.toString() }, dispose: () => run(`drop database if exists "${name}" with (force)`) };
}

export interface AppInstance {
  url: string;
  /** SIGTERM, and wait for the process to exit. */
  stop(): Promise<void>;
}

export async function startInstance(data: InstanceData, extraEnv: Record<string, string> = {}): Promise<AppInstance> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', ...data.env, ...extraEnv };
  for (const name of ['SUPABASE_JWT_SECRET', 'SUPABASE_URL', 'SUPABASE_ANON_KEY', 'COLLAB_URL'] as const) {
    if (!(name in extraEnv)) delete env[name];
  }
  if (!data.env.DATABASE_URL) delete env.DATABASE_URL;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Tieout listening on http:\/\/localhost:(\d+)/.exec(output);
      if (match) resolve(`http://127.0.0.1:${match[1]}`);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`The app exited (${code}) before listening:\n${output}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
