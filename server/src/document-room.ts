import {
  AppendUpdatesError,
  compactDocument,
  latestUpdateId,
  loadDocumentState,
  type Database,
  type AppendBatcher,
  type JwtClaims,
  type MemberRole,
} from '@tieout/db';
import { addTouches, itemsOf, metaOf, noTouches, sectionsOf } from '@tieout/doc-model';
import type { Logger } from 'pino';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { CollabLimits, CollabTiming } from './config.ts';
import type { AfterPersistPipeline, Lifecycle, PersistedUpdate } from './lifecycle.ts';
import type { CollabMetrics } from './metrics.ts';
import { PersistQueue, type UserBatch } from './persist-queue.ts';
import { decodeAwarenessOf, encodeAwarenessOf, RoomAwareness } from './awareness-guard.ts';
import { withoutRefused, type Quarantine, type RefusedClients } from './quarantine.ts';
import { awarenessUpdateMessage, updateMessage } from './protocol.ts';
import { FanoutKind, type FanoutMessage, type RedisFanout } from './redis-fanout.ts';

/** A connection as a document sees it. */
export interface Peer {
  readonly id: string;
  readonly userId: string;
  readonly claims: JwtClaims;
  role: MemberRole;
  /** Awareness client ids this connection controls (removed when it closes). */
  readonly awarenessClients: Set<number>;
  send(message: Uint8Array): void;
  close(code: number, reason: string): void;
}

export interface RoomContext {
  db: Database;
  /** Writes the update log, grouping every document's windows that are due together (group commit). */
  appender: AppendBatcher;
  limits: CollabLimits;
  timing: CollabTiming;
  metrics: CollabMetrics;
  logger: Logger;
  fanout: RedisFanout | null;
  /** The installed extensions (server/src/lifecycle.ts). */
  lifecycle: Lifecycle;
  /**
   * A write was refused for good (RLS, checklist deleted): re-check that user's access now, and revert the document,
   * since the refused updates were applied in memory (collab-server.ts, docs/decisions/111).
   */
  onWriteRejected(room: DocumentRoom, userId: string, error: unknown, updates: Uint8Array[]): void;
  /** Content refused earlier, per checklist (quarantine.ts). */
  quarantine: Quarantine;
  /**
   * Applying a checked update threw part-way: the document in memory may hold part of it. It is reverted to its log
   * like a refused write (collab-server.ts), so an update is applied all or nothing.
   */
  onApplyFailed(room: DocumentRoom, update: Uint8Array): void;
}

const LOAD_ORIGIN = Symbol('load');
/** A Yjs update with nothing in it (no structs, empty delete set). */
const EMPTY_UPDATE = new Uint8Array([0, 0]);

/** An update applied to the live document, waiting to be handed to the afterPersist pipelines in arrival order. */
interface JournalEntry extends PersistedUpdate {
  /** False while a local update waits to be written. */
  settled: boolean;
}
export const REDIS_ORIGIN = Symbol('redis');

const isPeer = (origin: unknown): origin is Peer =>
  typeof origin === 'object' && origin !== null && 'awarenessClients' in origin && 'claims' in origin;

/** Postgres errors a retry cannot fix: integrity (23), privileges/RLS (42), data (22). */
export function isPermanentDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|42)/.test(code);
}

export class DocumentSizeError extends Error {
  override name = 'DocumentSizeError';
}

/** One checklist document held in memory: its Yjs doc, awareness, connections and write-behind queue. */
export class DocumentRoom {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  /** Who holds which awareness client id, and every state's encoding (awareness-guard.ts). */
  readonly presence: RoomAwareness;
  readonly peers = new Set<Peer>();
  readonly persist: PersistQueue;
  state: 'loading' | 'ready' | 'unloading' | 'closed' = 'loading';
  ready: Promise<void> = Promise.resolve();
  /** Upper bound of the document's encoded size: exact at load and compaction, plus every accepted update. */
  estimatedBytes = 0;
  private tailLength = 0;
  private dirty = false;
  private compacting: Promise<void> | null = null;
  private unloadTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;
  private pipelines: AfterPersistPipeline[] = [];
  /** Updates applied since they were last handed to the pipelines, oldest first (only while pipelines exist). */
  private journal: JournalEntry[] = [];
  private readonly unsettled = new Map<Uint8Array, JournalEntry>();

  constructor(
    readonly checklistId: string,
    readonly workspaceId: string,
    private readonly ctx: RoomContext,
  ) {
    this.log = ctx.logger.child({ checklistId });
    this.presence = new RoomAwareness(this.awareness, ctx.limits);
    this.awareness.setLocalState(null);
    // Typed from the start, so a transaction's changed types compare equal to them (a root type first met in an
    // update would be created untyped and replaced by the typed one later).
    itemsOf(this.doc);
    sectionsOf(this.doc);
    metaOf(this.doc);
    this.persist = new PersistQueue(
      {
        windowMs: ctx.timing.persistWindowMs,
        maxBatchBytes: ctx.timing.persistMaxBatchBytes,
        retryMinMs: ctx.timing.persistRetryMinMs,
        retryMaxMs: ctx.timing.persistRetryMaxMs,
      },
      {
        write: (batches) => this.write(batches),
        isPermanent: isPermanentDatabaseError,
        rejectedUser: (error) => (error instanceof AppendUpdatesError ? error.userId : null),
        onWritten: (count, seconds) => {
          ctx.metrics.persistSeconds.observe(seconds);
          ctx.metrics.persistedUpdates.inc(count);
        },
        onRejected: (userId, count, error, updates) => {
          ctx.metrics.errors.inc({ kind: 'persist_rejected' });
          this.log.error({ err: error, userId, updates: count }, 'database refused updates: dropped');
          ctx.onWriteRejected(this, userId, error, updates);
          for (const update of updates) this.settle(update, 'refused', null);
          this.releaseJournal();
          ctx.lifecycle.notify('onWriteRejected', { ...this.documentContext(), logger: this.log, userId, count, error }, this.log);
        },
        onRetry: (error, attempt, delayMs) => {
          ctx.metrics.errors.inc({ kind: 'persist_failed' });
          this.log.warn({ err: error, attempt, retryInMs: delayMs, pending: this.persist.depth }, 'persisting failed: will retry');
        },
        onDepthChange: (delta) => ctx.metrics.persistQueueDepth.inc(delta),
      },
    );
    this.doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
  }

  /** Loads the stored document as the first connecting user (RLS applies to the read). */
  async load(claims: JwtClaims): Promise<void> {
    const stored = await loadDocumentState(this.ctx.db, claims, this.checklistId);
    // Applied one by one in one transaction: Y.mergeUpdates would decode and re-encode them all first, which took
    // most of a cold load's time for a long history (docs/benchmarks.md (d)).
    if (stored.updates.length > 0) this.doc.transact(() => stored.updates.forEach((update) => Y.applyUpdate(this.doc, update)), LOAD_ORIGIN);
    this.tailLength = stored.tailLength;
    this.estimatedBytes = Y.encodeStateAsUpdate(this.doc).byteLength;
    await this.ctx.lifecycle.afterLoad(this.documentContext(), this.log);
    this.pipelines = this.ctx.lifecycle.pipelinesFor(this.documentContext(), this.log);
    if (this.pipelines.length > 0) this.doc.on('afterTransaction', this.onTransaction);
    if (this.ctx.fanout) {
      await this.ctx.fanout.subscribe(this.checklistId);
      this.requestPeerState();
    }
    this.state = 'ready';
    this.log.debug({ bytes: this.estimatedBytes, tail: stored.tailLength }, 'document loaded');
  }

  /** Asks other processes for updates this one lacks (after loading, or after Redis reconnects). */
  requestPeerState(): void {
    this.ctx.fanout?.publish(this.checklistId, FanoutKind.syncRequest, Y.encodeStateVector(this.doc));
  }

  /** Applies a validated client update. Throws DocumentSizeError when it would exceed the size limit. */
  applyClientUpdate(peer: Peer, update: Uint8Array): void {
    if (this.estimatedBytes + update.byteLength > this.ctx.limits.maxDocumentBytes) {
      throw new DocumentSizeError(`The document would exceed ${this.ctx.limits.maxDocumentBytes} bytes`);
    }
    this.estimatedBytes += update.byteLength;
    try {
      Y.applyUpdate(this.doc, update, peer);
    } catch (error) {
      this.ctx.metrics.errors.inc({ kind: 'invalid_update' });
      this.log.error({ err: error, userId: peer.userId }, 'an update failed part-way through being applied: reverting the document');
      this.ctx.onApplyFailed(this, update);
      throw error;
    }
  }

  applyFanout(message: FanoutMessage): void {
    if (this.state === 'closed' || this.state === 'loading') return;
    try {
      if (message.kind === FanoutKind.update) {
        const update = this.withoutRefused(message.payload);
        this.estimatedBytes += update.byteLength;
        Y.applyUpdate(this.doc, update, REDIS_ORIGIN);
      } else if (message.kind === FanoutKind.awareness) {
        this.presence.applyRemote(message.payload, null, REDIS_ORIGIN);
      } else if (message.kind === FanoutKind.awarenessOf) {
        const { userId, update } = decodeAwarenessOf(message.payload);
        this.presence.applyRemote(update, userId, REDIS_ORIGIN);
      } else if (message.kind === FanoutKind.syncRequest) {
        const missing = Y.encodeStateAsUpdate(this.doc, message.payload);
        if (!(missing.byteLength === 2 && missing[0] === 0 && missing[1] === 0)) {
          this.ctx.fanout?.publish(this.checklistId, FanoutKind.update, missing);
        }
        for (const [userId, update] of this.presence.encodeByUser()) {
          this.ctx.fanout?.publish(this.checklistId, FanoutKind.awarenessOf, encodeAwarenessOf(userId, update));
        }
      }
    } catch (error) {
      this.ctx.metrics.errors.inc({ kind: 'redis' });
      this.log.warn({ err: error }, 'fan-out message could not be applied');
    }
  }

  addPeer(peer: Peer): void {
    this.cancelUnload();
    this.peers.add(peer);
  }

  /** Removes a peer and its awareness states; returns true when the room became empty. */
  removePeer(peer: Peer): boolean {
    if (!this.peers.delete(peer)) return false;
    if (peer.awarenessClients.size > 0) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [...peer.awarenessClients], null);
    }
    return this.peers.size === 0;
  }

  scheduleUnload(delayMs: number, unload: () => void): void {
    this.cancelUnload();
    this.unloadTimer = setTimeout(unload, delayMs);
  }

  cancelUnload(): void {
    if (this.unloadTimer) clearTimeout(this.unloadTimer);
    this.unloadTimer = null;
    if (this.state === 'unloading') this.state = 'ready';
  }

  get needsCompaction(): boolean {
    return this.dirty || this.tailLength > 0;
  }

  /** The Yjs clients whose content the database refused for this checklist, from which clock (quarantine.ts). */
  refusedClients(): RefusedClients | undefined {
    return this.ctx.quarantine.of(this.checklistId);
  }

  /** `update` without content the database refused for this checklist (quarantine.ts); the same array if none. */
  withoutRefused(update: Uint8Array): Uint8Array {
    return withoutRefused(update, this.ctx.quarantine.of(this.checklistId));
  }

  /**
   * Writes a snapshot of what the log holds up to its latest row. Only the log: the document in memory may hold
   * updates not written yet, or applied and then refused by the database (docs/decisions/111), and a snapshot
   * must hold nothing that is not in the log as its author.
   */
  compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    const run = async () => {
      const started = performance.now();
      try {
        const upTo = await latestUpdateId(this.ctx.db, this.checklistId);
        const result = await compactDocument(this.ctx.db, this.checklistId, EMPTY_UPDATE, upTo);
        this.tailLength = 0;
        this.dirty = false;
        if (result.written) {
          this.estimatedBytes = Math.max(result.bytes, Y.encodeStateAsUpdate(this.doc).byteLength);
          this.ctx.metrics.compactions.inc();
          this.log.debug({ upTo, bytes: result.bytes, ms: Math.round(performance.now() - started) }, 'document compacted');
        }
      } catch (error) {
        this.ctx.metrics.errors.inc({ kind: 'compaction_failed' });
        this.log.warn({ err: error }, 'compaction failed');
      }
    };
    this.compacting = run().finally(() => {
      this.compacting = null;
    });
    return this.compacting;
  }

  destroy(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.cancelUnload();
    this.persist.dispose();
    for (const pipeline of this.pipelines) pipeline.stop();
    this.journal = [];
    this.unsettled.clear();
    this.doc.off('afterTransaction', this.onTransaction);
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.doc.destroy();
    if (this.ctx.fanout) void this.ctx.fanout.unsubscribe(this.checklistId);
  }

  /** One transaction for every author's pending updates; each author's merged into one log row, written as them. */
  private async write(batches: UserBatch[]): Promise<void> {
    const rows = batches.map(({ claims, updates }) => ({
      claims,
      updates: [updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates)],
    }));
    const appended = await this.ctx.appender.append(this.checklistId, this.workspaceId, rows);
    this.tailLength += rows.length;
    if (this.pipelines.length > 0) {
      batches.forEach((batch, index) => {
        const updateId = appended[index]?.ids[0] ?? null;
        for (const update of batch.updates) this.settle(update, 'persisted', updateId);
      });
      // Handed over on a later turn: the next persistence window never waits for extensions.
      this.releaseJournal();
    }
    if (this.tailLength >= this.ctx.timing.compactAfterUpdates) void this.compact();
  }

  get lifecycle(): Lifecycle {
    return this.ctx.lifecycle;
  }

  /** The ids and the live document every hook gets. */
  documentContext() {
    return { checklistId: this.checklistId, workspaceId: this.workspaceId, doc: this.doc };
  }

  /** Resolves when no afterPersist run is in flight or scheduled. */
  async afterPersistIdle(): Promise<void> {
    await Promise.all(this.pipelines.map((pipeline) => pipeline.whenIdle()));
  }

  private settle(update: Uint8Array, source: 'persisted' | 'refused', updateId: number | null): void {
    const entry = this.unsettled.get(update);
    if (!entry) return;
    this.unsettled.delete(update);
    entry.source = source;
    entry.updateId = updateId;
    entry.settled = true;
  }

  /** Hands the settled head of the journal (in arrival order) to every pipeline. */
  private releaseJournal(): void {
    let count = 0;
    while (count < this.journal.length && this.journal[count]!.settled) count += 1;
    if (count === 0) return;
    const released: PersistedUpdate[] = this.journal
      .splice(0, count)
      .map(({ source, userId, updateId, update }) => ({ source, userId, updateId, update }));
    for (const pipeline of this.pipelines) pipeline.push(released);
  }

  /** Which items, sections and meta a transaction touched, for the pipelines' `changes` (cheap: no reads of values). */
  private readonly onTransaction = (transaction: Y.Transaction) => {
    if (transaction.origin === LOAD_ORIGIN || transaction.changed.size === 0) return;
    const touches = noTouches();
    addTouches(this.doc, transaction, touches);
    const itemIds = [...touches.items.keys()];
    for (const pipeline of this.pipelines) pipeline.touch(itemIds, touches.sections, touches.meta);
  };

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === LOAD_ORIGIN) return;
    this.dirty = true;
    const message = updateMessage(update);
    for (const peer of this.peers) if (peer !== origin) peer.send(message);
    if (this.pipelines.length > 0) {
      if (isPeer(origin)) {
        const entry: JournalEntry = { source: 'persisted', userId: origin.userId, updateId: null, update, settled: false };
        this.journal.push(entry);
        this.unsettled.set(update, entry);
      } else {
        this.journal.push({ source: 'remote', userId: null, updateId: null, update, settled: true });
        this.releaseJournal();
      }
    }
    if (isPeer(origin)) {
      this.persist.enqueue({ userId: origin.userId, claims: origin.claims, update });
      this.ctx.fanout?.publish(this.checklistId, FanoutKind.update, update);
    }
  };

  private readonly onAwarenessUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
    const changed = [...added, ...updated, ...removed];
    const session = isPeer(origin) ? origin : null;
    if (session) {
      for (const client of [...added, ...updated]) session.awarenessClients.add(client);
      for (const client of removed) session.awarenessClients.delete(client);
    }
    this.presence.record({ added, updated, removed }, session);
    // Encoded once for every recipient and for Redis, from the JSON text the sender sent (awareness-guard.ts).
    const update = this.presence.encode(changed);
    const message = awarenessUpdateMessage(update);
    for (const peer of this.peers) peer.send(message);
    if (origin !== REDIS_ORIGIN && this.ctx.fanout) {
      this.ctx.fanout.publish(this.checklistId, FanoutKind.awarenessOf, encodeAwarenessOf(session?.userId ?? null, update));
    }
  };
}
