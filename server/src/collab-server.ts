import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AccessTokenError, createTokenVerifier, type AccessTokenVerifier, type TokenVerifierOptions } from '@tieout/auth';
import { checklistAccess, createAppendBatcher, databaseReachable, sessionAccess, type Database, type SessionRef } from '@tieout/db';
import { createLogger, type Logger } from '@tieout/config';
import { WebSocketServer, type WebSocket } from 'ws';
import type * as Y from 'yjs';
import { CloseCode } from './close-codes.ts';
import { defaultLimits, defaultTiming, type CollabLimits, type CollabTiming } from './config.ts';
import { CollabConnection } from './connection.ts';
import { DocumentRoom, type RoomContext } from './document-room.ts';
import { handleHttpEndpoint } from './http-endpoints.ts';
import { MembershipWatch } from './membership-watch.ts';
import { clientsCreatedBy, decodeRefused, encodeRefused, Quarantine, type RefusedClients } from './quarantine.ts';
import { Lifecycle, RefuseConnection, type CollabExtension, type LifecycleOptions } from './lifecycle.ts';
import { createMetrics, type CollabMetrics } from './metrics.ts';
import { SessionLifetime } from './session-lifetime.ts';
import { FanoutKind, RedisFanout, type FanoutMessage } from './redis-fanout.ts';

export interface CollabServerOptions {
  /** The database documents are read from and written to (the app's own, when attached to it). */
  db: Database;
  /** How access tokens are verified: verifier options (HS256 secret and/or Supabase JWKS) or a verifier. */
  auth: TokenVerifierOptions | { verify: AccessTokenVerifier };
  /** URL prefix of collaboration sockets (`<basePath>/<checklistId>`) and of the HTTP endpoints. Default `/collab`. */
  basePath?: string;
  /** Fan-out between server processes; without it this process is the only one serving its documents. */
  redis?: { url: string; keyPrefix?: string };
  limits?: Partial<CollabLimits>;
  timing?: Partial<CollabTiming>;
  logger?: Logger;
  /**
   * The extensions installed in the server's lifecycle (server/src/lifecycle.ts), in order. Deployments install
   * `defaultExtensions(...)` (projection, audit trail, versions, ...); none by default.
   */
  extensions?: readonly CollabExtension[];
  /** Spacing of the extensions' afterPersist runs (Lifecycle, docs/decisions/175); 1 s stretching to 5 s under load by default. */
  afterPersist?: LifecycleOptions;
  /** Identifies this process on the Redis channel; random by default. */
  instanceId?: string;
  /** Also export Node's default process metrics (off when several servers share a process, e.g. in tests). */
  defaultMetrics?: boolean;
  /**
   * Who may read /metrics (decision 105): a string = `Authorization: Bearer <it>` is required; null = not served.
   * Both entry points pass COLLAB_METRICS_TOKEN (or null); left out, as in tests, /metrics is open.
   */
  metricsToken?: string | null;
}

export interface Readiness {
  ready: boolean;
  database: boolean;
  redis: boolean | null;
  documents: number;
  connections: number;
  pendingUpdates: number;
  failingDocuments: number;
  closing: boolean;
}

/** The close reason for a checklist the user cannot open: the same whether it exists or not (decision 114). */
const NO_ACCESS = 'no access to this checklist';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The collaboration server: the y-websocket protocol over `ws`, one in-memory Yjs document per checklist,
 * authorization through Postgres RLS, write-behind persistence, optional Redis fan-out.
 */
export class CollabServer {
  readonly basePath: string;
  readonly limits: CollabLimits;
  readonly timing: CollabTiming;
  readonly metrics: CollabMetrics;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly metricsToken: string | null | undefined;
  readonly lifecycle: Lifecycle;
  private readonly db: Database;
  private readonly verify: AccessTokenVerifier;
  private readonly wss: WebSocketServer;
  private readonly rooms = new Map<string, DocumentRoom>();
  private readonly connections = new Set<CollabConnection>();
  private readonly connectionsPerUser = new Map<string, number>();
  /** Closes sockets at token expiry and when their session ends (session-lifetime.ts, decision 103). */
  private readonly sessionLifetime: SessionLifetime;
  private readonly fanout: RedisFanout | null;
  private readonly roomContext: RoomContext;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly recheckTimer: NodeJS.Timeout;
  private rechecking = false;
  private readonly watch: MembershipWatch;
  private readonly watching: Promise<void>;
  private readonly quarantine = new Quarantine();
  /** Documents being reverted to their log (see `revert`): a new session waits for it before loading them. */
  private readonly reverting = new Map<string, Promise<void>>();
  private closing: Promise<void> | null = null;

  constructor(options: CollabServerOptions) {
    this.db = options.db;
    this.basePath = (options.basePath ?? '/collab').replace(/\/$/, '');
    this.limits = { ...defaultLimits, ...options.limits };
    this.timing = { ...defaultTiming, ...options.timing };
    this.logger = options.logger ?? createLogger('collab');
    this.instanceId = options.instanceId ?? randomUUID();
    this.metricsToken = options.metricsToken;
    this.metrics = createMetrics({ defaultMetrics: options.defaultMetrics });
    this.lifecycle = new Lifecycle(options.extensions ?? [], this.metrics, this.logger, options.afterPersist);
    this.verify = 'verify' in options.auth ? options.auth.verify : createTokenVerifier(options.auth);
    this.sessionLifetime = new SessionLifetime({ sessions: () => this.connections, logger: this.logger.child({ component: 'session-lifetime' }) });
    void this.sessionLifetime.start(this.db);
    // ws enforces a hard cap far above our limit so that oversize frames get our 4413, not ws's 1009.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxMessageBytes * 4 + 1024, perMessageDeflate: false });
    this.fanout = options.redis
      ? new RedisFanout(
          options.redis.url,
          options.redis.keyPrefix ?? 'tieout:collab:',
          this.instanceId,
          this.logger.child({ component: 'redis' }),
          (message) => this.onFanout(message),
          () => {
            for (const room of this.rooms.values()) if (room.state === 'ready') room.requestPeerState();
          },
        )
      : null;
    this.roomContext = {
      db: this.db,
      appender: createAppendBatcher(this.db),
      limits: this.limits,
      timing: this.timing,
      metrics: this.metrics,
      logger: this.logger,
      fanout: this.fanout,
      lifecycle: this.lifecycle,
      quarantine: this.quarantine,
      onWriteRejected: (room, userId, _error, updates) => {
        this.revert(room, clientsCreatedBy(updates), true);
        void this.recheckRoom(room, userId);
      },
      onApplyFailed: (room, update) => {
        let refused: RefusedClients;
        try {
          refused = clientsCreatedBy([update]);
        } catch {
          refused = new Map();
        }
        this.revert(room, refused, true);
      },
    };
    this.watch = new MembershipWatch({
      sessions: () => this.connections,
      recheck: (sessions) => this.recheckConnections(sessions as CollabConnection[]),
      onRecheckFailed: (session) => (session as CollabConnection).close(CloseCode.tryAgainLater, 'access could not be re-checked, try again later'),
      metrics: this.metrics,
      logger: this.logger.child({ component: 'membership-watch' }),
    });
    this.watching = this.watch.start(this.db);
    this.pingTimer = setInterval(() => this.ping(), this.timing.pingIntervalMs);
    this.recheckTimer = setInterval(() => void this.recheckMemberships(), this.timing.membershipRecheckMs);
  }

  /** Handles an HTTP upgrade if its path is under basePath; returns false (untouched) otherwise. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://collab.invalid');
    if (!url.pathname.startsWith(`${this.basePath}/`)) return false;
    if (this.closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return true;
    }
    let room: string;
    try {
      room = decodeURIComponent(url.pathname.slice(this.basePath.length + 1));
    } catch {
      room = '';
    }
    const token = url.searchParams.get('token');
    this.wss.handleUpgrade(request, socket, head, (ws) => void this.accept(ws, room, token));
    return true;
  }

  /** Serves `<basePath>/healthz`, `<basePath>/readyz` and `<basePath>/metrics`; returns false for other paths. */
  handleHttp(request: IncomingMessage, response: ServerResponse, basePath = this.basePath): boolean {
    return handleHttpEndpoint(this, request, response, basePath);
  }

  get documentCount(): number {
    return this.rooms.size;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** The in-memory document of a checklist, if loaded (for tests and diagnostics). */
  loadedDocument(checklistId: string): Y.Doc | undefined {
    const room = this.rooms.get(checklistId);
    return room && room.state !== 'closed' ? room.doc : undefined;
  }

  async readiness(): Promise<Readiness> {
    const database = await Promise.race([databaseReachable(this.db), new Promise<boolean>((resolve) => setTimeout(resolve, 2000, false).unref())]);
    let pendingUpdates = 0;
    let failingDocuments = 0;
    for (const room of this.rooms.values()) {
      pendingUpdates += room.persist.depth;
      if (room.persist.failing) failingDocuments += 1;
    }
    const redis = this.fanout ? this.fanout.healthy : null;
    const closing = this.closing !== null;
    return {
      ready: database && failingDocuments === 0 && redis !== false && !closing,
      database,
      redis,
      documents: this.rooms.size,
      connections: this.connections.size,
      pendingUpdates,
      failingDocuments,
      closing,
    };
  }

  /** Writes every pending update now; resolves when nothing is pending. */
  async flush(): Promise<void> {
    await Promise.all([...this.rooms.values()].map((room) => room.persist.flush()));
  }

  /** Closes every connection (1001), writes what is pending (bounded by shutdownTimeoutMs), stops Redis. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.pingTimer);
    clearInterval(this.recheckTimer);
    await this.sessionLifetime.close();
    for (const connection of [...this.connections]) connection.close(CloseCode.goingAway, 'server shutting down');
    const rooms = [...this.rooms.values()];
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(resolve, this.timing.shutdownTimeoutMs, 'timeout'));
    const flushed = await Promise.race([Promise.all(rooms.map((room) => room.persist.flush())).then(() => 'done' as const), deadline]);
    if (flushed === 'done') {
      await Promise.race([Promise.all(rooms.filter((room) => room.needsCompaction).map((room) => room.compact())), deadline]);
      await Promise.race([Promise.all(rooms.map((room) => this.finishExtensions(room))), deadline]);
    }
    const lost = rooms.reduce((sum, room) => sum + room.persist.depth, 0);
    if (lost > 0) this.logger.error({ updates: lost }, 'shutdown timed out: updates not persisted');
    for (const room of rooms) this.dropRoom(room);
    await this.watch.close();
    await this.fanout?.close();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.logger.info({ lost }, 'collaboration server closed');
  }

  private async accept(ws: WebSocket, checklistId: string, token: string | null): Promise<void> {
    const connection = new CollabConnection(ws, checklistId, this.limits, this.metrics, this.logger);
    this.connections.add(connection);
    let counted = false;
    connection.onClose(() => {
      this.connections.delete(connection);
      this.sessionLifetime.untrack(connection);
      if (connection.joined && connection.room) {
        this.lifecycle.notify('onDisconnect', { ...connection.sessionContext(connection.room.workspaceId), logger: connection.log }, connection.log);
      }
      if (counted) this.releaseUserSlot(connection.userId);
      const room = connection.room;
      if (room && room.removePeer(connection) && room.state === 'ready') {
        room.scheduleUnload(this.timing.unloadDelayMs, () => void this.unload(room));
      }
    });
    try {
      // Membership changes are heard from here on (a session authorized before that could miss one).
      await this.watching;
      let claims;
      try {
        claims = await this.verify(token);
      } catch (error) {
        if (error instanceof AccessTokenError) {
          connection.close(CloseCode.unauthorized, `${error.reason}: ${error.message}`);
          return;
        }
        throw error;
      }
      if (connection.state !== 'authorizing') return;
      connection.authenticated(claims);
      if (!(await this.sessionOpens(connection))) return;
      const held = this.connectionsPerUser.get(claims.sub) ?? 0;
      if (held >= this.limits.maxConnectionsPerUser) {
        connection.close(CloseCode.rateLimited, `too many connections for this user (limit ${this.limits.maxConnectionsPerUser})`);
        return;
      }
      this.connectionsPerUser.set(claims.sub, held + 1);
      counted = true;
      // One answer for every checklist a user cannot open, whether it exists or not (or the room name is not a
      // checklist id at all): a signed-in outsider learns nothing about other workspaces' ids (decision 114).
      if (!UUID.test(checklistId)) {
        connection.close(CloseCode.forbidden, NO_ACCESS);
        return;
      }
      let access;
      try {
        access = await checklistAccess(this.db, claims, checklistId);
        if (!access) {
          connection.close(CloseCode.forbidden, NO_ACCESS);
          return;
        }
      } catch (error) {
        this.metrics.errors.inc({ kind: 'load_failed' });
        connection.log.error({ err: error }, 'authorization query failed');
        connection.close(CloseCode.tryAgainLater, 'database unavailable, try again later');
        return;
      }
      if (connection.state !== 'authorizing') return;
      try {
        await this.lifecycle.connect({
          checklistId,
          workspaceId: access.workspaceId,
          connectionId: connection.id,
          userId: claims.sub,
          role: access.role,
          claims,
        });
      } catch (error) {
        if (error instanceof RefuseConnection) connection.close(error.code, error.reason);
        else connection.close(CloseCode.tryAgainLater, 'session could not be set up, try again later');
        return;
      }
      if (connection.state !== 'authorizing') return;
      let room: DocumentRoom;
      try {
        room = await this.roomFor(checklistId, access.workspaceId, claims);
      } catch (error) {
        this.metrics.errors.inc({ kind: 'load_failed' });
        connection.log.error({ err: error }, 'document could not be loaded');
        connection.close(CloseCode.tryAgainLater, 'document could not be loaded, try again later');
        return;
      }
      if (connection.state !== 'authorizing') {
        if (room.peers.size === 0) room.scheduleUnload(this.timing.unloadDelayMs, () => void this.unload(room));
        return;
      }
      if (this.rooms.get(checklistId) !== room) {
        connection.close(CloseCode.reloading, 'document reloaded, reconnect');
        return;
      }
      if (connection.accessStale) {
        // Its membership changed while it was being authorized: its role is read again before a frame is applied.
        connection.holdFrames();
        connection.open(room, access.role);
        void this.watch.recheckHeld([connection]);
      } else {
        connection.open(room, access.role);
      }
    } catch (error) {
      this.metrics.errors.inc({ kind: 'internal' });
      connection.log.error({ err: error }, 'connection setup failed');
      connection.close(CloseCode.internalError, 'internal error');
    }
  }

  /** A session whose sign-in ended is refused; a live one is closed when its token expires (decision 103). */
  private async sessionOpens(connection: CollabConnection): Promise<boolean> {
    let live: boolean;
    try {
      live = await this.sessionLifetime.sessionLive(this.db, connection.claims);
    } catch (error) {
      connection.log.error({ err: error }, 'session state could not be read');
      connection.close(CloseCode.tryAgainLater, 'database unavailable, try again later');
      return false;
    }
    if (!live) connection.close(CloseCode.unauthorized, 'session_ended: signed out, sign in again');
    if (connection.state !== 'authorizing') return false;
    this.sessionLifetime.track(connection);
    return true;
  }

  private releaseUserSlot(userId: string): void {
    const held = (this.connectionsPerUser.get(userId) ?? 1) - 1;
    if (held <= 0) this.connectionsPerUser.delete(userId);
    else this.connectionsPerUser.set(userId, held);
  }

  /** The loaded document of a checklist; concurrent first connections share one load. */
  private async roomFor(checklistId: string, workspaceId: string, claims: Parameters<DocumentRoom['load']>[0]): Promise<DocumentRoom> {
    for (let pending = this.reverting.get(checklistId); pending; pending = this.reverting.get(checklistId)) await pending;
    const existing = this.rooms.get(checklistId);
    if (existing && existing.state !== 'closed') {
      existing.cancelUnload();
      await existing.ready;
      return existing;
    }
    const room = new DocumentRoom(checklistId, workspaceId, this.roomContext);
    this.rooms.set(checklistId, room);
    this.metrics.documentsLoaded.set(this.rooms.size);
    room.ready = room.load(claims).catch((error: unknown) => {
      this.dropRoom(room);
      throw error;
    });
    await room.ready;
    return room;
  }

  private async unload(room: DocumentRoom): Promise<void> {
    if (room.state !== 'ready' || room.peers.size > 0) return;
    room.state = 'unloading';
    await room.persist.whenIdle();
    if (room.state !== 'unloading') return;
    if (room.needsCompaction) await room.compact();
    if (room.state !== 'unloading' || room.peers.size > 0) return;
    await this.finishExtensions(room);
    if (room.state !== 'unloading' || room.peers.size > 0) return;
    this.dropRoom(room);
    this.logger.debug({ checklistId: room.checklistId }, 'document unloaded');
  }

  /** Waits for the document's afterPersist runs, then runs beforeUnloadDocument. */
  private async finishExtensions(room: DocumentRoom): Promise<void> {
    await room.afterPersistIdle();
    await this.lifecycle.beforeUnload(room.documentContext(), this.logger.child({ checklistId: room.checklistId }));
  }

  private dropRoom(room: DocumentRoom): void {
    if (this.rooms.get(room.checklistId) === room) this.rooms.delete(room.checklistId);
    room.destroy();
    this.metrics.documentsLoaded.set(this.rooms.size);
  }

  private ping(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.log.info('no pong: dropping connection');
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      try {
        connection.ws.ping();
      } catch {
        // closed meanwhile
      }
    }
  }

  private async recheckMemberships(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      await this.recheckSessions([...this.rooms.values()].filter((room) => room.state !== 'closed'));
    } finally {
      this.rechecking = false;
    }
  }

  private recheckRoom(room: DocumentRoom, onlyUserId?: string): Promise<void> {
    return this.recheckSessions([room], onlyUserId);
  }

  /**
   * Applies membership changes to open sessions: removed members are closed, role changes take effect.
   * One read for every (document, user) pair, as service_role (docs/decisions/025).
   */
  private async recheckSessions(rooms: DocumentRoom[], onlyUserId?: string): Promise<void> {
    const connections: CollabConnection[] = [];
    for (const room of rooms) {
      for (const peer of room.peers) {
        const connection = peer as CollabConnection;
        if (!onlyUserId || connection.userId === onlyUserId) connections.push(connection);
      }
    }
    await this.recheckConnections(connections);
  }

  /** Re-reads the access of open sessions and applies it; false when the read failed (nothing changed then). */
  private async recheckConnections(connections: CollabConnection[]): Promise<boolean> {
    const sessions = new Map<string, { ref: SessionRef; connections: CollabConnection[] }>();
    for (const connection of connections) {
      if (connection.state !== 'open') continue;
      const key = `${connection.checklistId}/${connection.userId}`;
      const session = sessions.get(key);
      if (session) session.connections.push(connection);
      else sessions.set(key, { ref: { checklistId: connection.checklistId, userId: connection.userId }, connections: [connection] });
    }
    if (sessions.size === 0) return true;
    const entries = [...sessions.values()];
    let answers;
    try {
      answers = await sessionAccess(
        this.db,
        entries.map((entry) => entry.ref),
      );
    } catch (error) {
      this.metrics.errors.inc({ kind: 'recheck_failed' });
      this.logger.warn({ err: error, sessions: entries.length }, 'membership re-check failed');
      return false;
    }
    for (const [index, { connections: sessionConnections }] of entries.entries()) {
      const { access, checklistExists: exists } = answers[index]!;
      for (const connection of sessionConnections) {
        if (!access) {
          if (!exists) connection.close(CloseCode.notFound, 'checklist deleted');
          else connection.close(CloseCode.forbidden, 'membership revoked');
        } else if (access.role !== connection.role) {
          connection.log.info({ from: connection.role, to: access.role }, 'role changed');
          connection.role = access.role;
        }
      }
    }
    return true;
  }

  private onFanout(message: FanoutMessage): void {
    if (message.kind !== FanoutKind.revert) {
      this.rooms.get(message.checklistId)?.applyFanout(message);
      return;
    }
    let refused: RefusedClients;
    try {
      refused = decodeRefused(message.payload);
    } catch (error) {
      this.metrics.errors.inc({ kind: 'redis' });
      this.logger.warn({ err: error }, 'unreadable revert message ignored');
      return;
    }
    const room = this.rooms.get(message.checklistId);
    if (room) this.revert(room, refused, false);
    else this.quarantine.add(message.checklistId, refused);
  }

  /**
   * The database refused updates that were already applied in memory (and sent to the other sessions): their
   * author lost write access after the update was applied but before it was written (docs/decisions/111). The
   * document goes back to what the log holds: the refused content is quarantined (never taken back from anyone),
   * every session is closed with 1012 so that it reconnects, the other authors' pending updates are written,
   * and the next session loads the document afresh. Other processes holding the document do the same.
   */
  private revert(room: DocumentRoom, refused: RefusedClients, publish: boolean): void {
    this.quarantine.add(room.checklistId, refused);
    if (publish) this.fanout?.publish(room.checklistId, FanoutKind.revert, encodeRefused(refused));
    if (room.state === 'closed' || this.reverting.has(room.checklistId)) return;
    this.metrics.documentsReverted.inc();
    this.logger.warn({ checklistId: room.checklistId }, 'an applied edit was refused by the database: reloading the document');
    if (this.rooms.get(room.checklistId) === room) this.rooms.delete(room.checklistId);
    room.state = 'unloading';
    const done = (async () => {
      for (const peer of [...room.peers]) peer.close(CloseCode.reloading, 'document reloaded: an edit was refused');
      await room.persist.whenIdle();
      await this.finishExtensions(room);
      room.destroy();
      this.metrics.documentsLoaded.set(this.rooms.size);
    })().finally(() => this.reverting.delete(room.checklistId));
    this.reverting.set(room.checklistId, done);
  }
}

/** Creates a collaboration server and routes the http server's `upgrade` events under basePath to it. */
export function attachCollabServer(httpServer: import('node:http').Server, options: CollabServerOptions): CollabServer {
  const collab = new CollabServer(options);
  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    collab.handleUpgrade(request, socket, head);
  });
  return collab;
}
