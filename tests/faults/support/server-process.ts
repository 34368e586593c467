import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { FAULT_JWT_SECRET } from './fixture.ts';
import { waitFor } from './wait.ts';

const serverDir = fileURLToPath(new URL('../../../server/', import.meta.url));

/** A port nobody listens on right now (loopback), so a server can be restarted on the same one. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  /** ws://127.0.0.1:<port>/collab */
  url: string;
  http: string;
  /** Everything the process logged (pino JSON lines). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** kill -9: no flush, no close frames. */
  crash(): Promise<void>;
  /** SIGTERM: the server's own graceful shutdown (flushes pending writes). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resident set size in bytes, from /proc. */
  rssBytes(): number;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** kill -9 every server process this test process started and that still runs (for afterAll). */
export async function crashAllServerProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Starts the collaboration server (server/src/main.ts under tsx) as its own process and waits until it listens. */
export async function startServerProcess(options: { port: number; env: Record<string, string>; startTimeoutMs?: number }): Promise<ServerProcess> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    SUPABASE_JWT_SECRET: FAULT_JWT_SECRET,
    LOG_LEVEL: 'info',
    COLLAB_MIGRATE: 'false',
    ...options.env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: serverDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  const http = `http://127.0.0.1:${options.port}`;
  await waitFor(
    async () => {
      if (exitedEarly) throw new Error(`server process exited before listening:\n${output.slice(-4000)}`);
      return (await healthz(http)) === 200;
    },
    options.startTimeoutMs ?? 60_000,
    `the server process on port ${options.port} to answer /healthz`,
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    child,
    pid: child.pid!,
    port: options.port,
    url: `ws://127.0.0.1:${options.port}/collab`,
    http,
    output: () => output,
    exited,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    rssBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
      return kb * 1024;
    },
  };
}

export interface Readiness {
  status: number;
  ready: boolean;
  database?: boolean;
  redis?: boolean | null;
  connections?: number;
  pendingUpdates?: number;
  failingDocuments?: number;
}

/** GET /readyz; a refused connection or timeout reads as status 0. */
export async function readiness(http: string): Promise<Readiness> {
  try {
    const response = await fetch(`${http}/readyz`, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as Omit<Readiness, 'status'>;
    return { ...body, status: response.status };
  } catch {
    return { status: 0, ready: false };
  }
}

export async function healthz(http: string): Promise<number> {
  try {
    const response = await fetch(`${http}/healthz`, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Waits until the server reports ready with nothing left to write. */
export async function waitPersisted(http: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () => {
      const state = await readiness(http);
      return state.ready && state.pendingUpdates === 0;
    },
    timeoutMs,
    'the server to write every pending update',
  );
}
