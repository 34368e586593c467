import { Redis } from 'ioredis';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from 'pino';

export const FanoutKind = {
  /** A Yjs update applied by the sending process. */
  update: 0,
  /** An awareness update. */
  awareness: 1,
  /** A process (re)joined: payload is its state vector; holders reply with what it lacks and their awareness. */
  syncRequest: 2,
  /** The database refused content the sender had applied: payload is the refused clients (quarantine.ts); revert. */
  revert: 3,
  /** An awareness update with the user whose session sent it (awareness-guard.ts): varString userId, then the update. */
  awarenessOf: 4,
} as const;
export type FanoutKindValue = (typeof FanoutKind)[keyof typeof FanoutKind];

export interface FanoutMessage {
  checklistId: string;
  kind: FanoutKindValue;
  payload: Uint8Array;
}

/**
 * Fans document updates and awareness out between server processes over Redis pub/sub, one channel per
 * document. Persistence is not shared: see docs/decisions/022-multi-process-fanout.md.
 */
export class RedisFanout {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channels = new Set<string>();
  private everReady = false;

  constructor(
    url: string,
    private readonly keyPrefix: string,
    private readonly instanceId: string,
    private readonly logger: Logger,
    private readonly onMessage: (message: FanoutMessage) => void,
    private readonly onResubscribed: () => void,
  ) {
    const options = { lazyConnect: false, maxRetriesPerRequest: null, enableAutoPipelining: true } as const;
    // Named connections make them identifiable in CLIENT LIST (operations, and the reconnect test).
    this.publisher = new Redis(url, { ...options, connectionName: `collab-pub-${instanceId}` });
    // No ready check on the subscriber: its INFO would race our first SUBSCRIBE and fail in subscriber mode.
    this.subscriber = new Redis(url, { ...options, enableReadyCheck: false, connectionName: `collab-sub-${instanceId}` });
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: Error) => this.logger.warn({ err: error }, 'redis connection error'));
    }
    this.subscriber.on('ready', () => {
      if (this.everReady) {
        this.logger.info('redis reconnected: asking peers for missed updates');
        this.onResubscribed();
      }
      this.everReady = true;
    });
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.receive(channel.toString(), message));
  }

  get healthy(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  private channel(checklistId: string): string {
    return `${this.keyPrefix}doc:${checklistId}`;
  }

  async subscribe(checklistId: string): Promise<void> {
    const channel = this.channel(checklistId);
    this.channels.add(channel);
    await this.subscriber.subscribe(channel);
  }

  async unsubscribe(checklistId: string): Promise<void> {
    const channel = this.channel(checklistId);
    this.channels.delete(channel);
    await this.subscriber.unsubscribe(channel).catch(() => {});
  }

  publish(checklistId: string, kind: FanoutKindValue, payload: Uint8Array): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, this.instanceId);
    encoding.writeVarUint(encoder, kind);
    encoding.writeVarUint8Array(encoder, payload);
    this.publisher
      .publish(this.channel(checklistId), Buffer.from(encoding.toUint8Array(encoder)))
      .catch((error: unknown) => this.logger.warn({ err: error, checklistId }, 'redis publish failed'));
  }

  private receive(channel: string, message: Buffer): void {
    if (!this.channels.has(channel)) return;
    try {
      const decoder = decoding.createDecoder(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
      const sender = decoding.readVarString(decoder);
      if (sender === this.instanceId) return;
      const kind = decoding.readVarUint(decoder) as FanoutKindValue;
      const payload = decoding.readVarUint8Array(decoder);
      this.onMessage({ checklistId: channel.slice(`${this.keyPrefix}doc:`.length), kind, payload });
    } catch (error) {
      this.logger.warn({ err: error, channel }, 'unreadable redis fan-out message ignored');
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.publisher.quit(), this.subscriber.quit()]);
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}
