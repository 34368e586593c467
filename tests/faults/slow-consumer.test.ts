import type { Socket } from 'node:net';
import { awarenessMessage } from '@tieout/server/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { connectStockClient, Editor, missingEdits, type StockClient } from './support/clients.ts';
import { createFaultFixture } from './support/fixture.ts';
import { rawClient, type RawClient } from './support/raw-client.ts';
import { crashAllServerProcesses, freePort, readiness, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { createFaultStorage, type FaultStorage } from './support/storage.ts';
import { waitFor } from './support/wait.ts';

/*
 * A client that stops reading (its socket paused) while others generate lots of traffic.
 * Proves: the server does not buffer for it without bound (it disconnects it past its limit, 16 MiB by
 * default) and its memory stays flat afterwards while the traffic goes on; the other clients are unaffected.
 */
const LIMIT_BYTES = 16 * 1024 * 1024; // server/src/config.ts defaultLimits.maxBufferedBytes (not settable from the environment)
const MESSAGE_BYTES = 256 * 1024;

let storage: FaultStorage;
let server: ServerProcess | null = null;
const stock: StockClient[] = [];
const raw: RawClient[] = [];

afterAll(async () => {
  await crashAllServerProcesses();
  for (const client of stock) client.destroy();
  for (const client of raw) client.ws.terminate();
  await server?.crash();
  await storage?.drop();
});

/** Awareness frames of a fresh client id each time, carrying `bytes` of state (a big, ever-changing cursor). */
function awarenessFlood(bytes: number): () => Uint8Array {
  const awareness = new awarenessProtocol.Awareness(new Y.Doc());
  let n = 0;
  return () => {
    n += 1;
    awareness.setLocalState({ user: { name: 'flood' }, cursor: String(n % 10).repeat(bytes) });
    return awarenessMessage(awareness, [awareness.clientID]);
  };
}

describe('slow consumer', () => {
  it('is disconnected past the buffer limit; server memory stays bounded; others keep being served', async () => {
    storage = await createFaultStorage('slow');
    const fx = await storage.use((db) => createFaultFixture(db, { editors: 3 }));
    const checklist = fx.checklists[0]!;
    // The traffic is presence far above the defaults (16 KB per state, 64 KB/s per session, which would close the
    // flooder: server/test/awareness.test.ts): raised here, so that what is tested is the slow consumer's buffer.
    const presence = String(64 * 1024 * 1024);
    server = await startServerProcess({
      port: await freePort(),
      env: {
        ...storage.env,
        LOG_LEVEL: 'warn',
        COLLAB_MAX_AWARENESS_STATE_BYTES: String(2 * MESSAGE_BYTES),
        COLLAB_AWARENESS_BYTES_PER_SECOND: presence,
        COLLAB_AWARENESS_BURST_BYTES: presence,
      },
    });

    const slow = rawClient(server.url, checklist.id, fx.editors[0]!.token);
    const flooder = rawClient(server.url, checklist.id, fx.editors[1]!.token);
    raw.push(slow, flooder);
    const editor = new Editor(connectStockClient(server.url, checklist.id, fx.editors[2]!.token, 'steady'), checklist.sectionId);
    stock.push(editor.client);
    await Promise.all([slow.opened, flooder.opened, editor.client.synced()]);
    await waitFor(async () => (await readiness(server!.http)).connections === 3, 10_000, 'three connections');
    (slow.ws as unknown as { _socket: Socket })._socket.pause();
    const baseline = server.rssBytes();

    const next = awarenessFlood(MESSAGE_BYTES);
    let sent = 0;
    const flood = setInterval(() => {
      for (let i = 0; i < 2; i += 1) {
        const frame = next();
        sent += frame.byteLength;
        flooder.ws.send(frame);
      }
    }, 50); // 40 frames/s, under the server's rate limit of 60
    editor.start(100);
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(server!.rssBytes()), 200);
    try {
      await waitFor(async () => (await readiness(server!.http)).connections === 2, 60_000, 'the server to drop the slow client');
      const sentAtDrop = sent;
      const samplesAtDrop = samples.length;
      const rssAtDrop = server.rssBytes();
      // Had nobody stopped it, what went out to the slow client would have kept piling up in the server.
      expect(sentAtDrop).toBeGreaterThan(LIMIT_BYTES);
      await waitFor(() => sent - sentAtDrop > 6 * LIMIT_BYTES, 60_000, 'six times the limit more traffic');
      const after = samples.slice(samplesAtDrop);
      const maxAfter = Math.max(...after);
      const report = `baseline ${mb(baseline)}, at drop ${mb(rssAtDrop)}, max after ${mb(maxAfter)}, max overall ${mb(Math.max(...samples))}, sent ${mb(sent)}`;
      // Flat: the ~100 MB that kept flowing did not accumulate (GC slack allowed, far below what was sent).
      expect(maxAfter - rssAtDrop, report).toBeLessThan(64 * 1024 * 1024);
      expect(Math.max(...samples) - baseline, report).toBeLessThan(LIMIT_BYTES + 128 * 1024 * 1024);
    } finally {
      clearInterval(flood);
      clearInterval(sampler);
      editor.stop();
    }

    // The well-behaved clients were served throughout.
    expect(flooder.ws.readyState).toBe(flooder.ws.OPEN);
    expect(editor.client.provider.wsconnected).toBe(true);
    const reader = connectStockClient(server.url, checklist.id, fx.editors[2]!.token, 'reader');
    stock.push(reader);
    await reader.synced();
    await waitFor(() => missingEdits(reader.doc, editor.made).length === 0, 10_000, 'every steady edit to reach a new reader');

    // The slow client, once it reads again, finds its session closed: "not keeping up" (1013), or cut (1006)
    // if the server's close timeout destroyed the socket before the close frame got through.
    (slow.ws as unknown as { _socket: Socket })._socket.resume();
    const closed = await slow.closed;
    expect([1013, 1006]).toContain(closed.code);
  }, 150_000);
});

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
