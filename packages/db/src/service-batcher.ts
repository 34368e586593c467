import type { Database, Row, Sql } from './types.ts';

export interface ServiceBatcherOptions {
  /**
   * How long the first job of a batch waits for others (ms). Jobs of several documents made within this tick share one
   * transaction; while a batch is in flight the next one fills up anyway. 0: the next turn of the event loop.
   */
  tickMs?: number;
  /** The most jobs one transaction carries; the rest go in the next. */
  maxJobs?: number;
}

export interface ServiceBatcher {
  /** As `Database.asService`, but the transaction is shared with whatever other service work is waiting. */
  asService<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** As `Database.scriptAsService`, shared the same way: every waiting script of a batch goes in one round trip. */
  scriptAsService(statements: readonly string[]): Promise<Row[][]>;
  /** Resolves when nothing is waiting or in flight. */
  idle(): Promise<void>;
}

type Job = (
  | { kind: 'work'; work: (sql: Sql) => Promise<unknown> }
  /** Inlined statements (scriptAsService): the batch's scripts are sent together, as one script. */
  | { kind: 'script'; statements: readonly string[] }
) & {
  resolve(value: unknown): void;
  reject(reason: unknown): void;
};

export const DEFAULT_SERVICE_TICK_MS = 50;
const DEFAULT_MAX_JOBS = 64;

/**
 * Group commit for service-role work (the collaboration server's projection, audit trail and search index writes,
 * docs/decisions/175): jobs queued within a short tick, or while a batch is in flight, run one after another in ONE
 * service-role transaction (one begin, one role switch, one commit for all of them), instead of one transaction each.
 * Script jobs (inlined statements, `scriptAsService`) of a batch are sent as one script: one round trip for all of
 * them (decision 178); the batch's other jobs follow in a transaction of their own.
 *
 * One job's failure must not lose the others': when any job of a batch throws (or the commit fails), the whole
 * transaction rolls back, so nothing of it is half-written, and every job of the batch runs again on its own, in its
 * own transaction. A job's `work` must therefore only compute from what its queries return (as every writer in this
 * package does): it may run twice, and only a committed run counts. Each job settles with its own outcome.
 */
export function createServiceBatcher(db: Database, options: ServiceBatcherOptions = {}): ServiceBatcher {
  const tickMs = options.tickMs ?? DEFAULT_SERVICE_TICK_MS;
  const maxJobs = options.maxJobs ?? DEFAULT_MAX_JOBS;
  if (!Number.isFinite(tickMs) || tickMs < 0) throw new Error(`tickMs must be a number of milliseconds ≥ 0 (got ${tickMs})`);
  if (!Number.isInteger(maxJobs) || maxJobs < 1) throw new Error(`maxJobs must be a whole number ≥ 1 (got ${maxJobs})`);
  let waiting: Job[] = [];
  let active = false;
  let idleWaiters: (() => void)[] = [];

  const alone = async (job: Job) => {
    try {
      job.resolve(job.kind === 'work' ? await db.asService(job.work) : await db.scriptAsService(job.statements));
    } catch (error) {
      job.reject(error);
    }
  };

  /** Every script job of the batch in one script, so one round trip for all of them. */
  const scriptsTogether = async (batch: (Job & { kind: 'script' })[]) => {
    if (batch.length === 1) return alone(batch[0]!);
    let results: Row[][];
    try {
      results = await db.scriptAsService(batch.flatMap((job) => job.statements));
    } catch {
      for (const job of batch) await alone(job);
      return;
    }
    let next = 0;
    for (const job of batch) {
      job.resolve(results.slice(next, next + job.statements.length));
      next += job.statements.length;
    }
  };

  const together = async (all: Job[]) => {
    const scripts = all.filter((job): job is Job & { kind: 'script' } => job.kind === 'script');
    if (scripts.length > 0) await scriptsTogether(scripts);
    const batch = all.filter((job): job is Job & { kind: 'work' } => job.kind === 'work');
    if (batch.length === 0) return;
    if (batch.length === 1) return alone(batch[0]!);
    let results: unknown[];
    try {
      results = await db.asService(async (sql) => {
        const out: unknown[] = [];
        // One after another: a transaction runs one statement at a time anyway, and the order stays the queue's.
        for (const job of batch) out.push(await job.work(sql));
        return out;
      });
    } catch {
      // Rolled back as a whole: each job again alone, so a failing one takes only itself down.
      for (const job of batch) await alone(job);
      return;
    }
    batch.forEach((job, index) => job.resolve(results[index]));
  };

  const drain = async () => {
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, maxJobs);
        waiting = waiting.slice(batch.length);
        await together(batch);
      }
    } finally {
      active = false;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };

  const enqueue = (job: Job) => {
    waiting.push(job);
    if (active) return;
    active = true;
    // setImmediate/setTimeout, not a microtask: the runs of every document due in this phase of the loop join.
    if (tickMs === 0) setImmediate(() => void drain());
    else setTimeout(() => void drain(), tickMs);
  };

  return {
    asService<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => enqueue({ kind: 'work', work, resolve: resolve as (value: unknown) => void, reject }));
    },
    scriptAsService(statements: readonly string[]): Promise<Row[][]> {
      if (statements.length === 0) return Promise.resolve([]);
      return new Promise<Row[][]>((resolve, reject) => enqueue({ kind: 'script', statements, resolve: resolve as (value: unknown) => void, reject }));
    },
    idle() {
      if (!active) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}

/**
 * `db` with its service-role transactions shared through `batcher` (everything else as `db`): hand it to writers
 * that take a Database and run one asService each.
 */
export function withBatchedService(db: Database, batcher: ServiceBatcher): Database {
  return {
    kind: db.kind,
    asUser: (claims, work) => db.asUser(claims, work),
    asUsers: (work) => db.asUsers(work),
    scriptAsUsers: (steps) => db.scriptAsUsers(steps),
    asAnon: (work) => db.asAnon(work),
    asService: (work) => batcher.asService(work),
    scriptAsService: (statements) => batcher.scriptAsService(statements),
    execScript: (script) => db.execScript(script),
    withExclusiveLock: (name, work) => db.withExclusiveLock(name, work),
    ownerQuery: (text, params) => db.ownerQuery(text, params),
    listen: (channel, onPayload, onGap) => db.listen(channel, onPayload, onGap),
    close: () => db.close(),
  };
}
