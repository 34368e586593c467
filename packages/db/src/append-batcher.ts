import { appendToDocuments, type AppendedUpdates, type DocumentAppend, type UserUpdates } from './documents.ts';
import type { Database } from './types.ts';

export interface AppendBatcherOptions {
  /** The most update bytes one script carries (a request is never split; one larger request goes alone). */
  maxBytes?: number;
}

export interface AppendBatcher {
  /** Appends one document's pending updates (as appendUpdatesAsUsers does), together with whatever else is waiting. */
  append(checklistId: string, workspaceId: string, entries: UserUpdates[]): Promise<AppendedUpdates[]>;
}

interface Waiting {
  request: DocumentAppend;
  bytes: number;
  resolve(value: AppendedUpdates[]): void;
  reject(reason: unknown): void;
}

/**
 * Group commit for the update log. While one write is in flight, the appends of every other document queue
 * up and then go together in the next single-round-trip transaction (appendToDocuments), so a process writes
 * one transaction per database round trip instead of one per document per window. Nothing waits on a timer:
 * an append that finds nothing in flight is written at once. Each request still settles on its own.
 */
export function createAppendBatcher(db: Database, options: AppendBatcherOptions = {}): AppendBatcher {
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  let waiting: Waiting[] = [];
  let writing = false;

  const takeBatch = (): Waiting[] => {
    let bytes = 0;
    let count = 0;
    while (count < waiting.length && (count === 0 || bytes + waiting[count]!.bytes <= maxBytes)) {
      bytes += waiting[count]!.bytes;
      count += 1;
    }
    const batch = waiting.slice(0, count);
    waiting = waiting.slice(count);
    return batch;
  };

  const write = async () => {
    writing = true;
    try {
      while (waiting.length > 0) {
        const batch = takeBatch();
        try {
          const results = await appendToDocuments(
            db,
            batch.map((entry) => entry.request),
          );
          results.forEach((result, index) =>
            result.status === 'fulfilled' ? batch[index]!.resolve(result.value) : batch[index]!.reject(result.reason),
          );
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      writing = false;
    }
  };

  return {
    append(checklistId, workspaceId, entries) {
      const bytes = entries.reduce((sum, entry) => sum + entry.updates.reduce((n, update) => n + update.byteLength, 0), 0);
      return new Promise((resolve, reject) => {
        waiting.push({ request: { checklistId, workspaceId, entries }, bytes, resolve, reject });
        // Appends made in the same turn of the event loop go together even when nothing is in flight yet.
        if (!writing) {
          writing = true;
          queueMicrotask(() => void write());
        }
      });
    },
  };
}
