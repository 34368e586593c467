import type { ClientSpec } from './client.ts';

export interface EditingClientSpec extends ClientSpec {
  /** The item this client rewrites; absent for clients that only listen. */
  itemId?: string;
  /** Which server process the client is connected to (0 unless several share the documents). */
  process?: number;
}

/** How clients were spread over server processes: client c is at slot floor(c / docs) of its room, on process slot % processes. */
export interface ProcessSplit {
  docs: number;
  processes: number;
}

export const processOfClient = (client: number, split: ProcessSplit) => Math.floor(client / split.docs) % split.processes;

export interface SeedSpec {
  client: ClientSpec;
  editors: number[];
  fillerItems: number;
}

export type WorkerCommand =
  | { cmd: 'connect'; id: number; group: string; specs: EditingClientSpec[]; concurrency: number }
  | {
      cmd: 'run';
      id: number;
      group: string;
      ratePerClient: number;
      startAt: number;
      durationMs: number;
      warmupMs: number;
      drainMs: number;
      /** With several server processes: deliveries between clients of different processes are also recorded apart. */
      split?: ProcessSplit;
    }
  | { cmd: 'seed'; id: number; docs: SeedSpec[]; concurrency: number; keepGroup?: string }
  | { cmd: 'history'; id: number; client: ClientSpec; updates: number }
  | { cmd: 'largedoc'; id: number; client: ClientSpec; items: number }
  | { cmd: 'coldload'; id: number; client: ClientSpec; expect: ColdLoadExpectation }
  | { cmd: 'close'; id: number; group: string };

export interface ConnectResult {
  connected: number;
  failed: number;
  errors: string[];
  ms: number;
}

export interface RunResult {
  /** Edits sent inside the measured window. */
  sentInWindow: number;
  sentTotal: number;
  /** Per-delivery latencies (ms) of edits sent inside the window. */
  latencies: Float64Array;
  /** The subset of `latencies` whose sender was connected to another server process than the receiver (with `split`). */
  crossLatencies: Float64Array;
  /** Per edit seen by this worker: key = sender * 1e7 + seq, slowest delivery and number of deliveries. */
  editKeys: Float64Array;
  editMax: Float64Array;
  editCount: Uint32Array;
  /** How late the generator sent edits relative to their schedule (ms): p99 and max. */
  sendLagP99: number;
  sendLagMax: number;
  cpuSeconds: number;
  errors: string[];
}

export interface HistoryResult {
  ms: number;
  bytes: number;
}

/** What a loaded document must hold: the typed history's characters, or the large document's items and their notes. */
export type ColdLoadExpectation = { kind: 'typed'; chars: number } | { kind: 'items'; items: number; notesChars: number };

export interface ColdLoadResult {
  ms: number;
  stateBytes: number;
  /** Characters of notes text loaded (the typed item's, or all the large document's items'). */
  chars: number;
  /** Items loaded (the large document only). */
  items?: number;
  /** CPU the loading client's process spent from opening the socket to the applied SyncStep2 (ms; older files lack it). */
  clientCpuMs?: number;
  /** CPU the server process spent over the same load (ms, /proc ticks of 10 ms; set by the runner; older files lack it). */
  serverCpuMs?: number;
}

export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
