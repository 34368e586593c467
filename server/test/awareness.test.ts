import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../src/index.ts';
import { awarenessUpdateMessage } from '../src/protocol.ts';
import { metricValue, rawClient, tokenFor, useCollabServer, waitFor, type Client, type RawClient, type RunningServer } from '../src/testing.ts';

/*
 * Issue 10, "presence is not validated": awareness client ids are bound to the session that introduced them,
 * states are bounded in size, nesting and rate, and a connect costs no per-state work however many states the
 * document holds (docs/decisions/112). Stock y-websocket providers for the people, raw sockets for the attacker.
 */

const t = useCollabServer({ server: false });

type Entry = { clientId: number; clock: number; json: string };

function awarenessFrame(entries: Entry[]): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(update, entry.clientId);
    encoding.writeVarUint(update, entry.clock);
    encoding.writeVarString(update, entry.json);
  }
  return awarenessUpdateMessage(encoding.toUint8Array(update));
}

/** The entries of every awareness frame a raw client received. */
function receivedEntries(client: RawClient): Entry[] {
  const entries: Entry[] = [];
  for (const frame of client.frames) {
    const decoder = decoding.createDecoder(frame);
    if (decoding.readVarUint(decoder) !== 1) continue;
    const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
    const count = decoding.readVarUint(update);
    for (let i = 0; i < count; i++) {
      entries.push({ clientId: decoding.readVarUint(update), clock: decoding.readVarUint(update), json: decoding.readVarString(update) });
    }
  }
  return entries;
}

const names = (client: Client) => [...client.provider.awareness.getStates().values()].map((state) => state.user?.name);

async function attacker(server: RunningServer, role: 'viewer' | 'editor' = 'viewer'): Promise<RawClient> {
  const client = rawClient(`${server.url}/${t.fx.checklistId}?token=${await tokenFor(t.fx.users[role])}`);
  await client.opened;
  // The server's sync step 1 comes first once the session is open.
  await waitFor(() => client.frames.length > 0, 'the session to open');
  return client;
}

async function metric(server: RunningServer, name: string): Promise<number> {
  const value = metricValue(await server.collab.metrics.registry.metrics(), name);
  return Number.isNaN(value) ? 0 : value;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('awareness client ids belong to the session that introduced them', () => {
  it("refuses a session that sets or removes another person's presence, and keeps theirs", async () => {
    const server = await t.startServer(t.db);
    const owner = await t.connect(server, t.fx.checklistId, t.fx.users.owner);
    const editor = await t.connect(server, t.fx.checklistId, t.fx.users.editor);
    await Promise.all([owner.synced(), editor.synced()]);
    owner.provider.awareness.setLocalStateField('user', { name: 'Owner' });
    await waitFor(() => names(editor).includes('Owner'), "the owner's presence at the editor");
    const ownerId = owner.provider.awareness.clientID;

    for (const json of ['{"user":{"name":"Forged"}}', 'null']) {
      const forger = await attacker(server);
      await waitFor(() => receivedEntries(forger).some((entry) => entry.clientId === ownerId), "the owner's state at the forger");
      const clock = Math.max(
        ...receivedEntries(forger)
          .filter((entry) => entry.clientId === ownerId)
          .map((entry) => entry.clock),
      );
      forger.ws.send(awarenessFrame([{ clientId: ownerId, clock: clock + 1, json }]));
      expect(await forger.closed).toEqual({ code: CloseCode.malformed, reason: 'awareness for a client id held by another session' });
    }
    // Still the owner's own state, everywhere.
    const probe = await attacker(server);
    await waitFor(() => receivedEntries(probe).some((entry) => entry.clientId === ownerId), 'the probe to receive the states');
    expect(receivedEntries(probe).find((entry) => entry.clientId === ownerId)?.json).toBe('{"user":{"name":"Owner"}}');
    expect(names(editor)).toContain('Owner');
    expect(names(editor)).not.toContain('Forged');
    probe.ws.close();
    expect(await metric(server, 'collab_errors_total{kind="awareness_refused"}')).toBe(2);
  });

  it('lets a session hold only a few client ids', async () => {
    const server = await t.startServer(t.db);
    const client = await attacker(server);
    const ids = [1001, 1002, 1003, 1004, 1005].map((clientId) => ({ clientId, clock: 1, json: '{"user":{"name":"many"}}' }));
    client.ws.send(awarenessFrame(ids));
    expect(await client.closed).toEqual({ code: CloseCode.malformed, reason: 'more than 4 awareness client ids in one session' });
  });
});

describe('awareness is bounded', () => {
  it('refuses a state above the size limit with 4413 and one nested too deep with 4400', async () => {
    const server = await t.startServer(t.db, { limits: { maxAwarenessStateBytes: 1024 } });
    const big = await attacker(server);
    big.ws.send(awarenessFrame([{ clientId: 2001, clock: 1, json: JSON.stringify({ user: { name: 'x'.repeat(2000) } }) }]));
    const closed = await big.closed;
    expect(closed.code).toBe(CloseCode.tooLarge);
    expect(closed.reason).toMatch(/^awareness state of \d+ bytes exceeds the limit of 1024$/);
    const deep = await attacker(server);
    deep.ws.send(awarenessFrame([{ clientId: 2002, clock: 1, json: '['.repeat(100) + ']'.repeat(100) }]));
    expect(await deep.closed).toEqual({ code: CloseCode.malformed, reason: 'awareness state nested deeper than 16 levels' });
  });

  it('closes a session that floods awareness with 4429, long before its flood reaches the others', async () => {
    const server = await t.startServer(t.db);
    const watcher = await t.connect(server, t.fx.checklistId, t.fx.users.owner);
    await watcher.synced();
    const flooder = await attacker(server);
    const state = JSON.stringify({ user: { name: 'flood', padding: 'x'.repeat(8000) } });
    // 100 frames of 8 KB at once: well within the message rate limit, 800 KB of presence.
    for (let clock = 1; clock <= 100; clock++) flooder.ws.send(awarenessFrame([{ clientId: 3001, clock, json: state }]));
    expect(await flooder.closed).toEqual({ code: CloseCode.rateLimited, reason: 'more than 65536 bytes of awareness per second' });
    // What went out is bounded by the burst (256 KB to each of the two sessions: the sender gets its states back too),
    // not by the flood (800 KB to each).
    expect(await metric(server, 'collab_bytes_out_total')).toBeLessThan(2 * 300 * 1024);
  });
});

describe('a connect is cheap when many states are held', () => {
  it('sends every state to a new session and takes its echo without encoding or parsing any of them', async () => {
    const STATES = 1000;
    const server = await t.startServer(t.db, { limits: { maxAwarenessClientsPerConnection: STATES } });
    const holder = await attacker(server, 'editor');
    const states = Array.from({ length: STATES }, (_, i) => ({ clientId: 10_000 + i, clock: 1, json: `{"user":{"name":"person ${i}"}}` }));
    holder.ws.send(awarenessFrame(states));
    const first = await attacker(server);
    await waitFor(() => receivedEntries(first).length >= STATES, 'every state at a new session');
    first.ws.close();

    // Ten more sessions connect, each receives every state and sends it back, as a stock provider does.
    const stringify = vi.spyOn(JSON, 'stringify');
    const parse = vi.spyOn(JSON, 'parse');
    const handledBefore = await metric(server, 'collab_messages_in_total{type="awareness"}');
    const bytesBefore = await metric(server, 'collab_bytes_out_total');
    const sessions = await Promise.all(Array.from({ length: 10 }, () => attacker(server)));
    for (const session of sessions) {
      await waitFor(() => receivedEntries(session).length >= STATES, 'every state at the session');
      const echo = session.frames.find((frame) => frame[0] === 1)!;
      session.ws.send(echo);
    }
    await waitFor(
      async () => (await metric(server, 'collab_messages_in_total{type="awareness"}')) >= handledBefore + sessions.length,
      'the echoes to be handled',
    );
    const work = stringify.mock.calls.length + parse.mock.calls.length;
    vi.restoreAllMocks();
    // Before: every connect encoded 1,000 states and every echo parsed 1,000 (20,000 calls). Now: none per state.
    expect(work).toBeLessThan(STATES);
    // Each session got the states once, and nothing was broadcast for the echoes.
    const perSession = ((await metric(server, 'collab_bytes_out_total')) - bytesBefore) / sessions.length;
    const statesBytes = states.reduce((sum, state) => sum + state.json.length + 6, 0);
    expect(perSession).toBeLessThan(statesBytes * 1.5);
    for (const session of [...sessions, holder]) session.ws.close();
  });
});
