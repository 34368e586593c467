import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import {
  AUTH_AUTHENTICATED,
  AUTH_PERMISSION_DENIED,
  MESSAGE_AUTH,
  MESSAGE_SYNC,
  MESSAGE_SYNC_REPLY,
  SYNC_STEP1,
  SYNC_STEP2,
  SYNC_UPDATE,
  hocuspocusAuthMessage,
  readEnvelope,
  syncMessage,
  type WireProtocol,
} from '../protocol.ts';
import { editsInUpdate, type ReceivedEdit } from './edits.ts';

export interface ClientSpec {
  /** Global client number, unique across all load-generator workers. */
  index: number;
  url: string;
  docName: string;
  protocol: WireProtocol;
  token: string;
}

export interface ClientOptions {
  /** Apply every incoming update to the local document (seeding, cold load). Otherwise only decode edits. */
  applyRemote?: boolean;
  onEdit?: (edit: ReceivedEdit, receivedAt: number) => void;
  connectTimeoutMs?: number;
}

const REMOTE = Symbol('remote');

/**
 * A lightweight y-websocket / Hocuspocus client speaking y-protocols directly: the sync step 1/2
 * handshake and update messages, without awareness or a provider.
 */
export class BenchClient {
  readonly doc = new Y.Doc({ gc: true });
  private socket: WebSocket | null = null;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private flushWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private closedReason: string | null = null;
  private failure: ((error: Error) => void) | null = null;

  constructor(
    readonly spec: ClientSpec,
    private readonly options: ClientOptions = {},
  ) {
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return;
      this.send(syncMessage(this.spec.protocol, this.spec.docName, SYNC_UPDATE, update));
    });
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket and completes the initial sync (resolves once the server's SyncStep2 is applied). */
  connect(): Promise<void> {
    const { protocol, docName, token } = this.spec;
    const url = protocol === 'y-websocket' ? `${this.spec.url}?token=${encodeURIComponent(token)}` : this.spec.url;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`client ${this.spec.index}: no sync within ${this.options.connectTimeoutMs ?? 30000} ms`));
        socket.terminate();
      }, this.options.connectTimeoutMs ?? 30000);
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.failure = null;
        if (error) reject(error);
        else resolve();
      };
      this.failure = done;
      const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 30000 });
      socket.binaryType = 'nodebuffer';
      this.socket = socket;
      this.syncWaiters.push(() => done());
      socket.on('open', () => {
        if (protocol === 'hocuspocus') socket.send(hocuspocusAuthMessage(docName, token));
        const sv = Y.encodeStateVector(this.doc);
        socket.send(syncMessage(protocol, docName, SYNC_STEP1, sv));
      });
      socket.on('message', (data: Buffer) => this.receive(data));
      socket.on('error', (error) => this.failure?.(new Error(`client ${this.spec.index}: ${error.message}`)));
      socket.on('close', (code, reason) => {
        this.closedReason = `closed ${code} ${reason.toString()}`;
        const error = new Error(`client ${this.spec.index}: ${this.closedReason}`);
        this.failure?.(error);
        for (const waiter of this.flushWaiters.splice(0)) waiter.reject(error);
      });
    });
  }

  /** Resolves once the server has processed everything sent before (a SyncStep1 round trip). */
  flush(timeoutMs = 120_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client ${this.spec.index}: flush timed out`)), timeoutMs);
      this.flushWaiters.push({
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.send(syncMessage(this.spec.protocol, this.spec.docName, SYNC_STEP1, Y.encodeStateVector(this.doc)));
    });
  }

  /** Waits while the socket's send buffer is above `bytes` (backpressure for bulk sends). */
  async drain(bytes = 1 << 20): Promise<void> {
    while (this.socket && this.socket.bufferedAmount > bytes) await new Promise((r) => setTimeout(r, 2));
  }

  send(message: Uint8Array): void {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
      throw new Error(`client ${this.spec.index}: socket not open (${this.closedReason ?? 'never opened'})`);
    }
    this.socket.send(message);
  }

  close(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.failure = null;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close();
    });
  }

  private receive(data: Buffer): void {
    const { protocol, docName } = this.spec;
    const { type, decoder } = readEnvelope(protocol, data);
    if (type === MESSAGE_SYNC || type === MESSAGE_SYNC_REPLY) {
      const step = decoding.readVarUint(decoder);
      if (step === SYNC_STEP1) {
        const sv = decoding.readVarUint8Array(decoder);
        this.send(syncMessage(protocol, docName, SYNC_STEP2, Y.encodeStateAsUpdate(this.doc, sv)));
      } else if (step === SYNC_STEP2) {
        Y.applyUpdate(this.doc, decoding.readVarUint8Array(decoder), REMOTE);
        if (!this.synced) {
          this.synced = true;
          for (const waiter of this.syncWaiters.splice(0)) waiter();
        } else {
          this.flushWaiters.shift()?.resolve();
        }
      } else if (step === SYNC_UPDATE) {
        const update = decoding.readVarUint8Array(decoder);
        if (this.options.applyRemote) Y.applyUpdate(this.doc, update, REMOTE);
        const onEdit = this.options.onEdit;
        if (onEdit) {
          const receivedAt = performance.timeOrigin + performance.now();
          for (const edit of editsInUpdate(update)) if (edit.sender !== this.spec.index) onEdit(edit, receivedAt);
        }
      }
    } else if (type === MESSAGE_AUTH && protocol === 'hocuspocus') {
      const authType = decoding.readVarUint(decoder);
      if (authType === AUTH_PERMISSION_DENIED) {
        this.failure?.(new Error(`client ${this.spec.index}: permission denied: ${decoding.readVarString(decoder)}`));
      } else if (authType !== AUTH_AUTHENTICATED) {
        // A token refresh request: answer with the same token.
        this.send(hocuspocusAuthMessage(docName, this.spec.token));
      }
    }
    // Awareness, query-awareness and sync-status messages are not part of these measurements.
  }
}
