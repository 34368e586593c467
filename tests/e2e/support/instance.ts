/**
 * Starts the built app as `npm start` does (NODE_ENV=production, embedded auth, no SUPABASE_JWT_SECRET) on data
 * that a test owns, so it can be stopped and started again on the same data. Listens on an ephemeral port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openScratchDatabase } from '@tieout/db/testing';

const appDir = fileURLToPath(new URL('../../../app/', import.meta.url));

export interface InstanceData {
  /** The environment naming the data: PGLITE_DATA_DIR, or DATABASE_URL of a database made for this test. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/** A new, empty place for an instance's data (a scratch database the app migrates as it starts). */
export async function freshInstanceData(label: string): Promise<InstanceData> {
  const scratch = await openScratchDatabase({ label: `e2e_${label}`, migrate: false, persistent: true, connect: false });
  return { env: scratch.env, dispose: () => scratch.dispose() };
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
