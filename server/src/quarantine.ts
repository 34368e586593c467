import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/*
 * Content the database refused (docs/decisions/111): an edit applied in memory just before its author lost write
 * access, whose log row RLS then refused. The room is reverted to what the log holds, but sessions that received the
 * edit keep it (in memory, in IndexedDB) and would send it back on their next sync, where it would be stored under
 * their name. So the server remembers, per checklist, from which clock on each refused Yjs client's content was
 * refused, and strips those structs from every update that reaches the checklist afterwards, whoever sends it.
 */

/** Refused content of one checklist: Yjs client id -> first refused clock (everything from there on is refused). */
export type RefusedClients = Map<number, number>;

const MAX_CHECKLISTS = 10_000;
const KEEP_MS = 7 * 24 * 3600 * 1000;

/** The Yjs clients (and first clocks) whose content `updates` create. */
export function clientsCreatedBy(updates: Uint8Array[]): RefusedClients {
  const from: RefusedClients = new Map();
  for (const update of updates) {
    for (const struct of Y.decodeUpdate(update).structs) {
      if (struct instanceof Y.Skip) continue;
      const { client, clock } = struct.id;
      const known = from.get(client);
      if (known === undefined || clock < known) from.set(client, clock);
    }
  }
  return from;
}

/**
 * `update` without the structs of refused clients from their refused clock on; the same array when nothing in it is
 * refused. A struct that starts before the refused clock but reaches into it is dropped too (with what follows it).
 */
export function withoutRefused(update: Uint8Array, refused: RefusedClients | undefined): Uint8Array {
  if (!refused || refused.size === 0) return update;
  const { structs, ds } = Y.decodeUpdate(update);
  const isRefused = (struct: (typeof structs)[number]) => {
    const from = refused.get(struct.id.client);
    return from !== undefined && struct.id.clock + struct.length > from;
  };
  if (!structs.some(isRefused)) return update;
  const byClient = new Map<number, (typeof structs)[number][]>();
  for (const struct of structs) {
    if (isRefused(struct)) continue;
    const list = byClient.get(struct.id.client);
    if (list) list.push(struct);
    else byClient.set(struct.id.client, [struct]);
  }
  // The v1 update format, as Yjs writes it: clients (descending) with their structs, then the delete set.
  const encoder = new Y.UpdateEncoderV1();
  const clients = [...byClient.entries()].filter(([, list]) => list.some((struct) => !(struct instanceof Y.Skip)));
  encoding.writeVarUint(encoder.restEncoder, clients.length);
  for (const [client, list] of clients.sort((a, b) => b[0] - a[0])) {
    // Trailing skips (gaps) carry nothing.
    while (list.length > 0 && list[list.length - 1] instanceof Y.Skip) list.pop();
    encoding.writeVarUint(encoder.restEncoder, list.length);
    encoder.writeClient(client);
    encoding.writeVarUint(encoder.restEncoder, list[0]!.id.clock);
    for (const struct of list) struct.write(encoder, 0);
  }
  encoding.writeVarUint(encoder.restEncoder, ds.clients.size);
  for (const [client, items] of [...ds.clients.entries()].sort((a, b) => b[0] - a[0])) {
    encoder.resetDsCurVal();
    encoding.writeVarUint(encoder.restEncoder, client);
    encoding.writeVarUint(encoder.restEncoder, items.length);
    for (const item of items) {
      encoder.writeDsClock(item.clock);
      encoder.writeDsLen(item.len);
    }
  }
  return encoder.toUint8Array();
}

export function encodeRefused(refused: RefusedClients): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, refused.size);
  for (const [client, clock] of refused) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, clock);
  }
  return encoding.toUint8Array(encoder);
}

export function decodeRefused(bytes: Uint8Array): RefusedClients {
  const decoder = decoding.createDecoder(bytes);
  const count = decoding.readVarUint(decoder);
  if (count > 100_000) throw new Error('too many refused clients');
  const refused: RefusedClients = new Map();
  for (let i = 0; i < count; i++) refused.set(decoding.readVarUint(decoder), decoding.readVarUint(decoder));
  return refused;
}

/** Refused content of every checklist this process heard of, kept for a week (bounded in count). */
export class Quarantine {
  private readonly byChecklist = new Map<string, { refused: RefusedClients; at: number }>();

  /** Records refused clients of a checklist; returns whether anything new was recorded. */
  add(checklistId: string, refused: RefusedClients, now = Date.now()): boolean {
    let entry = this.byChecklist.get(checklistId);
    if (!entry || now - entry.at > KEEP_MS) {
      entry = { refused: new Map(), at: now };
    }
    this.byChecklist.delete(checklistId);
    this.byChecklist.set(checklistId, entry);
    entry.at = now;
    let changed = false;
    for (const [client, clock] of refused) {
      const known = entry.refused.get(client);
      if (known === undefined || clock < known) {
        entry.refused.set(client, clock);
        changed = true;
      }
    }
    while (this.byChecklist.size > MAX_CHECKLISTS) this.byChecklist.delete(this.byChecklist.keys().next().value!);
    return changed;
  }

  of(checklistId: string, now = Date.now()): RefusedClients | undefined {
    const entry = this.byChecklist.get(checklistId);
    if (!entry) return undefined;
    if (now - entry.at > KEEP_MS) {
      this.byChecklist.delete(checklistId);
      return undefined;
    }
    return entry.refused;
  }
}
