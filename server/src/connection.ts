import { randomUUID } from 'node:crypto';
import { canEdit, type JwtClaims, type MemberRole } from '@tieout/db';
import { inspectUpdate } from '@tieout/doc-model';
import * as decoding from 'lib0/decoding';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import { AwarenessRefused } from './awareness-guard.ts';
import { CloseCode, closeReason } from './close-codes.ts';
import type { CollabLimits } from './config.ts';
import { DocumentSizeError, type DocumentRoom, type Peer } from './document-room.ts';
import type { CollabMetrics } from './metrics.ts';
import { awarenessUpdateMessage, MessageType, permissionDeniedMessage, syncStep1Message, syncStep2Message, SyncType } from './protocol.ts';

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const messageTypeName: Record<number, string> = { 0: 'sync', 1: 'awareness', 2: 'auth', 3: 'query_awareness' };

/** The most updates a session may have waiting for content it has not sent yet (see `hold`). */
const MAX_HELD_UPDATES = 200;

/**
 * One WebSocket session. Frames that arrive before authorization completes are queued (bounded), then
 * handled in order once the session is attached to its document.
 */
export class CollabConnection implements Peer {
  readonly id = randomUUID();
  readonly awarenessClients = new Set<number>();
  userId = '';
  claims: JwtClaims = { sub: '', role: 'anon' };
  role: MemberRole = 'viewer';
  room: DocumentRoom | null = null;
  alive = true;
  /** True once the session joined its document (open was called): onDisconnect is only for those. */
  joined = false;
  state: 'authorizing' | 'open' | 'closed' = 'authorizing';
  log: Logger;
  private queue: Uint8Array[] = [];
  /** While above 0, frames queue unapplied: the sender's access is being re-checked (membership-watch.ts). */
  private holds = 0;
  /** A membership change was heard while this session was being authorized: re-check as it opens. */
  accessStale = false;
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private tokens: number;
  private lastRefill = performance.now();
  private deniedNotified = false;
  private refusedNotified = false;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    readonly ws: WebSocket,
    readonly checklistId: string,
    private readonly limits: CollabLimits,
    private readonly metrics: CollabMetrics,
    logger: Logger,
  ) {
    this.tokens = limits.messageBurst;
    this.log = logger.child({ connectionId: this.id, checklistId });
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', () => this.closed());
    ws.on('error', (error) => this.log.debug({ err: error }, 'websocket error'));
  }

  get readOnly(): boolean {
    return !canEdit(this.role);
  }

  /** The workspace of the document this session is attached to (null until it opens). */
  get workspaceId(): string | null {
    return this.room?.workspaceId ?? null;
  }

  /** Holds incoming frames, unapplied and in order, until as many `release` calls (membership-watch.ts). */
  holdFrames(): void {
    this.holds += 1;
  }

  releaseFrames(): void {
    if (this.holds === 0) return;
    this.holds -= 1;
    if (this.holds === 0 && this.state === 'open') this.drainQueue();
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  /** The session as extension hooks see it (server/src/lifecycle.ts). */
  sessionContext(workspaceId: string) {
    return { checklistId: this.checklistId, workspaceId, connectionId: this.id, userId: this.userId, role: this.role, claims: this.claims };
  }

  authenticated(claims: JwtClaims): void {
    this.claims = claims;
    this.userId = claims.sub;
    this.log = this.log.child({ userId: claims.sub });
  }

  /** Attaches the session to its loaded document, starts the sync, then handles queued frames. */
  open(room: DocumentRoom, role: MemberRole): void {
    if (this.state !== 'authorizing') return;
    this.room = room;
    this.role = role;
    this.state = 'open';
    this.joined = true;
    room.addPeer(this);
    this.metrics.connections.inc();
    this.send(syncStep1Message(room.doc));
    // Every state at once, from the room's cached encodings: no per-state work per connect (awareness-guard.ts).
    if (room.awareness.getStates().size > 0) this.send(awarenessUpdateMessage(room.presence.encodeAll()));
    this.log.info({ role, readOnly: this.readOnly }, 'connection opened');
    if (this.holds === 0) this.drainQueue();
  }

  private drainQueue(): void {
    while (this.queue.length > 0 && this.state === 'open' && this.holds === 0) this.handle(this.queue.shift()!);
  }

  send(message: Uint8Array): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(CloseCode.tryAgainLater, 'client is not keeping up');
      return;
    }
    this.metrics.messagesOut.inc();
    this.metrics.bytesOut.inc(message.byteLength);
    this.ws.send(message, { binary: true }, (error) => {
      if (error) this.log.debug({ err: error }, 'send failed');
    });
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    if (!wasOpen) this.metrics.connectionsRefused.inc({ code: String(code) });
    this.log[code >= 4000 && code !== CloseCode.forbidden ? 'warn' : 'info']({ code, reason }, 'closing connection');
    this.closed();
    try {
      this.ws.close(code, closeReason(reason));
    } catch {
      this.ws.terminate();
    }
  }

  private closed(): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.queue = [];
    this.held = [];
    this.heldBytes = 0;
    if (wasOpen) {
      this.metrics.connections.dec();
      this.log.info('connection closed');
    }
    for (const listener of this.closeListeners) listener();
  }

  private takeToken(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.limits.messageBurst, this.tokens + ((now - this.lastRefill) / 1000) * this.limits.messagesPerSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    const frame = toBytes(data);
    this.metrics.bytesIn.inc(frame.byteLength);
    if (frame.byteLength > this.limits.maxMessageBytes) {
      this.close(CloseCode.tooLarge, `message of ${frame.byteLength} bytes exceeds the limit of ${this.limits.maxMessageBytes}`);
      return;
    }
    if (!this.takeToken()) {
      this.close(CloseCode.rateLimited, `more than ${this.limits.messagesPerSecond} messages per second`);
      return;
    }
    if (!isBinary) {
      this.close(CloseCode.malformed, 'text frames are not part of the protocol');
      return;
    }
    if (this.state === 'authorizing' || this.holds > 0) {
      if (this.queue.length >= this.limits.maxQueuedBeforeAuth) {
        this.close(
          CloseCode.rateLimited,
          this.state === 'authorizing' ? 'too many messages before authorization completed' : 'too many messages while access was re-checked',
        );
        return;
      }
      if (this.state === 'open') this.metrics.framesHeld.inc();
      this.queue.push(frame);
      return;
    }
    this.handle(frame);
  }

  private handle(frame: Uint8Array): void {
    const room = this.room;
    if (!room || this.state !== 'open') return;
    try {
      const decoder = decoding.createDecoder(frame);
      const type = decoding.readVarUint(decoder);
      this.metrics.messagesIn.inc({ type: messageTypeName[type] ?? 'unknown' });
      switch (type) {
        case MessageType.sync:
          this.handleSync(room, decoder);
          break;
        case MessageType.awareness: {
          const update = decoding.readVarUint8Array(decoder);
          expectEnd(decoder);
          room.presence.apply(this, room.presence.check(this, update));
          break;
        }
        case MessageType.queryAwareness:
          expectEnd(decoder);
          this.send(awarenessUpdateMessage(room.presence.encodeAll()));
          break;
        default:
          throw new ProtocolError(`unknown message type ${type}`);
      }
    } catch (error) {
      if (error instanceof DocumentSizeError) {
        this.close(CloseCode.tooLarge, error.message);
        return;
      }
      if (error instanceof AwarenessRefused) {
        this.metrics.errors.inc({ kind: 'awareness_refused' });
        this.log.warn({ reason: error.message }, 'awareness update refused');
        this.close(error.code, error.message);
        return;
      }
      if (error instanceof SchemaViolationError) {
        this.metrics.errors.inc({ kind: 'schema_violation' });
        this.log.warn({ reason: error.message }, 'update breaks the checklist schema: refused');
        this.close(CloseCode.malformed, `update breaks the checklist schema: ${error.message}`);
        return;
      }
      this.metrics.errors.inc({ kind: error instanceof InvalidUpdateError ? 'invalid_update' : 'malformed_message' });
      const detail = error instanceof ProtocolError || error instanceof InvalidUpdateError ? error.message : 'unreadable message';
      this.log.warn({ err: error }, 'malformed message');
      this.close(CloseCode.malformed, `malformed message: ${detail}`);
    }
  }

  private handleSync(room: DocumentRoom, decoder: decoding.Decoder): void {
    const syncType = decoding.readVarUint(decoder);
    let payload = decoding.readVarUint8Array(decoder);
    expectEnd(decoder);
    if (syncType === SyncType.step1) {
      let stateVector: Uint8Array;
      try {
        Y.decodeStateVector(payload);
        stateVector = payload;
      } catch {
        throw new ProtocolError('invalid state vector');
      }
      this.send(syncStep2Message(room.doc, stateVector));
      return;
    }
    if (syncType !== SyncType.step2 && syncType !== SyncType.update) throw new ProtocolError(`unknown sync message ${syncType}`);
    let decoded: ReturnType<typeof Y.decodeUpdate>;
    try {
      decoded = Y.decodeUpdate(payload);
    } catch {
      throw new InvalidUpdateError('invalid Yjs update');
    }
    // Nothing to apply (e.g. the sync step 2 of a client whose offline edits reached this process another way).
    if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) {
      if (this.held.length > 0) this.retryHeld(room);
      return;
    }
    if (this.readOnly) {
      this.metrics.writesDenied.inc();
      if (!this.deniedNotified) {
        this.deniedNotified = true;
        this.log.info('edit from a read-only session dropped');
        this.send(permissionDeniedMessage(`Your role (${this.role}) cannot edit this checklist; your changes are not saved.`));
      }
      return;
    }
    // Content the database refused earlier (an edit applied just before its author lost access) is never taken
    // back, from anyone: see quarantine.ts.
    const accepted = room.withoutRefused(payload);
    if (accepted !== payload) {
      this.log.info('refused content left out of an update');
      if (!this.refusedNotified && [...this.awarenessClients].some((client) => room.refusedClients()?.has(client))) {
        this.refusedNotified = true;
        this.send(permissionDeniedMessage('Edits made after your access changed were refused and are not saved; reload the page.'));
      }
      payload = accepted;
      decoded = Y.decodeUpdate(payload);
      if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return;
    }
    // The first line of the checklist schema: nothing that breaks it reaches the document, the other sessions,
    // Redis or the database (the doc model's readers tolerate such content as the second line, decision 062).
    const verdict = inspectUpdate(room.doc, payload, decoded);
    if (verdict?.missingContent) {
      this.hold(payload);
      return;
    }
    if (verdict) throw new SchemaViolationError(verdict.reason);
    this.apply(room, payload, decoded);
    if (this.held.length > 0) this.retryHeld(room);
  }

  /** Runs the extensions' beforeApplyUpdate, then applies the update; false when an extension refused it. */
  private apply(room: DocumentRoom, update: Uint8Array, decoded?: ReturnType<typeof Y.decodeUpdate>): boolean {
    const lifecycle = room.lifecycle;
    if (lifecycle.hasBeforeApply) {
      const verdict = lifecycle.beforeApply(
        { ...room.documentContext(), ...this.sessionContext(room.workspaceId), update, decoded: decoded ?? Y.decodeUpdate(update) },
        this.log,
      );
      if (verdict?.action === 'close') {
        this.close(verdict.code ?? CloseCode.forbidden, verdict.reason);
        return false;
      }
      if (verdict?.action === 'drop') {
        this.metrics.writesDenied.inc();
        this.log.info({ reason: verdict.reason }, 'update refused by an extension: dropped');
        this.send(permissionDeniedMessage(verdict.reason));
        return false;
      }
    }
    try {
      room.applyClientUpdate(this, update);
    } catch (error) {
      if (error instanceof DocumentSizeError) throw error;
      throw new InvalidUpdateError('Yjs update could not be applied');
    }
    return true;
  }

  /**
   * Keeps an update that refers to content this session has not sent yet, unapplied, until that content arrives.
   * A stock provider does this right after reconnecting: it sends each new local edit at once, while the sync step 2
   * carrying what was edited offline only follows the server's sync step 1, so an edit made in between may build
   * on offline content. Dropped with the session: the next sync sends it again, since the server never had it.
   */
  private hold(update: Uint8Array): void {
    if (this.held.length >= MAX_HELD_UPDATES || this.heldBytes + update.byteLength > this.limits.maxMessageBytes) {
      throw new SchemaViolationError('its updates refer to content that was never sent');
    }
    this.held.push(update);
    this.heldBytes += update.byteLength;
    this.log.debug({ held: this.held.length }, 'update waits for content the session has not sent yet');
  }

  /** Applies the held updates whose content has arrived, until none more can be. */
  private retryHeld(room: DocumentRoom): void {
    if (this.readOnly) {
      this.held = [];
      this.heldBytes = 0;
      return;
    }
    for (let progress = true; progress && this.held.length > 0;) {
      progress = false;
      for (const update of [...this.held]) {
        const verdict = inspectUpdate(room.doc, update);
        if (verdict?.missingContent) continue;
        if (verdict) throw new SchemaViolationError(verdict.reason);
        this.held.splice(this.held.indexOf(update), 1);
        this.heldBytes -= update.byteLength;
        if (!this.apply(room, update) && this.state !== 'open') return;
        progress = true;
      }
    }
  }
}

/** A well-formed update that would break the checklist schema (packages/doc-model/src/update-guard.ts). */
export class SchemaViolationError extends Error {
  override name = 'SchemaViolationError';
}

export class InvalidUpdateError extends Error {
  override name = 'InvalidUpdateError';
}

function expectEnd(decoder: decoding.Decoder): void {
  if (decoding.hasContent(decoder)) throw new ProtocolError('trailing bytes after the message');
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
