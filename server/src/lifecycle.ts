import { performance as perfHooks } from 'node:perf_hooks';
import type { JwtClaims, MemberRole } from '@tieout/db';
import type { Logger } from 'pino';
import type * as Y from 'yjs';
import type { CollabMetrics } from './metrics.ts';

/*
 * The collaboration server's one lifecycle (docs/decisions/120-collab-lifecycle-and-extensions.md), in the spirit of
 * Hocuspocus's extension hooks. Cross-cutting work (relational projection, audit trail, versions, review rules, search
 * index, guards) plugs in as a `CollabExtension`; `defaultExtensions(...)` (./extensions/index.ts) is the list both the
 * embedded server (app/server.ts) and the standalone one (./main.ts) install.
 *
 * The hooks, in the order a document lives through them:
 *
 *   onConnect            a session is authenticated and authorized (role known), before it joins the document.
 *                        May be async. Throw `RefuseConnection` to close it with that code and reason.
 *   afterLoadDocument    the document was read from the database, before any session syncs with it. Awaited; a throw
 *                        fails the load (sessions get 1013 "try again later"), so a guard cannot fail open. Load the
 *                        per-room caches beforeApplyUpdate needs here (keep them in a WeakMap keyed by `doc`).
 *   beforeApplyUpdate    SYNCHRONOUS, for every update an editor sends, after the schema guard and before it is applied:
 *                        the order of a document's updates never changes. Return nothing to accept, or
 *                        `{ action: 'drop', reason }` (the update is not applied; the sender gets a y-protocols
 *                        "permission denied" with the reason) or `{ action: 'close', reason, code? }` (the session is
 *                        closed, 4403 by default). A throw drops the update and is counted as an error.
 *   afterPersist         after updates were written to the log. Runs off the document's critical path, coalesced per
 *                        document and extension: while one run is in flight, further persisted updates accumulate and
 *                        the next run gets them all with the then current document (latest state wins). Runs of one
 *                        extension for one document start at least 1 s apart (up to 5 s while the server is loaded,
 *                        docs/decisions/175), five times that for an extension whose `afterPersistPace` is
 *                        'background' (decision 178); the first after a quiet spell goes on the next turn. It never
 *                        blocks the next persistence window. A throw is logged and counted
 *                        (`collab_extension_errors_total{extension,hook}`); the next run goes ahead as usual.
 *   onWriteRejected      the database refused a user's updates for good (RLS, checklist gone): they were dropped.
 *   onDisconnect         a session that had joined the document closed.
 *   beforeUnloadDocument the document is about to leave memory (nobody connected, or shutdown): its writes and the
 *                        afterPersist runs are done. Awaited (bounded by the shutdown timeout); errors are counted.
 *
 * Every hook but beforeApplyUpdate may return a promise. A hook's error never crashes or stalls the server.
 */

/** What every hook knows about the document. */
export interface DocumentContext {
  checklistId: string;
  workspaceId: string;
  /** The live document held in memory. Read it; do not write to it (writes go through a session, decision 090). */
  doc: Y.Doc;
  /** A logger bound to the document and the extension. */
  logger: Logger;
}

export interface SessionContext {
  checklistId: string;
  workspaceId: string;
  connectionId: string;
  userId: string;
  role: MemberRole;
  claims: JwtClaims;
}

export type ConnectContext = SessionContext;
export type DisconnectContext = SessionContext & { logger: Logger };

export interface BeforeApplyUpdateContext extends DocumentContext, SessionContext {
  /** The update as sent (already checked against the checklist schema). */
  update: Uint8Array;
  /** `Y.decodeUpdate(update)`: its structs and delete set, to inspect what it touches. */
  decoded: { structs: unknown[]; ds: unknown };
}

export type ApplyVerdict = void | undefined | { action: 'drop'; reason: string } | { action: 'close'; reason: string; code?: number };

/**
 * One update the live document received since the previous afterPersist run, in the order it was applied.
 * `source`: 'persisted' = written to the log by this process as `userId` (row `updateId`; one row may hold several
 * updates of the same author); 'remote' = received from another server process over Redis (that process persists and
 * processes it; userId and updateId null); 'refused' = applied in memory but refused by the database for `userId`
 * (nothing stored).
 */
export interface PersistedUpdate {
  source: 'persisted' | 'remote' | 'refused';
  userId: string | null;
  updateId: number | null;
  update: Uint8Array;
}

export interface DocumentChanges {
  /** Item ids (keys of the `items` map) created, deleted or changed at any depth (fields, figures, evidence, notes). */
  items: ReadonlySet<string>;
  /** Section ids created, deleted, renamed or moved. */
  sections: ReadonlySet<string>;
  /** The `meta` map (checklist title) changed. */
  meta: boolean;
}

export interface AfterPersistContext extends DocumentContext {
  /** Every update since this extension's previous run, oldest first. */
  updates: readonly PersistedUpdate[];
  /**
   * The least time from this run's start to the next one's, as the server's load sets it now: work held for a
   * later run (a person still typing) waits at least this long for it.
   */
  spacingMs: number;
  /** What those (and any later, not yet persisted) transactions touched: the live document may be ahead of `updates`. */
  changes: DocumentChanges;
}

export interface WriteRejectedContext extends DocumentContext {
  userId: string;
  /** How many of the user's updates were dropped. */
  count: number;
  error: unknown;
}

/**
 * How closely an extension's afterPersist runs follow the edits (decision 178). 'prompt' (the default): at the
 * lifecycle's spacing, for what people watch change (the projection behind progress and dashboards). 'background':
 * BACKGROUND_PACE_FACTOR times as far apart, for what may lag a few seconds (audit trail, search index, versions,
 * notices); each run then carries more edits, and the runs' fixed cost is paid less often.
 */
export type AfterPersistPace = 'prompt' | 'background';
export const BACKGROUND_PACE_FACTOR = 5;

export interface CollabExtension {
  /** Shown in logs and metrics. */
  readonly name: string;
  /** See AfterPersistPace; default 'prompt'. */
  readonly afterPersistPace?: AfterPersistPace;
  onConnect?(ctx: ConnectContext): void | Promise<void>;
  afterLoadDocument?(ctx: DocumentContext): void | Promise<void>;
  beforeApplyUpdate?(ctx: BeforeApplyUpdateContext): ApplyVerdict;
  afterPersist?(ctx: AfterPersistContext): void | Promise<void>;
  onWriteRejected?(ctx: WriteRejectedContext): void | Promise<void>;
  onDisconnect?(ctx: DisconnectContext): void | Promise<void>;
  beforeUnloadDocument?(ctx: DocumentContext): void | Promise<void>;
}

/** Thrown by onConnect to refuse a session: it is closed with `code` (default 4403) and `reason`. */
export class RefuseConnection extends Error {
  override name = 'RefuseConnection';
  constructor(
    readonly reason: string,
    readonly code = 4403,
  ) {
    super(reason);
  }
}

type Hook = 'onConnect' | 'afterLoadDocument' | 'beforeApplyUpdate' | 'afterPersist' | 'onWriteRejected' | 'onDisconnect' | 'beforeUnloadDocument';

/**
 * The least time between the starts of two afterPersist runs of one extension for one document (docs/decisions/175).
 * A document edited now and then gets each run on the next turn, as before; a busy one gets at most one run per
 * extension per interval, carrying everything persisted meanwhile, instead of one per persistence window (each run is
 * one or more database transactions: at 50 busy documents and four extensions that was most of the server's CPU).
 * The interval stretches with the server's own load (event-loop utilisation) from this up to the maximum below.
 */
export const DEFAULT_AFTER_PERSIST_INTERVAL_MS = 1000;
export const DEFAULT_AFTER_PERSIST_MAX_INTERVAL_MS = 5000;
/** Event-loop utilisation up to which the interval stays at its minimum, and from which it is at its maximum. */
const QUIET_UTILISATION = 0.3;
const SATURATED_UTILISATION = 0.8;
const LOAD_SAMPLE_MS = 500;

export interface LifecycleOptions {
  /** See DEFAULT_AFTER_PERSIST_INTERVAL_MS; 0 runs every batch on the next turn (when the server is not loaded). */
  afterPersistIntervalMs?: number;
  /** The interval when the server is saturated (≥ afterPersistIntervalMs). */
  afterPersistMaxIntervalMs?: number;
  /** The server's load from 0 to 1; default its event-loop utilisation over the last half second or so. */
  load?: () => number;
}

/** Event-loop utilisation (0-1) since the previous sample, resampled at most every LOAD_SAMPLE_MS. */
function eventLoopLoad(): () => number {
  let previous = perfHooks.eventLoopUtilization();
  let sampledAt = performance.now();
  let load = 0;
  return () => {
    const now = performance.now();
    if (now - sampledAt >= LOAD_SAMPLE_MS) {
      const current = perfHooks.eventLoopUtilization();
      load = perfHooks.eventLoopUtilization(current, previous).utilization;
      previous = current;
      sampledAt = now;
    }
    return load;
  };
}

/** Runs the installed extensions' hooks for one server: error handling, metrics and the afterPersist pipelines. */
export class Lifecycle {
  /** False when no extension has beforeApplyUpdate: the hot path then skips building its context. */
  readonly hasBeforeApply: boolean;
  readonly afterPersistIntervalMs: number;
  readonly afterPersistMaxIntervalMs: number;
  private readonly load: () => number;

  constructor(
    readonly extensions: readonly CollabExtension[],
    private readonly metrics: CollabMetrics,
    private readonly logger: Logger,
    options: LifecycleOptions = {},
  ) {
    const interval = options.afterPersistIntervalMs ?? DEFAULT_AFTER_PERSIST_INTERVAL_MS;
    if (!Number.isFinite(interval) || interval < 0) throw new Error(`afterPersistIntervalMs must be a number of milliseconds ≥ 0 (got ${interval})`);
    const max = options.afterPersistMaxIntervalMs ?? Math.max(interval, DEFAULT_AFTER_PERSIST_MAX_INTERVAL_MS);
    if (!Number.isFinite(max) || max < interval)
      throw new Error(`afterPersistMaxIntervalMs must be at least afterPersistIntervalMs (got ${max} < ${interval})`);
    this.afterPersistIntervalMs = interval;
    this.afterPersistMaxIntervalMs = max;
    this.load = options.load ?? eventLoopLoad();
    const names = new Set<string>();
    for (const extension of extensions) {
      if (names.has(extension.name)) throw new Error(`Two collaboration server extensions are named ${extension.name}`);
      names.add(extension.name);
    }
    this.hasBeforeApply = extensions.some((extension) => extension.beforeApplyUpdate);
  }

  failed(extension: CollabExtension, hook: Hook, error: unknown, logger: Logger = this.logger): void {
    this.metrics.extensionErrors.inc({ extension: extension.name, hook });
    logger.error({ err: error, extension: extension.name, hook }, 'collaboration server extension failed');
  }

  /** onConnect of every extension in order; a RefuseConnection stops there and is rethrown, other errors too (fail closed). */
  async connect(ctx: ConnectContext): Promise<void> {
    for (const extension of this.extensions) {
      if (!extension.onConnect) continue;
      try {
        await extension.onConnect(ctx);
      } catch (error) {
        if (!(error instanceof RefuseConnection)) this.failed(extension, 'onConnect', error);
        throw error;
      }
    }
  }

  async afterLoad(ctx: Omit<DocumentContext, 'logger'>, logger: Logger): Promise<void> {
    for (const extension of this.extensions) {
      if (!extension.afterLoadDocument) continue;
      const extLogger = logger.child({ extension: extension.name });
      try {
        await extension.afterLoadDocument({ ...ctx, logger: extLogger });
      } catch (error) {
        this.failed(extension, 'afterLoadDocument', error, logger);
        throw error;
      }
    }
  }

  /** The first verdict that is not "accept"; a throwing extension drops the update. */
  beforeApply(ctx: Omit<BeforeApplyUpdateContext, 'logger'>, logger: Logger): Exclude<ApplyVerdict, void | undefined> | null {
    for (const extension of this.extensions) {
      if (!extension.beforeApplyUpdate) continue;
      try {
        const verdict = extension.beforeApplyUpdate({ ...ctx, logger });
        if (verdict) return verdict;
      } catch (error) {
        this.failed(extension, 'beforeApplyUpdate', error, logger);
        return { action: 'drop', reason: 'The change could not be checked; it was not saved.' };
      }
    }
    return null;
  }

  /** Runs a fire-and-forget hook of every extension; errors are counted and logged. */
  notify<K extends 'onWriteRejected' | 'onDisconnect'>(hook: K, ctx: Parameters<NonNullable<CollabExtension[K]>>[0], logger: Logger): void {
    for (const extension of this.extensions) {
      const fn = extension[hook] as ((ctx: unknown) => void | Promise<void>) | undefined;
      if (!fn) continue;
      try {
        void Promise.resolve(fn.call(extension, ctx)).catch((error: unknown) => this.failed(extension, hook, error, logger));
      } catch (error) {
        this.failed(extension, hook, error, logger);
      }
    }
  }

  async beforeUnload(ctx: Omit<DocumentContext, 'logger'>, logger: Logger): Promise<void> {
    await Promise.all(
      this.extensions.map(async (extension) => {
        if (!extension.beforeUnloadDocument) return;
        try {
          await extension.beforeUnloadDocument({ ...ctx, logger: logger.child({ extension: extension.name }) });
        } catch (error) {
          this.failed(extension, 'beforeUnloadDocument', error, logger);
        }
      }),
    );
  }

  /** The afterPersist pipelines of one document: one per extension that has the hook. */
  pipelinesFor(ctx: Omit<DocumentContext, 'logger'>, logger: Logger): AfterPersistPipeline[] {
    return this.extensions
      .filter((extension) => extension.afterPersist)
      .map((extension) => new AfterPersistPipeline(extension, ctx, logger.child({ extension: extension.name }), this));
  }

  /**
   * The spacing of afterPersist runs now: the minimum while the server is quiet, up to the maximum when it is
   * saturated; BACKGROUND_PACE_FACTOR times that for a background extension.
   */
  afterPersistInterval(pace: AfterPersistPace = 'prompt'): number {
    const load = this.load();
    const stretch = Math.min(1, Math.max(0, (load - QUIET_UTILISATION) / (SATURATED_UTILISATION - QUIET_UTILISATION)));
    const interval = this.afterPersistIntervalMs + stretch * (this.afterPersistMaxIntervalMs - this.afterPersistIntervalMs);
    return pace === 'background' ? BACKGROUND_PACE_FACTOR * interval : interval;
  }

  /**
   * Pipelines whose run is due, in order. One starts per turn of the event loop (setImmediate between them), so runs
   * that fall on the same grid slot (AfterPersistPipeline.schedule) do not hold up the sockets all at once: each
   * run's synchronous part goes, then whatever I/O is waiting, then the next run.
   */
  private readonly due: AfterPersistPipeline[] = [];
  private turn: NodeJS.Immediate | null = null;

  enqueue(pipeline: AfterPersistPipeline): void {
    this.due.push(pipeline);
    this.turn ??= setImmediate(() => this.startNext());
  }

  dequeue(pipeline: AfterPersistPipeline): void {
    const index = this.due.indexOf(pipeline);
    if (index >= 0) this.due.splice(index, 1);
  }

  private startNext(): void {
    this.turn = null;
    const next = this.due.shift();
    if (this.due.length > 0) this.turn = setImmediate(() => this.startNext());
    next?.start();
  }

  observeRun(extension: CollabExtension, seconds: number, updates: number): void {
    this.metrics.afterPersistSeconds.observe({ extension: extension.name }, seconds);
    this.metrics.afterPersistRuns.inc({ extension: extension.name });
    this.metrics.afterPersistUpdates.inc({ extension: extension.name }, updates);
  }
}

/**
 * The afterPersist work of one extension for one document. `push` never waits: it records the updates and, when no
 * run is in flight, schedules one on a later turn of the event loop, but no sooner than the lifecycle's interval after
 * the previous run started. A run takes everything recorded so far; what arrives meanwhile waits for the next run
 * (coalesced, latest state wins). `whenIdle` (unload, shutdown) starts a waiting run at once.
 */
export class AfterPersistPipeline {
  private updates: PersistedUpdate[] = [];
  private items = new Set<string>();
  private sections = new Set<string>();
  private meta = false;
  private scheduled: { kind: 'queued' } | { kind: 'timer'; handle: NodeJS.Timeout } | null = null;
  private running: Promise<void> | null = null;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private lastStart = Number.NEGATIVE_INFINITY;
  /** The grid slot the waiting run was scheduled for (null: as soon as possible). */
  private slot: number | null = null;

  constructor(
    readonly extension: CollabExtension,
    private readonly ctx: Omit<DocumentContext, 'logger'>,
    private readonly logger: Logger,
    private readonly lifecycle: Lifecycle,
  ) {}

  /**
   * The next run: on the next turn, or when the interval (Lifecycle.afterPersistInterval) since the previous start has
   * passed, moved to the nearest slot of a grid shared by every pipeline of the process (a slot per
   * afterPersistIntervalMs). Busy documents' runs thus fall on the same turns, so the batcher sends their writes in one
   * script: one round trip for all of them instead of one each (decision 178).
   */
  private schedule(): void {
    const grid = this.lifecycle.afterPersistIntervalMs;
    const due = this.lastStart + this.spacing();
    const slot = grid > 0 ? Math.ceil(due / grid - 1e-9) * grid : due;
    const wait = slot - performance.now();
    this.slot = wait > 0 ? slot : null;
    if (wait > 0) this.scheduled = { kind: 'timer', handle: setTimeout(() => this.queue(), wait) };
    else this.queue();
  }

  private spacing(): number {
    return this.lifecycle.afterPersistInterval(this.extension.afterPersistPace);
  }

  private unschedule(): void {
    if (!this.scheduled) return;
    if (this.scheduled.kind === 'timer') clearTimeout(this.scheduled.handle);
    else this.lifecycle.dequeue(this);
    this.scheduled = null;
  }

  /** Waits for its turn in the lifecycle's queue of runs (one run starts per turn of the event loop). */
  private queue(): void {
    this.scheduled = { kind: 'queued' };
    this.lifecycle.enqueue(this);
  }

  /** Records what a transaction of the live document touched (called synchronously, for every transaction). */
  touch(items: Iterable<string>, sections: Iterable<string>, meta: boolean): void {
    for (const id of items) this.items.add(id);
    for (const id of sections) this.sections.add(id);
    if (meta) this.meta = true;
  }

  push(updates: readonly PersistedUpdate[]): void {
    if (this.stopped || updates.length === 0) return;
    for (const update of updates) this.updates.push(update);
    if (!this.running && !this.scheduled) this.schedule();
  }

  get idle(): boolean {
    return !this.running && !this.scheduled;
  }

  /** Resolves when nothing is running or waiting to run. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    // Someone waits (the document unloads, the server shuts down): a run waiting for its interval goes now.
    if (this.scheduled?.kind === 'timer') {
      this.unschedule();
      this.queue();
    }
    return idle;
  }

  /** No further runs (the document is closed); a run in flight finishes. */
  stop(): void {
    this.stopped = true;
    this.unschedule();
    this.updates = [];
    if (!this.running) this.settle();
  }

  /** Called by the lifecycle when its turn has come. */
  start(): void {
    this.scheduled = null;
    if (this.stopped || this.updates.length === 0) return this.settle();
    const updates = this.updates;
    const changes: DocumentChanges = { items: this.items, sections: this.sections, meta: this.meta };
    this.updates = [];
    this.items = new Set();
    this.sections = new Set();
    this.meta = false;
    const started = performance.now();
    // The slot, not the (a little later) actual start: the next run stays on the grid, and on the same one as the others.
    this.lastStart = this.slot !== null && this.slot <= started ? this.slot : started;
    this.slot = null;
    this.running = (async () => {
      try {
        await this.extension.afterPersist!({ ...this.ctx, logger: this.logger, updates, changes, spacingMs: this.spacing() });
        this.lifecycle.observeRun(this.extension, (performance.now() - started) / 1000, updates.length);
      } catch (error) {
        this.lifecycle.failed(this.extension, 'afterPersist', error, this.logger);
      }
    })().finally(() => {
      this.running = null;
      if (!this.stopped && this.updates.length > 0) {
        // Someone waiting for idle does not wait out the interval.
        if (this.idleWaiters.length > 0) this.queue();
        else this.schedule();
      } else this.settle();
    });
  }

  private settle(): void {
    if (!this.idle) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
