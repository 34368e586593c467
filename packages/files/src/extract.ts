import { Worker } from 'node:worker_threads';
import type { ExtractResult, ExtractTask } from './extract-types.ts';

/*
 * Text extraction and table previews in worker threads with a heap limit, and a deadline per task: a file that takes
 * too long or too much memory (a decompression bomb) gets its worker terminated, never the server stalled. Workers
 * are kept between tasks (starting one and loading pdf.js costs seconds) and replaced after a kill or a crash. Each
 * extractor runs at most `concurrency` tasks at once; the rest wait in line.
 */

export interface ExtractLimits {
  /** Longest run of one task. */
  timeoutMs: number;
  /** A worker's heap limit. */
  maxHeapMb: number;
  /** Files larger than this are not opened (search then knows only their name). */
  maxInputBytes: number;
  maxChars: number;
  maxRows: number;
  maxColumns: number;
  maxTextBytes: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = {
  timeoutMs: 30_000,
  maxHeapMb: 256,
  maxInputBytes: 64 * 1024 * 1024,
  maxChars: 2_000_000,
  maxRows: 200,
  maxColumns: 50,
  maxTextBytes: 8 * 1024 * 1024,
};

export class ExtractError extends Error {
  override name = 'ExtractError';
  constructor(
    readonly code: 'timeout' | 'memory' | 'failed' | 'too_large',
    message: string,
  ) {
    super(message);
  }
}

type TextResult = Extract<ExtractResult, { task: 'text' }>;
type TableResult = Extract<ExtractResult, { task: 'table' }>;

export interface Extractor {
  text(path: string, contentType: string, size: number): Promise<TextResult>;
  table(path: string, contentType: string, size: number): Promise<TableResult>;
  /** Ends the workers. */
  close(): Promise<void>;
}

const workerUrl = new URL('./extract-worker.mjs', import.meta.url);

interface Slot {
  worker: Worker | null;
}

export function createExtractor(options: { limits?: Partial<ExtractLimits>; concurrency?: number } = {}): Extractor {
  const limits = { ...DEFAULT_EXTRACT_LIMITS, ...options.limits };
  const free: Slot[] = Array.from({ length: options.concurrency ?? 1 }, () => ({ worker: null }));
  const waiting: ((slot: Slot) => void)[] = [];
  const all = [...free];
  let nextId = 0;

  const acquire = () => {
    const slot = free.pop();
    return slot ? Promise.resolve(slot) : new Promise<Slot>((resolve) => waiting.push(resolve));
  };
  const release = (slot: Slot) => {
    const next = waiting.shift();
    if (next) next(slot);
    else free.push(slot);
  };

  const runOn = (slot: Slot, task: ExtractTask) =>
    new Promise<ExtractResult>((resolve, reject) => {
      const worker = (slot.worker ??= new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb } }));
      worker.unref();
      const id = ++nextId;
      let settled = false;
      const cleanup = () => {
        settled = true;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const kill = () => {
        slot.worker = null;
        void worker.terminate();
      };
      const timer = setTimeout(() => {
        if (settled) return;
        cleanup();
        kill();
        reject(new ExtractError('timeout', `Reading the file took longer than ${limits.timeoutMs / 1000} s`));
      }, limits.timeoutMs);
      const onMessage = (message: { id: number; ok: true; result: ExtractResult } | { id: number; ok: false; message: string }) => {
        if (message.id !== id || settled) return;
        cleanup();
        if (message.ok) resolve(message.result);
        else reject(new ExtractError('failed', `The file could not be read: ${message.message}`));
      };
      const onError = (error: Error & { code?: string }) => {
        if (settled) return;
        cleanup();
        kill();
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ExtractError('memory', 'Reading the file needed more memory than allowed')
            : new ExtractError('failed', `The file could not be read: ${error.message}`),
        );
      };
      const onExit = (code: number) => {
        if (settled) return;
        cleanup();
        slot.worker = null;
        reject(new ExtractError('failed', `The reader stopped (exit ${code})`));
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ id, task });
    });

  const run = async (task: ExtractTask['task'], path: string, contentType: string, size: number): Promise<ExtractResult> => {
    if (size > limits.maxInputBytes) throw new ExtractError('too_large', 'The file is too large to read its text');
    const slot = await acquire();
    try {
      return await runOn(slot, {
        task,
        path,
        contentType,
        maxChars: limits.maxChars,
        maxRows: limits.maxRows,
        maxColumns: limits.maxColumns,
        maxTextBytes: limits.maxTextBytes,
      });
    } finally {
      release(slot);
    }
  };

  return {
    text: async (path, contentType, size) => (await run('text', path, contentType, size)) as TextResult,
    table: async (path, contentType, size) => (await run('table', path, contentType, size)) as TableResult,
    async close() {
      await Promise.all(all.map((slot) => slot.worker?.terminate()));
      for (const slot of all) slot.worker = null;
    },
  };
}
