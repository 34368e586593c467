import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WireProtocol } from '../protocol.ts';
import type { ChildMessage, LoopDelay } from './child.ts';

/**
 * `tieout` is the deployed pipeline (every default extension); `tieout-core` the same server without the extensions'
 * afterPersist hooks (to measure that work's share of the server's CPU in the same run); `tieout-x2` two Tieout
 * processes sharing documents over Redis, each client connected to one of them and every room spanning both.
 */
export type ServerKind = 'reference' | 'hocuspocus' | 'tieout' | 'tieout-core' | 'tieout-x2';
export const SERVER_KINDS: ServerKind[] = ['tieout', 'hocuspocus', 'reference', 'tieout-core', 'tieout-x2'];
export const SERVER_LABELS: Record<ServerKind, string> = {
  tieout: 'Tieout',
  hocuspocus: 'Hocuspocus 4.7',
  reference: 'y-websocket reference',
  'tieout-core': 'Tieout without after-persist work',
  'tieout-x2': 'Tieout, 2 processes + Redis',
};
/** Variants of Tieout: measured in latency and throughput only (the other scenarios measure the deployed server). */
export const TIEOUT_VARIANTS: ServerKind[] = ['tieout-core', 'tieout-x2'];
export const isTieout = (kind: ServerKind) => kind === 'tieout' || TIEOUT_VARIANTS.includes(kind);
/** Where Redis is for the two-process variant (REDIS_URL, default the local one). */
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface RunningServer {
  kind: ServerKind;
  pid: number;
  port: number;
  protocol: WireProtocol;
  /** How many server processes share the documents (2 for tieout-x2): a client at `slot` of its room uses slot % processes. */
  processes: number;
  /** The socket URL of a document for the client at `slot` of its room (Hocuspocus names documents inside its messages instead). */
  urlFor(docName: string, slot?: number): string;
  /** Forces a GC in the server process, then reads VmRSS from /proc and the V8 heap. */
  memory(): Promise<{ rss: number; heapUsed: number }>;
  /** CPU seconds (user + system) the server process has used so far, from /proc/<pid>/stat. */
  cpuSeconds(): number;
  /** The event-loop delay since the previous call with `reset` (the worse process of several). */
  loopDelay(reset: boolean): Promise<LoopDelay>;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  core: number;
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
}

const tieoutMain = fileURLToPath(new URL('./tieout-main.ts', import.meta.url));
const entries: Record<ServerKind, string> = {
  reference: fileURLToPath(new URL('./reference-main.ts', import.meta.url)),
  hocuspocus: fileURLToPath(new URL('./hocuspocus-main.ts', import.meta.url)),
  tieout: tieoutMain,
  'tieout-core': tieoutMain,
  'tieout-x2': tieoutMain,
};

/**
 * The machine is shared with other work (other people's test runs), whose CPU bursts stall even an idle
 * process for tens of milliseconds. Every server and load generator therefore runs at `nice -n -20`, the
 * same for all servers (docs/decisions/050). Real-time scheduling was tried and rejected: under SCHED_FIFO
 * on one core, node and tsx's esbuild helper livelock at start-up. BENCH_SCHED=none runs at normal priority.
 */
export function schedulingPrefix(): string[] {
  const policy = process.env.BENCH_SCHED ?? 'nice';
  if (policy === 'nice') return ['nice', '-n', '-20'];
  if (policy === 'none') return [];
  throw new Error(`BENCH_SCHED must be nice or none (got "${policy}")`);
}

/**
 * Runs `command` pinned to `core` under the benchmark's scheduling policy, inside `timeout` so that no
 * benchmark process can outlive `maxSeconds` whatever happens to the runner. The node process reports
 * its own pid over IPC (the spawned pid is `timeout`'s).
 */
export function pinnedCommand(core: number, command: string[], maxSeconds = 3 * 3600): [string, string[]] {
  return ['timeout', ['-k', '10', String(maxSeconds), ...schedulingPrefix(), 'taskset', '-c', String(core), ...command]];
}

export const benchDir = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Starts a server in its own process pinned to one core with `taskset`; `tieout-x2` starts two processes on that
 * core, with a Redis key prefix of their own (other runs may share the Redis server), and reports their sum of CPU.
 */
export async function launchServer(kind: ServerKind, options: LaunchOptions): Promise<RunningServer> {
  if (kind === 'tieout-core') return launchOne(kind, { ...options, env: { ...options.env, BENCH_TIEOUT_AFTER_PERSIST: 'off' } });
  if (kind !== 'tieout-x2') return launchOne(kind, options);
  const env = { ...options.env, REDIS_URL: BENCH_REDIS_URL, REDIS_KEY_PREFIX: `tieout:bench:${randomBytes(6).toString('hex')}:` };
  const first = await launchOne(kind, { ...options, env });
  let second: RunningServer;
  try {
    second = await launchOne(kind, { ...options, env });
  } catch (error) {
    await first.stop();
    throw error;
  }
  const both = [first, second];
  return {
    kind,
    pid: first.pid,
    port: first.port,
    protocol: first.protocol,
    processes: 2,
    urlFor: (docName, slot = 0) => both[slot % 2]!.urlFor(docName),
    memory: async () => {
      const [a, b] = await Promise.all(both.map((server) => server.memory()));
      return { rss: a!.rss + b!.rss, heapUsed: a!.heapUsed + b!.heapUsed };
    },
    cpuSeconds: () => first.cpuSeconds() + second.cpuSeconds(),
    loopDelay: async (reset) => {
      const [a, b] = await Promise.all(both.map((server) => server.loopDelay(reset)));
      return { p50: Math.max(a!.p50, b!.p50), p99: Math.max(a!.p99, b!.p99), max: Math.max(a!.max, b!.max) };
    },
    stop: async () => {
      await Promise.all(both.map((server) => server.stop()));
    },
  };
}

async function launchOne(kind: ServerKind, options: LaunchOptions): Promise<RunningServer> {
  const [program, args] = pinnedCommand(options.core, [
    process.execPath,
    '--expose-gc',
    '--import',
    'tsx',
    ...(options.nodeFlags ?? []),
    entries[kind],
  ]);
  const child = spawn(program, args, {
    cwd: benchDir,
    env: { ...process.env, ...options.env, NODE_ENV: 'production' },
    // stdout is not read: a server logging into a full pipe must never block (or spin).
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
    if (process.env.BENCH_VERBOSE) process.stderr.write(chunk);
  });
  const { port, pid } = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start within 60 s\n${stderr}`)), 60_000);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve({ port: message.port, pid: message.pid });
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${kind} server failed to start: ${message.error}`));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited with ${code} before it was ready\n${stderr}`));
    });
  });
  const protocol: WireProtocol = kind === 'hocuspocus' ? 'hocuspocus' : 'y-websocket';
  return {
    kind,
    pid,
    port,
    protocol,
    processes: 1,
    urlFor: (docName) => (kind === 'hocuspocus' ? `ws://127.0.0.1:${port}/` : `ws://127.0.0.1:${port}/collab/${encodeURIComponent(docName)}`),
    memory: () => probeMemory(child, pid),
    cpuSeconds: () => processCpuSeconds(pid),
    loopDelay: (reset) => probeLoopDelay(child, reset),
    stop: () => stopChild(child),
  };
}

function probeMemory(child: ChildProcess, pid: number): Promise<{ rss: number; heapUsed: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('memory probe timed out')), 30_000);
    const onMessage = (message: ChildMessage) => {
      if (message.type !== 'memory') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve({ rss: readRssBytes(pid), heapUsed: message.heapUsed });
    };
    child.on('message', onMessage);
    child.send({ cmd: 'memory' });
  });
}

function probeLoopDelay(child: ChildProcess, reset: boolean): Promise<LoopDelay> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('event-loop delay probe timed out')), 30_000);
    const onMessage = (message: ChildMessage) => {
      if (message.type !== 'loopDelay') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve({ p50: message.p50, p99: message.p99, max: message.max });
    };
    child.on('message', onMessage);
    child.send({ cmd: 'loopDelay', reset });
  });
}

export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of /proc/<pid>/stat (utime, stime) are at 11 and 12 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    // SIGTERM reaches the node process through `timeout`, which forwards it.
    const timer = setTimeout(() => child.kill('SIGTERM'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ cmd: 'stop' });
    else child.kill('SIGTERM');
  });
}
