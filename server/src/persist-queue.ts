import type { JwtClaims } from '@tieout/db';

export interface PendingUpdate {
  userId: string;
  claims: JwtClaims;
  update: Uint8Array;
}

/** One user's share of a write: their pending updates, oldest first, with their latest claims. */
export interface UserBatch {
  userId: string;
  claims: JwtClaims;
  updates: Uint8Array[];
}

type Queued = PendingUpdate & { queuedAt: number };

export interface PersistQueueOptions {
  /** Pending updates are written at most this long after the first of them was queued. */
  windowMs: number;
  /** ...or at once when they add up to this many bytes; also the most one write carries. */
  maxBatchBytes: number;
  retryMinMs: number;
  retryMaxMs: number;
}

export interface PersistQueueHandlers {
  /** Writes every user's share in one transaction (each as that user); all or nothing. */
  write(batches: UserBatch[]): Promise<void>;
  /** Errors retrying cannot fix (RLS refused the user, the checklist is gone): the updates are dropped. */
  isPermanent(error: unknown): boolean;
  /**
   * The user whose share a permanent error is about, when known: only their updates are dropped and the
   * others are written again at once. Unknown (null): the whole batch is dropped.
   */
  rejectedUser?(error: unknown): string | null;
  onWritten?(count: number, seconds: number): void;
  onRejected?(userId: string, count: number, error: unknown, updates: Uint8Array[]): void;
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
  onDepthChange?(delta: number): void;
}

/**
 * The write-behind queue of one document: batches every user's updates in a window bounded in time and
 * size into one write (each user's share written as that user), and keeps everything (retrying with
 * exponential backoff) while the database is unavailable.
 */
export class PersistQueue {
  private pending: Queued[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private flushing = false;
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
    this.pending.push({ ...entry, queuedAt: performance.now() });
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
    this.flushing = true;
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

  /** How long until the pending updates must be written: their window ended, they are big enough, or a flush waits. */
  private msUntilDue(): number {
    if (this.flushing || this.pendingBytes >= this.options.maxBatchBytes) return 0;
    return Math.max(0, this.pending[0]!.queuedAt + this.options.windowMs - performance.now());
  }

  /** The oldest pending updates of every user, in arrival order, up to maxBatchBytes (at least one). */
  private takeBatch(): Queued[] {
    const batch: Queued[] = [];
    let bytes = 0;
    for (const entry of this.pending) {
      if (batch.length > 0 && bytes + entry.update.byteLength > this.options.maxBatchBytes) break;
      batch.push(entry);
      bytes += entry.update.byteLength;
    }
    return batch;
  }

  private static byUser(batch: PendingUpdate[]): UserBatch[] {
    const users = new Map<string, UserBatch>();
    for (const entry of batch) {
      const share = users.get(entry.userId);
      if (share) {
        share.updates.push(entry.update);
        share.claims = entry.claims;
      } else {
        users.set(entry.userId, { userId: entry.userId, claims: entry.claims, updates: [entry.update] });
      }
    }
    return [...users.values()];
  }

  private remove(batch: Queued[]): void {
    const done = new Set(batch);
    this.pending = this.pending.filter((entry) => !done.has(entry));
    this.pendingBytes -= batch.reduce((sum, entry) => sum + entry.update.byteLength, 0);
    this.handlers.onDepthChange?.(-batch.length);
  }

  /**
   * Writes what is pending, one batch per transaction. Updates that arrive during a write wait for their
   * own window (so a busy document makes one transaction per window, not one per database round trip),
   * unless a flush is waiting or they already fill a batch.
   */
  private async run(): Promise<void> {
    if (this.running || this.disposed) return;
    this.running = true;
    try {
      // The timer that called run decided the first batch is due.
      for (let first = true; this.pending.length > 0 && !this.disposed && (first || this.msUntilDue() === 0); first = false) {
        const batch = this.takeBatch();
        const started = performance.now();
        try {
          await this.handlers.write(PersistQueue.byUser(batch));
          this.remove(batch);
          this.failures = 0;
          this.lastError = null;
          this.handlers.onWritten?.(batch.length, (performance.now() - started) / 1000);
        } catch (error) {
          if (this.handlers.isPermanent(error)) {
            // Only the refused user's updates are dropped; the others' stay pending and go in the next write.
            const userId = this.handlers.rejectedUser?.(error) ?? null;
            const theirs = userId === null ? [] : batch.filter((entry) => entry.userId === userId);
            const dropped = theirs.length > 0 ? theirs : batch;
            this.remove(dropped);
            for (const share of PersistQueue.byUser(dropped)) this.handlers.onRejected?.(share.userId, share.updates.length, error, share.updates);
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
        this.flushing = false;
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      } else if (!this.timer) {
        this.schedule(this.msUntilDue());
      }
    }
  }
}
