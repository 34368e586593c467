import { itemNotesText, itemsOf, updateItem } from '@tieout/doc-model';
import * as Y from 'yjs';
import { now, sleep } from '../clock.ts';
import { BenchClient, type ClientSpec } from './client.ts';
import { HISTORY_ITEM_ID, addLargeItem, ensureHistoryItem, largeItemId, largeNotesChars, seedChecklist } from './content.ts';
import { editMarker, type ReceivedEdit } from './edits.ts';
import type {
  ColdLoadExpectation,
  ColdLoadResult,
  ConnectResult,
  EditingClientSpec,
  HistoryResult,
  RunResult,
  SeedSpec,
  WorkerCommand,
  WorkerReply,
} from './messages.ts';
import { processOfClient, type ProcessSplit } from './messages.ts';

const DRAIN_QUIET_MS = 2_000;

/**
 * A load-generator process: hosts many lightweight clients for the runner. Runs of different groups may overlap (the
 * after-persist pair measured in the same window, each group on its own server): each group has its own recorder.
 */

interface Recorder {
  windowStart: number;
  windowEnd: number;
  latencies: number[];
  crossLatencies: number[];
  split: ProcessSplit | null;
  edits: Map<number, { max: number; count: number }>;
  lastDelivery: number;
}

const groups = new Map<string, { client: BenchClient; spec: EditingClientSpec }[]>();
/** The recorder of each group's run in progress. */
const recorders = new Map<string, Recorder>();

function onEdit(edit: ReceivedEdit, receivedAt: number, receiver: EditingClientSpec, group: string): void {
  const r = recorders.get(group);
  if (!r) return;
  r.lastDelivery = receivedAt;
  if (edit.sentAt < r.windowStart || edit.sentAt >= r.windowEnd) return;
  const latency = receivedAt - edit.sentAt;
  r.latencies.push(latency);
  if (r.split && processOfClient(edit.sender, r.split) !== (receiver.process ?? 0)) r.crossLatencies.push(latency);
  const key = edit.sender * 1e7 + edit.seq;
  const entry = r.edits.get(key);
  if (entry) {
    entry.count++;
    if (latency > entry.max) entry.max = latency;
  } else {
    r.edits.set(key, { max: latency, count: 1 });
  }
}

async function inBatches<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(runners);
}

async function connect(group: string, specs: EditingClientSpec[], concurrency: number): Promise<ConnectResult> {
  const started = now();
  const list = groups.get(group) ?? [];
  groups.set(group, list);
  const errors: string[] = [];
  let failed = 0;
  await inBatches(specs, concurrency, async (spec) => {
    const client = new BenchClient(spec, { onEdit: (edit, receivedAt) => onEdit(edit, receivedAt, spec, group) });
    try {
      await client.connect();
      list.push({ client, spec });
    } catch (error) {
      failed++;
      if (errors.length < 5) errors.push((error as Error).message);
      await client.close();
    }
  });
  return { connected: specs.length - failed, failed, errors, ms: now() - started };
}

async function run(command: Extract<WorkerCommand, { cmd: 'run' }>): Promise<RunResult> {
  const editors = (groups.get(command.group) ?? []).filter((entry) => entry.spec.itemId);
  const period = 1000 / command.ratePerClient;
  const windowStart = command.startAt + command.warmupMs;
  const end = command.startAt + command.durationMs;
  if (recorders.has(command.group)) throw new Error(`group ${command.group} is already running`);
  const r: Recorder = {
    windowStart,
    windowEnd: end,
    latencies: [],
    crossLatencies: [],
    split: command.split ?? null,
    edits: new Map(),
    lastDelivery: 0,
  };
  recorders.set(command.group, r);
  const schedule = editors.map((entry) => ({ ...entry, phase: Math.random() * period, seq: 0 })).sort((a, b) => a.phase - b.phase);
  const cpuBefore = process.cpuUsage();
  const lags: number[] = [];
  const errors: string[] = [];
  let sentInWindow = 0;
  let sentTotal = 0;
  let index = 0;
  let round = 0;
  await sleep(Math.max(0, command.startAt - now()));
  while (schedule.length > 0) {
    const entry = schedule[index]!;
    const due = command.startAt + entry.phase + round * period;
    if (due >= end) break;
    const current = now();
    if (due > current) {
      await sleep(Math.min(due - current, 50));
      continue;
    }
    lags.push(current - due);
    const sentAt = now();
    try {
      if (entry.client.isOpen) {
        updateItem(entry.client.doc, entry.spec.itemId!, { reference: editMarker(entry.spec.index, entry.seq++, sentAt) });
        sentTotal++;
        // The window as the receivers count it (onEdit): an edit due before the end but sent after it, on a busy
        // machine, is in neither count (it was in this one only, and its deliveries went missing).
        if (sentAt >= windowStart && sentAt < end) sentInWindow++;
      }
    } catch (error) {
      if (errors.length < 5) errors.push((error as Error).message);
    }
    index++;
    if (index === schedule.length) {
      index = 0;
      round++;
    }
    // Let incoming messages through between bursts so receive timestamps stay honest.
    if (index % 64 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  // Drain: wait until deliveries stop (or the drain limit passes). The quiet period is long enough that a
  // loaded machine's scheduling pause is not mistaken for the end (500 ms lost 2 of 72 deliveries in CI).
  const drainUntil = now() + command.drainMs;
  while (now() < drainUntil) {
    await sleep(100);
    if (r.lastDelivery > 0 && now() - r.lastDelivery > DRAIN_QUIET_MS) break;
  }
  const cpu = process.cpuUsage(cpuBefore);
  recorders.delete(command.group);
  lags.sort((a, b) => a - b);
  const editKeys = new Float64Array(r.edits.size);
  const editMax = new Float64Array(r.edits.size);
  const editCount = new Uint32Array(r.edits.size);
  let i = 0;
  for (const [key, value] of r.edits) {
    editKeys[i] = key;
    editMax[i] = value.max;
    editCount[i] = value.count;
    i++;
  }
  return {
    sentInWindow,
    sentTotal,
    latencies: Float64Array.from(r.latencies),
    crossLatencies: Float64Array.from(r.crossLatencies),
    editKeys,
    editMax,
    editCount,
    sendLagP99: lags.length ? lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.99))]! : 0,
    sendLagMax: lags.length ? lags[lags.length - 1]! : 0,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    errors,
  };
}

/** Writes each document's content; with `keepGroup` the seeding clients stay connected (holding the document open). */
async function seed(docs: SeedSpec[], concurrency: number, keepGroup?: string): Promise<{ docs: number }> {
  const kept = keepGroup ? (groups.get(keepGroup) ?? []) : null;
  if (keepGroup && kept) groups.set(keepGroup, kept);
  await inBatches(docs, concurrency, async (seedSpec) => {
    const client = new BenchClient(seedSpec.client, { applyRemote: !kept });
    await client.connect();
    seedChecklist(client.doc, seedSpec.editors, seedSpec.fillerItems);
    await client.flush();
    if (kept) kept.push({ client, spec: seedSpec.client });
    else await client.close();
  });
  return { docs: docs.length };
}

/** Types `updates` characters into an item's notes, one update (one message) per character. */
async function history(spec: ClientSpec, updates: number): Promise<HistoryResult> {
  const started = now();
  const client = new BenchClient(spec, { applyRemote: true });
  await client.connect();
  let bytes = 0;
  client.doc.on('update', (update: Uint8Array) => {
    bytes += update.byteLength;
  });
  const text = ensureHistoryItem(client.doc);
  const sentence = 'Core Scientific retrofit capacity 1.3 GW; ';
  for (let n = 0; n < updates; n++) {
    text.insert(text.length, sentence[n % sentence.length]!);
    if (n % 500 === 0) await client.drain();
  }
  await client.flush(600_000);
  await client.close();
  return { ms: now() - started, bytes };
}

/**
 * Writes the cold load's large document through the server: `items` checklist items with notes, one transaction
 * (one update, one message) per item, as a deal team adds them. The notes' characters are returned for the load's check.
 */
async function largeDoc(spec: ClientSpec, items: number): Promise<HistoryResult & { notesChars: number }> {
  const started = now();
  const client = new BenchClient(spec, { applyRemote: true });
  await client.connect();
  let bytes = 0;
  client.doc.on('update', (update: Uint8Array) => {
    bytes += update.byteLength;
  });
  for (let n = 0; n < items; n++) {
    addLargeItem(client.doc, n);
    if (n % 50 === 0) await client.drain();
  }
  await client.flush(600_000);
  const notesChars = largeNotesChars(client.doc, items);
  await client.close();
  return { ms: now() - started, bytes, notesChars };
}

/** A new client loads the document and completes its sync; the content is checked, not assumed. */
async function coldLoad(spec: ClientSpec, expect: ColdLoadExpectation): Promise<ColdLoadResult> {
  const client = new BenchClient(spec, { applyRemote: true, connectTimeoutMs: 300_000 });
  const cpuBefore = process.cpuUsage();
  const started = now();
  await client.connect();
  const ms = now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const clientCpuMs = (cpu.user + cpu.system) / 1000;
  const stateBytes = Y.encodeStateAsUpdate(client.doc).byteLength;
  await client.close();
  if (expect.kind === 'typed') {
    const chars = itemNotesText(client.doc, HISTORY_ITEM_ID).length;
    if (chars < expect.chars) throw new Error(`cold load got ${chars} characters of notes, expected ${expect.chars}`);
    return { ms, stateBytes, chars, clientCpuMs };
  }
  const items = itemsOf(client.doc);
  let loaded = 0;
  for (let n = 0; n < expect.items; n++) if (items.has(largeItemId(n))) loaded++;
  const chars = largeNotesChars(client.doc, expect.items);
  if (loaded !== expect.items || chars !== expect.notesChars) {
    throw new Error(`cold load got ${loaded} of ${expect.items} items with ${chars} of ${expect.notesChars} characters of notes`);
  }
  return { ms, stateBytes, chars, items: loaded, clientCpuMs };
}

async function close(group: string): Promise<{ closed: number }> {
  const list = groups.get(group) ?? [];
  groups.delete(group);
  await inBatches(list, 200, (entry) => entry.client.close());
  return { closed: list.length };
}

async function handle(command: WorkerCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'connect':
      return connect(command.group, command.specs, command.concurrency);
    case 'run':
      return run(command);
    case 'seed':
      return seed(command.docs, command.concurrency, command.keepGroup);
    case 'history':
      return history(command.client, command.updates);
    case 'largedoc':
      return largeDoc(command.client, command.items);
    case 'coldload':
      return coldLoad(command.client, command.expect);
    case 'close':
      return close(command.group);
  }
}

if (!process.send) throw new Error('The load-generator worker must be started by the benchmark runner');
process.on('message', (command: WorkerCommand) => {
  handle(command).then(
    (result) => process.send!({ id: command.id, ok: true, result } satisfies WorkerReply),
    (error: unknown) =>
      process.send!({ id: command.id, ok: false, error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
  );
});
process.on('disconnect', () => process.exit(0));
