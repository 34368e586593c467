import { addItem, itemNotes, itemsOf, readChecklist } from '@tieout/doc-model';
import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import type { Database } from '@tieout/db';
import { encodeMessage, syncMessage } from '@tieout/server/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectStockClient, Editor, itemTitles, type StockClient } from './support/clients.ts';
import { createFaultFixture, type FaultFixture } from './support/fixture.ts';
import { rawClient } from './support/raw-client.ts';
import {
  crashAllServerProcesses,
  freePort,
  healthz,
  readiness,
  startServerProcess,
  waitPersisted,
  type ServerProcess,
} from './support/server-process.ts';
import { createFaultStorage, loadStoredDoc, type FaultStorage } from './support/storage.ts';
import { waitFor } from './support/wait.ts';

/*
 * Thousands of malformed frames and invalid Yjs updates, from fast-check, against a server process, while a
 * well-behaved client edits. Proves: the process never crashes or answers with an internal error (1011), it
 * still serves well-behaved clients, and what it stores is exactly the good edits.
 */
const CASES = Number(process.env.FAULTS_HOSTILE_CASES ?? 3000);
const PARALLEL = 40;
const SEED = Number(process.env.FAULTS_SEED ?? Date.now() % 2 ** 31);

let storage: FaultStorage;
let server: ServerProcess | null = null;
const clients: StockClient[] = [];

afterAll(async () => {
  await crashAllServerProcesses();
  for (const client of clients) client.destroy();
  await server?.crash();
  await storage?.drop();
});

// Frames are built by the server's own protocol module: any message (encodeMessage) and sync messages of any sub-type.
const frame = encodeMessage;
const syncFrame = syncMessage;

/** Real updates of the kind clients send (an item added to a foreign section), to cut and corrupt. */
function realUpdate(seed: number): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = 1_000_000 + seed;
  const sectionId = `hostile-section-${seed}`;
  doc.getMap('sections').set(sectionId, new Y.Map());
  addItem(doc, { sectionId, title: `hostile ${seed}`, notes: ['never stored'] });
  return Y.encodeStateAsUpdate(doc);
}

type Hostile = { frames: (Uint8Array | string)[]; kind: string };
// Message types: 0 sync, 1 awareness, 3 query awareness are the protocol; 2 (auth) is server-to-client only.

/** Frames no correct client sends. None of them may decode into a valid, non-empty update. */
const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 300 }).map((bytes) => ({ kind: 'random bytes', frames: [bytes] })),
  fc
    .tuple(fc.integer({ min: 0, max: 2 }), fc.uint8Array({ minLength: 1, maxLength: 200 }))
    .map(([syncType, payload]) => ({ kind: 'sync with random payload', frames: [syncFrame(syncType, payload)] })),
  fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 400 }), fc.constantFrom(1, 2)).map(([seed, cut, syncType]) => {
    const update = realUpdate(seed);
    return { kind: 'truncated update', frames: [syncFrame(syncType, update.subarray(0, Math.max(0, update.length - cut)))] };
  }),
  fc
    .tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 10 }), fc.uint8Array({ minLength: 1, maxLength: 8 }))
    .map(([seed, at, junk]) => {
      // A huge struct count or client count up front: decoding runs off the end.
      const update = realUpdate(seed);
      const corrupted = new Uint8Array([...[0xff, 0xff, 0xff, 0x0f], ...update.subarray(Math.min(at, 1)), ...junk]);
      return { kind: 'update with an impossible count', frames: [syncFrame(2, corrupted)] };
    }),
  fc.integer({ min: 4, max: 40 }).map((n) => ({ kind: 'overlong varint', frames: [new Uint8Array(n).fill(0xff)] })),
  fc.string({ maxLength: 200 }).map((text) => ({
    kind: 'awareness with invalid JSON',
    frames: [
      frame((e) => {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint8Array(
          e,
          frame((inner) => {
            encoding.writeVarUint(inner, 1);
            encoding.writeVarUint(inner, 424242);
            encoding.writeVarUint(inner, 1);
            // Never valid JSON, whatever follows: `undefined` is not a JSON token.
            encoding.writeVarString(inner, `{"cursor":undefined${text}`);
          }),
        );
      }),
    ],
  })),
  fc
    .oneof(fc.constant(2), fc.integer({ min: 4, max: 2 ** 20 }))
    .map((type) => ({ kind: 'unknown message type', frames: [frame((e) => encoding.writeVarUint(e, type))] })),
  fc.string({ maxLength: 100 }).map((text) => ({ kind: 'text frame', frames: [text] })),
  fc
    .uint8Array({ minLength: 1, maxLength: 16 })
    .map((junk) => ({ kind: 'trailing bytes', frames: [new Uint8Array([...syncFrame(2, new Uint8Array([0, 0])), ...junk])] })),
  fc.integer({ min: 3, max: 2 ** 16 }).map((syncType) => ({ kind: 'unknown sync type', frames: [syncFrame(syncType, new Uint8Array([0, 0]))] })),
);

interface Outcome {
  kind: string;
  code: number | null;
}

async function attack(server: ServerProcess, fx: FaultFixture, index: number, attack: Hostile): Promise<Outcome> {
  const user = fx.editors[1 + (index % (fx.editors.length - 1))]!;
  const client = rawClient(server.url, fx.checklists[0]!.id, user.token);
  const opened = await Promise.race([client.opened.then(() => true), client.closed.then(() => false)]);
  if (!opened) return { kind: attack.kind, code: (await client.closed).code };
  // Frames are handled in order: a sync step 2 answering the probe (a sync step 1 sent after them) means they
  // were handled and left the session open (harmless, e.g. a random but well-formed state vector; those get
  // their own step 2 first, so the probe's answer is the last one expected).
  const probes = attack.frames.filter((f) => typeof f !== 'string' && f[0] === 0 && f[1] === 0).length + 1;
  let answers = 0;
  let answered: () => void;
  const probeAnswered = new Promise<null>((resolve) => (answered = () => resolve(null)));
  client.ws.on('message', (data: Buffer) => {
    if (data[0] === 0 && data[1] === 1 && ++answers >= probes) answered();
  });
  for (const f of attack.frames) client.ws.send(f);
  client.ws.send(new Uint8Array([0, 0, 1, 0]));
  let closed: { code: number; reason: string } | null | undefined;
  void Promise.race([client.closed, probeAnswered]).then((first) => (closed = first));
  await waitFor(
    () => closed !== undefined,
    60_000,
    `an answer to the probe or a close after ${attack.kind} ${JSON.stringify(attack.frames.map(String)).slice(0, 300)}`,
  );
  if (!closed) {
    client.ws.close();
    await client.closed;
  }
  return { kind: attack.kind, code: closed?.code ?? null };
}

let fx: FaultFixture;
let good: Editor;
/** The item an editor added after another editor's schema-breaking update was refused. */
let afterRefusal: string | null = null;

/** Whether the doc model can read a document. */
const readable = (doc: Y.Doc) => {
  try {
    itemTitles(doc);
    return true;
  } catch {
    return false;
  }
};

/** A log row with schema-breaking content, as the server stored any decodable update before it checked them. */
async function storeLegacySchemaBreak(db: Database, fixture: FaultFixture, checklist: FaultFixture['checklists'][number]): Promise<void> {
  const doc = new Y.Doc();
  (itemsOf(doc) as Y.Map<unknown>).set('not-a-map', 'just a string');
  const item = new Y.Map<unknown>();
  for (const [key, value] of Object.entries({
    sectionId: checklist.sectionId,
    position: 'a0',
    title: 'Legacy item',
    status: 'archived',
    notes: 'plain text',
  })) {
    item.set(key, value);
  }
  itemsOf(doc).set('legacy-item', item as never);
  await db.asService((sql) =>
    sql.query(`insert into public.document_updates (checklist_id, workspace_id, user_id, update) values ($1, $2, $3, $4)`, [
      checklist.id,
      fixture.workspaceId,
      fixture.editors[0]!.id,
      Y.encodeStateAsUpdate(doc),
    ]),
  );
}

describe('hostile input against a server process', () => {
  beforeAll(async () => {
    storage = await createFaultStorage('hostile');
    fx = await storage.use(async (db) => {
      const fixture = await createFaultFixture(db, { editors: 6, checklists: 3 });
      await storeLegacySchemaBreak(db, fixture, fixture.checklists[2]!);
      return fixture;
    });
    server = await startServerProcess({ port: await freePort(), env: { ...storage.env, LOG_LEVEL: 'error', COLLAB_PERSIST_WINDOW_MS: '50' } });
    const checklist = fx.checklists[0]!;
    good = new Editor(connectStockClient(server.url, checklist.id, fx.editors[0]!.token, 'good'), checklist.sectionId);
    clients.push(good.client);
    await good.client.synced();
  });

  it(`never crashes nor answers with an internal error across ${CASES} malformed sessions, and keeps serving (seed ${SEED})`, async () => {
    const checklist = fx.checklists[0]!;
    good.start(50);
    const cases = fc.sample(hostile, { numRuns: CASES, seed: SEED });
    const outcomes: Outcome[] = [];
    let next = 0;
    try {
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          while (next < cases.length) {
            const index = next++;
            outcomes.push(await attack(server!, fx, index, cases[index]!));
          }
        }),
      );
    } finally {
      good.stop();
    }
    // One session that floods: it is cut off (rate limit or first bad frame), not served forever.
    const flood = rawClient(server!.url, checklist.id, fx.editors[1]!.token);
    await flood.opened;
    for (let i = 0; i < 10_000 && flood.ws.readyState === flood.ws.OPEN; i += 1) flood.ws.send(new Uint8Array([0, 1, 1, i % 256]));
    const floodClosed = await flood.closed;

    const frames = cases.reduce((sum, c) => sum + c.frames.length, 0);
    expect(frames).toBeGreaterThanOrEqual(CASES);
    const byCode = new Map<string, number>();
    for (const outcome of outcomes) byCode.set(String(outcome.code), (byCode.get(String(outcome.code)) ?? 0) + 1);
    const openKinds = new Map<string, number>();
    for (const outcome of outcomes) if (outcome.code === null) openKinds.set(outcome.kind, (openKinds.get(outcome.kind) ?? 0) + 1);
    const summary = `close codes ${JSON.stringify(Object.fromEntries(byCode))}; left open: ${JSON.stringify(Object.fromEntries(openKinds))}`;
    // Refused as malformed (4400) or too large (4413), or harmless and left open: never an internal error, never a crash.
    expect(
      outcomes.filter((o) => o.code !== 4400 && o.code !== 4413 && o.code !== null),
      summary,
    ).toEqual([]);
    // Kinds that can never be harmless were all refused.
    for (const kind of [
      'text frame',
      'unknown message type',
      'unknown sync type',
      'trailing bytes',
      'truncated update',
      'update with an impossible count',
      'awareness with invalid JSON',
    ]) {
      expect(openKinds.get(kind) ?? 0, summary).toBe(0);
    }
    expect(byCode.get('4400') ?? 0, summary).toBeGreaterThan(CASES * 0.8);
    expect([4400, 4429]).toContain(floodClosed.code);

    expect(server!.child.exitCode).toBeNull();
    expect(await healthz(server!.http)).toBe(200);
    expect((await readiness(server!.http)).ready).toBe(true);
    const reader = connectStockClient(server!.url, checklist.id, fx.editors[0]!.token, 'reader');
    clients.push(reader);
    await reader.synced();
    await waitFor(() => itemTitles(reader.doc).size === good.made.length, 10_000, 'the reader to see every good edit');
    expect([...itemTitles(reader.doc).keys()].sort()).toEqual([...good.made].sort());
    expect(good.made.length).toBeGreaterThan(20);
  }, 150_000);

  it('refuses a well-formed update that breaks the checklist schema before it is applied, broadcast or stored', async () => {
    const checklist = fx.checklists[1]!;
    const bystander = connectStockClient(server!.url, checklist.id, fx.editors[3]!.token, 'bystander');
    const mallory = connectStockClient(server!.url, checklist.id, fx.editors[5]!.token, 'mallory');
    clients.push(bystander, mallory);
    await Promise.all([bystander.synced(), mallory.synced()]);
    (itemsOf(mallory.doc) as Y.Map<unknown>).set('not-a-map', 'just a string');
    await waitFor(() => mallory.closes.length > 0, 10_000, 'the refusal');
    expect(mallory.closes[0]).toEqual({ code: 4400, reason: 'update breaks the checklist schema: an item entry is a string, not a Y.Map' });

    // The session open alongside goes on and never saw it; its next edit reaches a new reader, which does not see it either.
    afterRefusal = addItem(bystander.doc, { sectionId: checklist.sectionId, title: 'Written after the refusal' });
    const reader = connectStockClient(server!.url, checklist.id, fx.editors[4]!.token, 'reader2');
    clients.push(reader);
    await reader.synced();
    await waitFor(() => itemsOf(reader.doc).has(afterRefusal!), 10_000, "the bystander's edit to reach the reader");
    expect(bystander.closes).toEqual([]);
    for (const doc of [bystander.doc, reader.doc]) expect(itemsOf(doc).has('not-a-map')).toBe(false);
    expect(itemTitles(reader.doc).get(afterRefusal)).toBe('Written after the refusal');
  }, 30_000);

  it('refuses a poisoned update (an embed nested 20,000 levels) whole: the process keeps serving every new session', async () => {
    const checklist = fx.checklists[1]!;
    const bystander = connectStockClient(server!.url, checklist.id, fx.editors[3]!.token, 'poison-bystander');
    clients.push(bystander);
    await bystander.synced();
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(bystander.doc));
    const before = Y.encodeStateVector(doc);
    const itemId = addItem(doc, { sectionId: checklist.sectionId, title: 'Poisoned', notes: ['looks fine'] });
    const paragraph = new Y.XmlElement('paragraph');
    const text = new Y.XmlText();
    paragraph.insert(0, [text]);
    itemNotes(doc, itemId).push([paragraph]);
    text.insertEmbed(0, { embed: 'PLACEHOLDER' });
    // The item and its poisoned notes in one update: the embed's JSON text swapped for one Yjs cannot write back out.
    const update = Y.encodeStateAsUpdate(doc, before);
    const json = Buffer.from('{"embed":"PLACEHOLDER"}');
    const placeholder = Buffer.from([json.byteLength, ...json]);
    const at = Buffer.from(update).indexOf(placeholder);
    const deep = Buffer.from('{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000));
    const length = encoding.createEncoder();
    encoding.writeVarUint(length, deep.byteLength);
    const poisoned = new Uint8Array([
      ...update.subarray(0, at),
      ...encoding.toUint8Array(length),
      ...deep,
      ...update.subarray(at + placeholder.byteLength),
    ]);

    const mallory = rawClient(server!.url, checklist.id, fx.editors[5]!.token);
    await mallory.opened;
    mallory.ws.send(syncFrame(2, poisoned));
    expect(await mallory.closed).toEqual({ code: 4400, reason: 'update breaks the checklist schema: a value nested deeper than 32 levels' });
    // New sessions sync as before, and the item is nowhere.
    const reader = connectStockClient(server!.url, checklist.id, fx.editors[4]!.token, 'after-poison');
    clients.push(reader);
    await reader.synced();
    for (const synced of [reader.doc, bystander.doc]) expect(itemsOf(synced).has(itemId)).toBe(false);
    expect(readable(reader.doc)).toBe(true);
    expect(bystander.closes).toEqual([]);
    expect(await healthz(server!.http)).toBe(200);
  }, 30_000);

  /*
   * Logs stored before the server checked updates can hold schema-breaking content, and are replayed by every
   * client forever: the doc model reads past it (decision 062), and the server still takes valid edits.
   */
  it('a document whose stored log already breaks the schema stays readable and editable', async () => {
    const checklist = fx.checklists[2]!;
    const editor = connectStockClient(server!.url, checklist.id, fx.editors[2]!.token, 'legacy-editor');
    clients.push(editor);
    await editor.synced();
    expect(itemsOf(editor.doc).get('not-a-map')).toBe('just a string');
    expect(readable(editor.doc)).toBe(true);
    expect(readChecklist(editor.doc).sections[0]!.items.map((item) => [item.title, item.status])).toEqual([['Legacy item', 'not_started']]);
    const added = addItem(editor.doc, { sectionId: checklist.sectionId, title: 'Valid edit on a damaged document' });
    const reader = connectStockClient(server!.url, checklist.id, fx.editors[4]!.token, 'legacy-reader');
    clients.push(reader);
    await reader.synced();
    await waitFor(() => itemTitles(reader.doc).has(added), 10_000, 'the valid edit to reach a reader');
    expect(editor.closes).toEqual([]);
  }, 30_000);

  it('stores exactly the good edits: nothing from the hostile sessions, nothing half-applied', async () => {
    const checklist = fx.checklists[0]!;
    await waitPersisted(server!.http);
    expect((await server!.stop()).code).toBe(0);
    server = null;
    const [stored, refused, legacy] = await storage.use((db) => Promise.all(fx.checklists.map((c) => loadStoredDoc(db, c.id))));
    const storedTitles = itemTitles(stored!);
    expect([...storedTitles.keys()].sort()).toEqual([...good.made].sort());
    // Nothing else got in: no foreign sections, no pending structs from half-applied updates.
    expect([...stored!.getMap('sections').keys()]).toEqual([checklist.sectionId]);
    expect(stored!.store.pendingStructs).toBeNull();
    expect(Y.encodeStateVector(stored!)).toEqual(Y.encodeStateVector(good.client.doc));

    // The refused update is nowhere in the log; what was written after it is.
    expect(itemsOf(refused!).has('not-a-map')).toBe(false);
    expect(afterRefusal).not.toBeNull();
    expect(itemTitles(refused!).get(afterRefusal!)).toBe('Written after the refusal');
    // The damaged log still reads, with the valid edit made on top of it.
    expect(readable(legacy!)).toBe(true);
    expect([...itemTitles(legacy!).values()].sort()).toEqual(['Legacy item', 'Valid edit on a damaged document']);
  }, 60_000);
});
