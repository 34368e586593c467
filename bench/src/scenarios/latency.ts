import { startServer, type BenchContext } from '../context.ts';
import { closeRooms, openRooms, runLoad, type LoadStep } from './rooms.ts';

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

/** Scenario (a): N clients over M documents editing at a steady rate; delivery latency percentiles. */
export async function latencyScenario(
  ctx: BenchContext,
  options: { clients: number; docs: number; ratePerClient: number; durationMs: number; warmupMs: number },
): Promise<LatencyResult> {
  await ctx.fixtures?.resetDocuments();
  const server = await startServer(ctx);
  try {
    const rooms = await openRooms(ctx, server, options.clients, options.docs, 'latency');
    ctx.log(`  ${rooms.clients - rooms.failedConnections}/${rooms.clients} clients connected in ${Math.round(rooms.connectMs)} ms`);
    const memory = await server.memory();
    let step: LoadStep | null = null;
    if (rooms.failedConnections < rooms.clients) {
      step = await runLoad(ctx, server, rooms, 'latency', {
        totalRate: options.ratePerClient * (rooms.clients - rooms.failedConnections),
        durationMs: options.durationMs,
        warmupMs: options.warmupMs,
      });
    }
    await closeRooms(ctx, 'latency');
    return {
      clients: options.clients,
      docs: options.docs,
      ratePerClient: options.ratePerClient,
      connectMs: rooms.connectMs,
      failedConnections: rooms.failedConnections,
      connectErrors: rooms.connectErrors,
      serverRssAfterConnect: memory.rss,
      step,
    };
  } finally {
    await server.stop();
  }
}
