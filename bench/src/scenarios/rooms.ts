import { now } from '../clock.ts';
import { cpuPressure } from '../machine.ts';
import { HELPER_INDEX_BASE, clientSpec, type BenchContext } from '../context.ts';
import { benchItemId } from '../load/content.ts';
import { processOfClient, type ConnectResult, type EditingClientSpec, type RunResult, type SeedSpec } from '../load/messages.ts';
import type { RunningServer } from '../servers/launch.ts';
import { concat, summarize, type LatencySummary } from '../stats.ts';

/**
 * N editing clients spread evenly over M documents ("rooms"), connected to one server: the fixture documents from
 * `firstDoc` on (two servers measured in the same window use different ones).
 */
export interface Rooms {
  clients: number;
  docs: number;
  connectMs: number;
  failedConnections: number;
  connectErrors: string[];
}

export const docOfClient = (client: number, docs: number) => client % docs;

export async function openRooms(
  ctx: BenchContext,
  server: RunningServer,
  clients: number,
  docs: number,
  group: string,
  firstDoc = 0,
): Promise<Rooms> {
  const seeds: SeedSpec[] = [];
  for (let doc = 0; doc < docs; doc++) {
    const editors: number[] = [];
    for (let c = doc; c < clients; c += docs) editors.push(c);
    seeds.push({ client: clientSpec(ctx, server, HELPER_INDEX_BASE + firstDoc + doc, firstDoc + doc), editors, fillerItems: 5 });
  }
  await ctx.pool.request(0, { cmd: 'seed', docs: seeds, concurrency: 10 });
  const perWorker: EditingClientSpec[][] = Array.from({ length: ctx.pool.size }, () => []);
  const split = { docs, processes: server.processes };
  for (let c = 0; c < clients; c++) {
    // Consecutive clients of a room go to different server processes (when there are several): rooms span them all.
    const slot = Math.floor(c / docs);
    perWorker[c % ctx.pool.size]!.push({
      ...clientSpec(ctx, server, c, firstDoc + docOfClient(c, docs), slot),
      itemId: benchItemId(c),
      process: processOfClient(c, split),
    });
  }
  const started = now();
  const results = await ctx.pool.all<ConnectResult>(perWorker.map((specs) => ({ cmd: 'connect', group, specs, concurrency: 25 })));
  const failed = results.reduce((n, r) => n + (r?.failed ?? 0), 0);
  return {
    clients,
    docs,
    connectMs: now() - started,
    failedConnections: failed,
    connectErrors: results.flatMap((r) => r?.errors ?? []).slice(0, 5),
  };
}

export interface LoadStep {
  /** Target edits per second over all clients. */
  targetRate: number;
  achievedRate: number;
  delivery: LatencySummary;
  /** Deliveries from a client of one server process to a client of another (several processes only; else null). */
  crossDelivery?: LatencySummary | null;
  /** Per edit: until the last other client in the room had it. */
  fanout: LatencySummary;
  expectedDeliveries: number;
  deliveries: number;
  /** Edits that did not reach every other client in the room before the drain ended. */
  incompleteEdits: number;
  serverCpu: number;
  /** The server's event-loop delay during the step (perf_hooks.monitorEventLoopDelay, ms); older result files lack it. */
  serverLoopDelay?: { p50: number; p99: number; max: number };
  loadCpu: number;
  sendLagP99: number;
  /** CPU pressure at the end of the step (see machine.ts): includes the benchmark's own load. */
  cpuPressure: number | null;
  errors: string[];
}

export async function runLoad(
  ctx: BenchContext,
  server: RunningServer,
  rooms: Rooms,
  group: string,
  options: { totalRate: number; durationMs: number; warmupMs: number },
): Promise<LoadStep> {
  const connected = rooms.clients - rooms.failedConnections;
  const ratePerClient = options.totalRate / connected;
  const startAt = now() + 300;
  await server.loopDelay(true);
  const cpuBefore = server.cpuSeconds();
  const results = (await ctx.pool.all<RunResult>(
    Array.from({ length: ctx.pool.size }, () => ({
      cmd: 'run',
      group,
      ratePerClient,
      startAt,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      drainMs: 5000,
      ...(server.processes > 1 ? { split: { docs: rooms.docs, processes: server.processes } } : {}),
    })),
  )) as RunResult[];
  const serverCpu = (server.cpuSeconds() - cpuBefore) / ((now() - startAt) / 1000);
  const serverLoopDelay = await server.loopDelay(false);
  const windowSeconds = (options.durationMs - options.warmupMs) / 1000;
  const sentInWindow = results.reduce((n, r) => n + r.sentInWindow, 0);
  const roomSize = rooms.clients / rooms.docs;
  const edits = new Map<number, { max: number; count: number }>();
  for (const r of results) {
    for (let i = 0; i < r.editKeys.length; i++) {
      const key = r.editKeys[i]!;
      const entry = edits.get(key);
      if (entry) {
        entry.count += r.editCount[i]!;
        entry.max = Math.max(entry.max, r.editMax[i]!);
      } else edits.set(key, { max: r.editMax[i]!, count: r.editCount[i]! });
    }
  }
  const complete: number[] = [];
  for (const entry of edits.values()) if (entry.count >= roomSize - 1) complete.push(entry.max);
  const latencies = concat(results.map((r) => r.latencies));
  return {
    targetRate: options.totalRate,
    achievedRate: sentInWindow / windowSeconds,
    delivery: summarize(latencies),
    crossDelivery: server.processes > 1 ? summarize(concat(results.map((r) => r.crossLatencies))) : null,
    fanout: summarize(Float64Array.from(complete)),
    expectedDeliveries: Math.round(sentInWindow * (roomSize - 1)),
    deliveries: latencies.length,
    incompleteEdits: sentInWindow - complete.length,
    serverCpu,
    serverLoopDelay,
    loadCpu: results.reduce((n, r) => n + r.cpuSeconds, 0) / ((now() - startAt) / 1000),
    sendLagP99: Math.max(...results.map((r) => r.sendLagP99)),
    cpuPressure: cpuPressure(),
    errors: results.flatMap((r) => r.errors).slice(0, 5),
  };
}

export async function closeRooms(ctx: BenchContext, group: string): Promise<void> {
  await ctx.pool.all(Array.from({ length: ctx.pool.size }, () => ({ cmd: 'close', group })));
}
