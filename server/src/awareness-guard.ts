import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { CloseCode } from './close-codes.ts';

/*
 * Presence (y-protocols awareness) checked and kept cheap (issue 10, docs/decisions/112):
 * - A session may only set or remove the states of awareness client ids it introduced. An id held by a session of
 *   another user (here or in another process) is refused (4400). An id held by another session of the SAME user is
 *   handed over: that is a stock provider reconnecting while its old connection is not yet known to be gone.
 * - Each state is bounded in size and nesting, a session in how many ids it holds and in awareness bytes per second
 *   (4413 / 4400 / 4429).
 * - Every state is encoded once, when it changes, from the very JSON text its sender sent: a new session receives
 *   the concatenation of those encodings (cached until the next change), with no per-state work per connection.
 */

export interface AwarenessLimits {
  /** Largest JSON text of one awareness state (4413 above it). */
  maxAwarenessStateBytes: number;
  /** Deepest nesting of arrays and objects in a state (4400 above it). */
  maxAwarenessStateDepth: number;
  /** Awareness client ids one session may hold (4400 above it; a stock provider uses one). */
  maxAwarenessClientsPerConnection: number;
  /** Sustained awareness bytes per second per session, and the burst (4429 above it). */
  awarenessBytesPerSecond: number;
  awarenessBurstBytes: number;
}

export const defaultAwarenessLimits: AwarenessLimits = {
  maxAwarenessStateBytes: 16 * 1024,
  maxAwarenessStateDepth: 16,
  maxAwarenessClientsPerConnection: 4,
  awarenessBytesPerSecond: 64 * 1024,
  awarenessBurstBytes: 256 * 1024,
};

/** A session as the guard sees it. */
export interface AwarenessSession {
  readonly id: string;
  readonly userId: string;
  /** Awareness client ids this session holds (their states are removed when it closes). */
  readonly awarenessClients: Set<number>;
}

export class AwarenessRefused extends Error {
  override name = 'AwarenessRefused';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Entry {
  clientId: number;
  clock: number;
  /** The state as its sender's JSON text ('null' for a removal). */
  json: string;
}

/** Reads an awareness update without applying it; throws AwarenessRefused for anything a correct client never sends. */
export function readAwarenessUpdate(update: Uint8Array, maxEntries = Number.POSITIVE_INFINITY): Entry[] {
  const decoder = decoding.createDecoder(update);
  let entries: Entry[];
  try {
    const count = decoding.readVarUint(decoder);
    if (count > maxEntries) throw new AwarenessRefused(CloseCode.malformed, `awareness update for ${count} clients (limit ${maxEntries})`);
    entries = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      entries.push({ clientId, clock, json: decoding.readVarString(decoder) });
    }
  } catch (error) {
    if (error instanceof AwarenessRefused) throw error;
    throw new AwarenessRefused(CloseCode.malformed, 'malformed message: invalid awareness update');
  }
  if (decoding.hasContent(decoder)) throw new AwarenessRefused(CloseCode.malformed, 'malformed message: trailing bytes in an awareness update');
  return entries;
}

/** Nesting depth of a JSON text, counted without parsing (brackets outside strings). */
export function jsonDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) deepest = Math.max(deepest, ++depth);
    else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return deepest;
}

/** An awareness update relayed to other processes with the user whose session sent it ('' when not known). */
export function encodeAwarenessOf(userId: string | null, update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, userId ?? '');
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function decodeAwarenessOf(payload: Uint8Array): { userId: string | null; update: Uint8Array } {
  const decoder = decoding.createDecoder(payload);
  const userId = decoding.readVarString(decoder);
  return { userId: userId === '' ? null : userId, update: decoding.readVarUint8Array(decoder) };
}

function encodeEntry(entry: Entry): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entry.clientId);
  encoding.writeVarUint(encoder, entry.clock);
  encoding.writeVarString(encoder, entry.json);
  return encoding.toUint8Array(encoder);
}

function concatUpdate(parts: Uint8Array[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, parts.length);
  for (const part of parts) encoding.writeUint8Array(encoder, part);
  return encoding.toUint8Array(encoder);
}

/** Who holds an awareness client id: a session of this process, or (null) one of another process. */
interface Owner {
  userId: string | null;
  session: AwarenessSession | null;
}

/** One document's awareness: who holds which client id, per-session budgets, and the states' encodings. */
export class RoomAwareness {
  private readonly owners = new Map<number, Owner>();
  /** The encoded entry of every client id that has a state. */
  private readonly encoded = new Map<number, Uint8Array>();
  /** Entries of the update being applied, by client id: what the 'update' event's clients are encoded from. */
  private applying: Map<number, Entry> | null = null;
  private applyingRemoteUser: string | null | undefined = undefined;
  private everything: Uint8Array | null = null;
  private readonly budgets = new WeakMap<AwarenessSession, { tokens: number; at: number }>();

  constructor(
    private readonly awareness: awarenessProtocol.Awareness,
    private readonly limits: AwarenessLimits,
  ) {}

  /**
   * Checks a session's awareness update; throws AwarenessRefused. Returns the entries to apply: a stock provider
   * echoes every state it receives (same clock) and, when it times one out, its removal (same clock); those are
   * left out without a word, so that echoes of a thousand states cost no parsing. What is refused is what no stock
   * client sends: a newer state (or clock) for an id held by another user's session.
   */
  check(session: AwarenessSession, update: Uint8Array): Entry[] {
    const entries = readAwarenessUpdate(update);
    const accepted: Entry[] = [];
    let introduced = 0;
    let bytes = 0;
    for (const entry of entries) {
      const current = this.awareness.meta.get(entry.clientId)?.clock ?? -1;
      const owner = this.owners.get(entry.clientId);
      const own = owner?.session === session;
      const newer = entry.clock > current;
      const removal = entry.json === 'null';
      // An echo of a state (or of its removal) this session did not set: nothing of it is taken.
      if (!own && !newer) continue;
      if (entry.clientId === this.awareness.clientID) {
        throw new AwarenessRefused(CloseCode.malformed, "awareness for a client id that is not this session's");
      }
      if (owner && !own && owner.userId !== session.userId) {
        throw new AwarenessRefused(CloseCode.malformed, 'awareness for a client id held by another session');
      }
      if (!owner && !removal) introduced += 1;
      const size = Buffer.byteLength(entry.json);
      if (size > this.limits.maxAwarenessStateBytes) {
        throw new AwarenessRefused(CloseCode.tooLarge, `awareness state of ${size} bytes exceeds the limit of ${this.limits.maxAwarenessStateBytes}`);
      }
      if (jsonDepth(entry.json) > this.limits.maxAwarenessStateDepth) {
        throw new AwarenessRefused(CloseCode.malformed, `awareness state nested deeper than ${this.limits.maxAwarenessStateDepth} levels`);
      }
      try {
        JSON.parse(entry.json);
      } catch {
        throw new AwarenessRefused(CloseCode.malformed, 'malformed message: awareness state is not JSON');
      }
      bytes += size;
      accepted.push(entry);
    }
    if (session.awarenessClients.size + introduced > this.limits.maxAwarenessClientsPerConnection) {
      throw new AwarenessRefused(
        CloseCode.malformed,
        `more than ${this.limits.maxAwarenessClientsPerConnection} awareness client ids in one session`,
      );
    }
    if (accepted.length > 0) this.spend(session, bytes);
    return accepted;
  }

  /** Applies what `check` accepted of a session's update. */
  apply(session: AwarenessSession, entries: Entry[]): void {
    if (entries.length === 0) return;
    this.applyEntries(concatUpdate(entries.map(encodeEntry)), entries, session, undefined);
  }

  /** Applies an update another process sent, with the user whose session sent it there (null: not known). */
  applyRemote(update: Uint8Array, userId: string | null, origin: unknown): void {
    this.applyEntries(update, readAwarenessUpdate(update), origin, userId);
  }

  private applyEntries(update: Uint8Array, entries: Entry[], origin: unknown, remoteUserId: string | null | undefined): void {
    this.applying = new Map(entries.map((entry) => [entry.clientId, entry]));
    this.applyingRemoteUser = remoteUserId;
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin);
    } finally {
      this.applying = null;
      this.applyingRemoteUser = undefined;
    }
  }

  /**
   * Records who holds the ids a change set or removed; call from the awareness 'update' handler, before `encode`.
   * `session` is null for another process's changes and for removals by the server (closed session, timeout).
   */
  record(change: { added: number[]; updated: number[]; removed: number[] }, session: AwarenessSession | null): void {
    this.everything = null;
    const remoteUserId = this.applyingRemoteUser;
    for (const clientId of [...change.added, ...change.updated]) {
      const owner = this.owners.get(clientId);
      if (session) {
        if (owner?.session && owner.session !== session) owner.session.awarenessClients.delete(clientId);
        this.owners.set(clientId, { userId: session.userId, session });
      } else if (remoteUserId !== undefined) {
        if (owner?.session) owner.session.awarenessClients.delete(clientId);
        this.owners.set(clientId, { userId: remoteUserId, session: null });
      }
    }
    for (const clientId of change.removed) {
      this.owners.get(clientId)?.session?.awarenessClients.delete(clientId);
      this.owners.delete(clientId);
      this.encoded.delete(clientId);
    }
  }

  /** The awareness update carrying `clients` (changed or removed) as they are now, from the cached encodings. */
  encode(clients: number[]): Uint8Array {
    const parts: Uint8Array[] = [];
    for (const clientId of clients) {
      const clock = this.awareness.meta.get(clientId)?.clock ?? 0;
      const state = this.awareness.states.get(clientId);
      if (state === undefined) {
        parts.push(encodeEntry({ clientId, clock, json: 'null' }));
        continue;
      }
      const sent = this.applying?.get(clientId);
      // The sender's own text when it is what was applied; otherwise (rare: the server's own changes) encode it.
      const entry = sent && sent.clock === clock ? encodeEntry(sent) : encodeEntry({ clientId, clock, json: JSON.stringify(state) });
      this.encoded.set(clientId, entry);
      parts.push(entry);
    }
    return concatUpdate(parts);
  }

  /** Every state, as one awareness update: built from the cached encodings, once per change. */
  encodeAll(): Uint8Array {
    if (!this.everything) {
      const parts: Uint8Array[] = [];
      for (const clientId of this.awareness.states.keys()) {
        const entry = this.encoded.get(clientId);
        if (entry) parts.push(entry);
      }
      this.everything = concatUpdate(parts);
    }
    return this.everything;
  }

  /** Every state as one awareness update per user holding them (null: not known), for another process. */
  encodeByUser(): Map<string | null, Uint8Array> {
    const parts = new Map<string | null, Uint8Array[]>();
    for (const clientId of this.awareness.states.keys()) {
      const entry = this.encoded.get(clientId);
      if (!entry) continue;
      const userId = this.owners.get(clientId)?.userId ?? null;
      const list = parts.get(userId);
      if (list) list.push(entry);
      else parts.set(userId, [entry]);
    }
    return new Map([...parts].map(([userId, list]) => [userId, concatUpdate(list)]));
  }

  /** Who holds a client id: the user, or null when not known (another process's). */
  ownerOf(clientId: number): string | null | undefined {
    return this.owners.get(clientId)?.userId;
  }

  private spend(session: AwarenessSession, bytes: number): void {
    const now = performance.now();
    const budget = this.budgets.get(session) ?? { tokens: this.limits.awarenessBurstBytes, at: now };
    budget.tokens = Math.min(this.limits.awarenessBurstBytes, budget.tokens + ((now - budget.at) / 1000) * this.limits.awarenessBytesPerSecond);
    budget.at = now;
    budget.tokens -= bytes;
    this.budgets.set(session, budget);
    if (budget.tokens < 0) {
      throw new AwarenessRefused(CloseCode.rateLimited, `more than ${this.limits.awarenessBytesPerSecond} bytes of awareness per second`);
    }
  }
}
