import { addItem, addSection, readChecklist } from '@tieout/doc-model';
import type { Database } from '@tieout/db';
import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../src/index.ts';
import {
  connectClient,
  createFixture,
  createTestDatabase,
  rawClient,
  startServer,
  storedDoc,
  tokenFor,
  waitFor,
  type Fixture,
  type RunningServer,
  type TestDatabase,
} from './support.ts';

let storage: TestDatabase;
let db: Database;
let fx: Fixture;
let server: RunningServer;
let editorToken: string;
let expected: ReturnType<typeof readChecklist>;

const frame = (write: (encoder: encoding.Encoder) => void) => {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
};
const syncFrame = (syncType: number, payload: Uint8Array) =>
  frame((e) => {
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, syncType);
    encoding.writeVarUint8Array(e, payload);
  });

beforeAll(async () => {
  storage = await createTestDatabase();
  db = await storage.open();
  fx = await createFixture(db);
  server = await startServer(db, { timing: { persistWindowMs: 10 }, limits: { maxMessageBytes: 64 * 1024 } });
  editorToken = await tokenFor(fx.users.editor);
  // Real content first, so "not corrupted" means something.
  const client = connectClient(server.url, fx.checklistId, editorToken);
  await client.synced();
  const sectionId = addSection(client.doc, { title: 'Power' });
  addItem(client.doc, { sectionId, title: 'Substation transformer capacity' });
  expected = readChecklist(client.doc);
  await waitFor(() => readChecklist(server.collab.loadedDocument(fx.checklistId)!).sections[0]?.items.length === 1);
  await server.collab.flush();
  client.destroy();
});
afterAll(async () => {
  await server?.close();
  await storage?.drop();
});

/** Opens an authorized raw connection, sends the frames, and returns how the server closed it (or null). */
async function send(frames: Uint8Array[], waitMs = 400): Promise<{ code: number; reason: string } | null> {
  const client = rawClient(`${server.url}/${fx.checklistId}?token=${editorToken}`);
  await client.opened;
  for (const f of frames) client.ws.send(f);
  const result = await Promise.race([client.closed, new Promise<null>((resolve) => setTimeout(resolve, waitMs, null))]);
  if (result === null) {
    client.ws.close();
    await client.closed;
  }
  return result;
}

async function expectIntact() {
  const live = server.collab.loadedDocument(fx.checklistId);
  if (live) expect(readChecklist(live)).toEqual(expected);
  await server.collab.flush();
  expect(readChecklist(await storedDoc(db, fx.checklistId))).toEqual(expected);
}

describe('malformed frames', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['an empty frame', new Uint8Array([]), /malformed/],
    ['a truncated varint', new Uint8Array([0x80]), /malformed/],
    ['an over-long varint', new Uint8Array(12).fill(0xff), /malformed/],
    ['an unknown message type', new Uint8Array([7, 1, 2, 3]), /unknown message type 7/],
    ['an unknown sync message', new Uint8Array([0, 9, 0]), /unknown sync message 9/],
    ['a truncated sync payload', new Uint8Array([0, 2, 10, 1, 2]), /malformed/],
    ['trailing bytes after a sync step 1', new Uint8Array([0, 0, 1, 0, 42]), /trailing bytes/],
    ['garbage as a Yjs update', syncFrame(2, new Uint8Array([5, 200, 3, 4, 99, 1, 0, 17, 250, 250])), /invalid Yjs update|could not be applied/],
    ['garbage as a state vector', syncFrame(0, new Uint8Array([3, 1])), /invalid state vector/],
    ['garbage as an awareness update', frame((e) => {
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint8Array(e, new Uint8Array([1, 5, 1, 3, 0x7b, 0x7b, 0x7b]));
    }), /malformed/],
  ];
  for (const [what, bytes, reason] of cases) {
    it(`closes the connection on ${what} with 4400`, async () => {
      const closed = await send([bytes]);
      expect(closed?.code).toBe(CloseCode.malformed);
      expect(closed?.reason).toMatch(reason);
      await expectIntact();
    });
  }

  it('closes on a text frame with 4400', async () => {
    const client = rawClient(`${server.url}/${fx.checklistId}?token=${editorToken}`);
    await client.opened;
    client.ws.send('hello');
    expect((await client.closed).code).toBe(CloseCode.malformed);
  });

  it('closes an oversized message with 4413 and keeps serving others', async () => {
    const big = syncFrame(2, new Uint8Array(70 * 1024));
    const closed = await send([big]);
    expect(closed?.code).toBe(CloseCode.tooLarge);
    expect(closed?.reason).toMatch(/exceeds the limit/);
    await expectIntact();
  });

  const arbitraryFrame = () => {
    const valid = Y.encodeStateAsUpdate(new Y.Doc());
    const bytes = fc.uint8Array({ minLength: 0, maxLength: 64 });
    return fc.oneof(
      bytes,
      bytes.map((tail) => new Uint8Array([0, 2, ...tail])),
      bytes.map((tail) => new Uint8Array([0, 1, ...tail])),
      bytes.map((tail) => new Uint8Array([1, ...tail])),
      bytes.map((tail) => syncFrame(2, tail)),
      bytes.map((tail) => syncFrame(2, new Uint8Array([1, ...tail]))),
      fc.constant(syncFrame(2, valid)),
    );
  };

  it('answers each of a thousand random single frames by serving on or closing with a 44xx code', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryFrame(), async (bytes) => {
        const closed = await send([bytes], 30);
        if (closed) expect([CloseCode.malformed, CloseCode.tooLarge]).toContain(closed.code);
      }),
      { numRuns: 1000 },
    );
    await expectIntact();
  }, 120_000);

  it('survives random frame sequences: a bad frame closes only its connection, the stored document still loads', async () => {
    // Many frames per connection keep the run fast; each connection ends either closed (4400) or still open.
    await fc.assert(
      fc.asyncProperty(fc.array(arbitraryFrame(), { minLength: 1, maxLength: 40 }), async (frames) => {
        const closed = await send(frames, 150);
        if (closed) expect([CloseCode.malformed, CloseCode.tooLarge, CloseCode.rateLimited]).toContain(closed.code);
      }),
      { numRuns: 150 },
    );
    expect(server.collab.connectionCount).toBe(0);
    // Whatever the random frames did, the document loads from the database, and the real content is there.
    await server.collab.flush();
    const stored = readChecklist(await storedDoc(db, fx.checklistId));
    expect(stored.sections.flatMap((s) => s.items).map((item) => item.title)).toContain('Substation transformer capacity');
  }, 120_000);
});
