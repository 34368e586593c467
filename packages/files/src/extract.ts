import { Worker } from 'node:worker_threads';
import type { ExtractResult, ExtractTask } from './extract-worker.ts';

/*
 * Text extraction and table previews, each in its own worker thread with a heap limit and a deadline: a file that
 * takes too long or too much memory (a decompression bomb) ends the worker, not the server. At most `concurrency`
 * workers run at once; the rest wait in line.
 */

export interface ExtractLimits {
  /** Longest run of one task. */
  timeoutMs: number;
  /** The worker's heap limit. */
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

export interface Extractor {
  text(path: string, contentType: string, size: number): Promise<Extract<ExtractResult, { task: 'text' }>>;
  table(path: string, contentType: string, size: number): Promise<Extract<ExtractResult, { task: 'table' }>>;
}

const workerUrl = new URL('./extract-worker-boot.mjs', import.meta.url);

export function createExtractor(options: { limits?: Partial<ExtractLimits>; concurrency?: number } = {}): Extractor {
  const limits = { ...DEFAULT_EXTRACT_LIMITS, ...options.limits };
  const concurrency = options.concurrency ?? 1;
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async () => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
  };
  const release = () => {
    running--;
    waiting.shift()?.();
  };

  const runTask = async (task: ExtractTask['task'], path: string, contentType: string, size: number): Promise<ExtractResult> => {
    if (size > limits.maxInputBytes) throw new ExtractError('too_large', 'The file is too large to read its text');
    await slot();
    try {
      return await new Promise<ExtractResult>((resolve, reject) => {
        const data: ExtractTask = {
          task,
          path,
          contentType,
          maxChars: limits.maxChars,
          maxRows: limits.maxRows,
          maxColumns: limits.maxColumns,
          maxTextBytes: limits.maxTextBytes,
        };
        const worker = new Worker(workerUrl, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb } });
        let settled = false;
        const finish = (fn: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          fn();
          void worker.terminate();
        };
        const timer = setTimeout(
          () => finish(() => reject(new ExtractError('timeout', `Reading the file took longer than ${limits.timeoutMs / 1000} s`))),
          limits.timeoutMs,
        );
        worker.once('message', (message: { ok: true; result: ExtractResult } | { ok: false; message: string }) =>
          finish(() => (message.ok ? resolve(message.result) : reject(new ExtractError('failed', `The file could not be read: ${message.message}`)))),
        );
        worker.once('error', (error: Error & { code?: string }) =>
          finish(() =>
            reject(
              error.code === 'ERR_WORKER_OUT_OF_MEMORY'
                ? new ExtractError('memory', 'Reading the file needed more memory than allowed')
                : new ExtractError('failed', `The file could not be read: ${error.message}`),
            ),
          ),
        );
        worker.once('exit', (code) => finish(() => reject(new ExtractError('failed', `The reader stopped (exit ${code})`))));
      });
    } finally {
      release();
    }
  };

  return {
    text: async (path, contentType, size) => (await runTask('text', path, contentType, size)) as Extract<ExtractResult, { task: 'text' }>,
    table: async (path, contentType, size) => (await runTask('table', path, contentType, size)) as Extract<ExtractResult, { task: 'table' }>,
  };
}
