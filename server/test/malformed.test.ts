import { addItem, addSection, readChecklist } from '@tieout/doc-model';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../src/index.ts';
import { awarenessUpdateMessage, emptySyncStep1Message, syncMessage as syncFrame, SyncType } from '../src/protocol.ts';
import { connectClient, rawClient, storedDoc, tokenFor, useCollabServer, waitFor } from '../src/testing.ts';

const t = useCollabServer({ server: { timing: { persistWindowMs: 10 }, limits: { maxMessageBytes: 64 * 1024 } } });
let editorToken: string;
let expected: ReturnType<typeof readChecklist>;

beforeAll(async () => {
  const { fx, server } = t;
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

const isSyncStep2 = (frame: Uint8Array) => frame[0] === 0 && frame[1] === SyncType.step2;

/**
 * Opens an authorized raw connection, sends the frames and then a sync step 1 as a probe, and returns how the
 * server closed it, or null once the probe was answered: frames are handled in order, so an answer means every
 * frame before it was handled and left the session open. (A well-formed sync step 1 among them is answered too:
 * the probe's answer is the last one expected.)
 */
async function send(frames: Uint8Array[]): Promise<{ code: number; reason: string } | null> {
  const client = rawClient(`${t.server.url}/${t.fx.checklistId}?token=${editorToken}`);
  await client.opened;
  const probes = frames.filter((f) => f[0] === 0 && f[1] === SyncType.step1).length + 1;
  let closed: { code: number; reason: string } | null = null;
  void client.closed.then((result) => (closed = result));
  for (const f of frames) client.ws.send(f);
  client.ws.send(emptySyncStep1Message());
  await waitFor(() => closed !== null || client.frames.filter(isSyncStep2).length >= probes, 'a close or the answer to the probe');
  if (closed) return closed;
  client.ws.close();
  await client.closed;
  return null;
}

async function expectIntact() {
  const live = t.server.collab.loadedDocument(t.fx.checklistId);
  if (live) expect(readChecklist(live)).toEqual(expected);
  await t.server.collab.flush();
  expect(readChecklist(await storedDoc(t.db, t.fx.checklistId))).toEqual(expected);
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
    ['garbage as an awareness update', awarenessUpdateMessage(new Uint8Array([1, 5, 1, 3, 0x7b, 0x7b, 0x7b])), /malformed/],
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
    const client = rawClient(`${t.server.url}/${t.fx.checklistId}?token=${editorToken}`);
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
        const closed = await send([bytes]);
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
        const closed = await send(frames);
        if (closed) expect([CloseCode.malformed, CloseCode.tooLarge, CloseCode.rateLimited]).toContain(closed.code);
      }),
      { numRuns: 150 },
    );
    await waitFor(() => t.server.collab.connectionCount === 0, 'every random session to be closed');
    // Whatever the random frames did, the document loads from the database, and the real content is there.
    await t.server.collab.flush();
    const stored = readChecklist(await storedDoc(t.db, t.fx.checklistId));
    expect(stored.sections.flatMap((s) => s.items).map((item) => item.title)).toContain('Substation transformer capacity');
  }, 120_000);
});
