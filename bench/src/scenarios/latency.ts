import { startServer, type BenchContext } from '../context.ts';
import type { RunningServer } from '../servers/launch.ts';
import { closeRooms, openRooms, runLoad, type LoadStep, type Rooms } from './rooms.ts';

export interface LatencyResult {
  clients: number;
  docs: number;
  ratePerClient: number;
  connectMs: number;
  failedConnections: number;
  connectErrors: string[];
  serverRssAfterConnect: number;
  step: LoadStep | null;
}

export interface LatencyOptions {
  clients: number;
  docs: number;
  ratePerClient: number;
  durationMs: number;
  warmupMs: number;
}

/** One server's side of a latency run: its rooms, opened and measured. */
interface Side {
  ctx: BenchContext;
  server: RunningServer;
  rooms: Rooms;
  rss: number;
  group: string;
}

async function openSide(ctx: BenchContext, server: RunningServer, options: LatencyOptions, group: string, firstDoc: number): Promise<Side> {
  const rooms = await openRooms(ctx, server, options.clients, options.docs, group, firstDoc);
  ctx.log(`  ${ctx.kind}: ${rooms.clients - rooms.failedConnections}/${rooms.clients} clients connected in ${Math.round(rooms.connectMs)} ms`);
  return { ctx, server, rooms, rss: (await server.memory()).rss, group };
}

async function loadSide(side: Side, options: LatencyOptions): Promise<LatencyResult> {
  const { ctx, server, rooms } = side;
  const connected = rooms.clients - rooms.failedConnections;
  const step =
    connected > 0
      ? await runLoad(ctx, server, rooms, side.group, {
          totalRate: options.ratePerClient * connected,
          durationMs: options.durationMs,
          warmupMs: options.warmupMs,
        })
      : null;
  return {
    clients: options.clients,
    docs: options.docs,
    ratePerClient: options.ratePerClient,
    connectMs: rooms.connectMs,
    failedConnections: rooms.failedConnections,
    connectErrors: rooms.connectErrors,
    serverRssAfterConnect: side.rss,
    step,
  };
}

/** Scenario (a): N clients over M documents editing at a steady rate; delivery latency percentiles. */
export async function latencyScenario(ctx: BenchContext, options: LatencyOptions): Promise<LatencyResult> {
  await ctx.fixtures?.resetDocuments();
  const server = await startServer(ctx);
  try {
    const side = await openSide(ctx, server, options, 'latency', 0);
    const result = await loadSide(side, options);
    await closeRooms(ctx, 'latency');
    return result;
  } finally {
    await server.stop();
  }
}

/**
 * Scenario (a) for two servers in the same window: each has its own N clients over its own M documents (the fixtures'
 * first M, and the M after them), and both loads run at once, so whatever else the machine does in that window
 * (its other tenants, Postgres, the load generators) weighs on both alike. The after-persist pair is measured this
 * way (docs/decisions/179): sequential runs of one and the same server differed by up to 20%. Each side's load-generator
 * CPU is that of the shared workers, both sides' clients together.
 */
export async function latencyPairScenario(ctxs: [BenchContext, BenchContext], options: LatencyOptions): Promise<[LatencyResult, LatencyResult]> {
  await ctxs[0].fixtures?.resetDocuments();
  const servers: RunningServer[] = [];
  try {
    for (const ctx of ctxs) servers.push(await startServer(ctx));
    const groups = ['latency-a', 'latency-b'];
    const sides = [
      await openSide(ctxs[0], servers[0]!, options, groups[0]!, 0),
      await openSide(ctxs[1], servers[1]!, options, groups[1]!, options.docs),
    ];
    const results = await Promise.all(sides.map((side) => loadSide(side, options)));
    for (const group of groups) await closeRooms(ctxs[0], group);
    return [results[0]!, results[1]!];
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
