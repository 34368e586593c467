import type { JwtClaims } from '@tieout/db';

export interface PendingUpdate {
  userId: string;
  claims: JwtClaims;
  update: Uint8Array;
}

export interface PersistQueueOptions {
  /** Pending updates are written at most this long after the first of them was queued. */
  windowMs: number;
  /** ...or at once when they add up to this many bytes; also the most one write carries. */
  maxBatchBytes: number;
  retryMinMs: number;
  retryMaxMs: number;
}

export interface PersistQueueHandlers {
  /** Writes one user's updates in one transaction. */
  write(userId: string, claims: JwtClaims, updates: Uint8Array[]): Promise<void>;
  /** Errors retrying cannot fix (RLS refused the user, the checklist is gone): the updates are dropped. */
  isPermanent(error: unknown): boolean;
  onWritten?(count: number, seconds: number): void;
  onRejected?(userId: string, count: number, error: unknown): void;
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
  onDepthChange?(delta: number): void;
}

/**
 * The write-behind queue of one document: batches updates in a window bounded in time and size, writes
 * each user's share as that user, and keeps everything (retrying with exponential backoff) while the
 * database is unavailable.
 */
export class PersistQueue {
  private pending: PendingUpdate[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private failures = 0;
  private idleWaiters: (() => void)[] = [];
  private disposed = false;
  lastError: unknown = null;

  constructor(
    private readonly options: PersistQueueOptions,
    private readonly handlers: PersistQueueHandlers,
  ) {}

  get depth(): number {
    return this.pending.length;
  }

  /** True while the last write failed and is being retried. */
  get failing(): boolean {
    return this.failures > 0;
  }

  get idle(): boolean {
    return this.pending.length === 0 && !this.running;
  }

  enqueue(entry: PendingUpdate): void {
    this.pending.push(entry);
    this.pendingBytes += entry.update.byteLength;
    this.handlers.onDepthChange?.(1);
    if (this.running || this.failing) return;
    if (this.pendingBytes >= this.options.maxBatchBytes) this.schedule(0);
    else if (!this.timer) this.schedule(this.options.windowMs);
  }

  /** Writes now and resolves once nothing is pending (never, while the database stays down). */
  flush(): Promise<void> {
    if (this.idle) return Promise.resolve();
    const idle = this.whenIdle();
    if (!this.running) this.schedule(0);
    return idle;
  }

  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops timers; pending updates are abandoned (call flush first). */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.handlers.onDepthChange?.(-this.pending.length);
  }

  private schedule(delayMs: number): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, delayMs);
  }

  private takeBatch(): PendingUpdate[] {
    const userId = this.pending[0]!.userId;
    const batch: PendingUpdate[] = [];
    let bytes = 0;
    for (const entry of this.pending) {
      if (entry.userId !== userId) continue;
      if (batch.length > 0 && bytes + entry.update.byteLength > this.options.maxBatchBytes) break;
      batch.push(entry);
      bytes += entry.update.byteLength;
    }
    return batch;
  }

  private remove(batch: PendingUpdate[]): void {
    const done = new Set(batch);
    this.pending = this.pending.filter((entry) => !done.has(entry));
    this.pendingBytes -= batch.reduce((sum, entry) => sum + entry.update.byteLength, 0);
    this.handlers.onDepthChange?.(-batch.length);
  }

  private async run(): Promise<void> {
    if (this.running || this.disposed) return;
    this.running = true;
    try {
      while (this.pending.length > 0 && !this.disposed) {
        const batch = this.takeBatch();
        const last = batch[batch.length - 1]!;
        const started = performance.now();
        try {
          await this.handlers.write(last.userId, last.claims, batch.map((entry) => entry.update));
          this.remove(batch);
          this.failures = 0;
          this.lastError = null;
          this.handlers.onWritten?.(batch.length, (performance.now() - started) / 1000);
        } catch (error) {
          if (this.handlers.isPermanent(error)) {
            this.remove(batch);
            this.handlers.onRejected?.(last.userId, batch.length, error);
            continue;
          }
          this.failures += 1;
          this.lastError = error;
          const delay = Math.min(this.options.retryMaxMs, this.options.retryMinMs * 2 ** (this.failures - 1));
          this.handlers.onRetry?.(error, this.failures, delay);
          this.schedule(delay);
          return;
        }
      }
    } finally {
      this.running = false;
      if (this.idle) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      } else if (!this.timer) {
        this.schedule(this.options.windowMs);
      }
    }
  }
}
