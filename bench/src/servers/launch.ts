import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WireProtocol } from '../protocol.ts';
import type { ChildMessage } from './child.ts';

export type ServerKind = 'reference' | 'hocuspocus' | 'tieout';
export const SERVER_KINDS: ServerKind[] = ['tieout', 'hocuspocus', 'reference'];
export const SERVER_LABELS: Record<ServerKind, string> = {
  tieout: 'Tieout',
  hocuspocus: 'Hocuspocus 3.4',
  reference: 'y-websocket reference',
};

export interface RunningServer {
  kind: ServerKind;
  pid: number;
  port: number;
  protocol: WireProtocol;
  /** The socket URL of a document (Hocuspocus names documents inside its messages instead). */
  urlFor(docName: string): string;
  /** Forces a GC in the server process, then reads VmRSS from /proc and the V8 heap. */
  memory(): Promise<{ rss: number; heapUsed: number }>;
  /** CPU seconds (user + system) the server process has used so far, from /proc/<pid>/stat. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  core: number;
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
}

const entries: Record<ServerKind, string> = {
  reference: fileURLToPath(new URL('./reference-main.ts', import.meta.url)),
  hocuspocus: fileURLToPath(new URL('./hocuspocus-main.ts', import.meta.url)),
  tieout: fileURLToPath(new URL('./tieout-main.ts', import.meta.url)),
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

/** Starts a server in its own process pinned to one core with `taskset`. */
export async function launchServer(kind: ServerKind, options: LaunchOptions): Promise<RunningServer> {
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
    urlFor: (docName) =>
      kind === 'hocuspocus' ? `ws://127.0.0.1:${port}/` : `ws://127.0.0.1:${port}/collab/${encodeURIComponent(docName)}`,
    memory: () => probeMemory(child, pid),
    cpuSeconds: () => processCpuSeconds(pid),
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
