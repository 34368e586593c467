import { startServer, type BenchContext } from '../context.ts';
import { closeRooms, openRooms, runLoad, type LoadStep } from './rooms.ts';

export const THROUGHPUT_P99_LIMIT_MS = 50;

export interface ThroughputResult {
  clients: number;
  docs: number;
  steps: (LoadStep & { passed: boolean; reason: string })[];
  /** Highest target rate (edits/s) that passed, or 0. */
  sustainedRate: number;
}

function judge(step: LoadStep): { passed: boolean; reason: string } {
  if (!(step.delivery.p99 < THROUGHPUT_P99_LIMIT_MS)) return { passed: false, reason: `p99 ${step.delivery.p99.toFixed(1)} ms` };
  if (step.achievedRate < 0.95 * step.targetRate) return { passed: false, reason: 'load generator fell behind' };
  if (step.deliveries < 0.99 * step.expectedDeliveries) return { passed: false, reason: 'deliveries missing' };
  return { passed: true, reason: 'ok' };
}

/**
 * Scenario (b): the edit rate is stepped up (x1.5 each step) on one set of rooms until p99 delivery
 * latency reaches 50 ms, edits go missing, or the load generator cannot keep the rate.
 */
export async function throughputScenario(
  ctx: BenchContext,
  options: { clients: number; docs: number; startRate: number; maxSteps: number; stepMs: number; warmupMs: number },
): Promise<ThroughputResult> {
  await ctx.fixtures?.resetDocuments();
  const server = await startServer(ctx);
  const steps: ThroughputResult['steps'] = [];
  try {
    const rooms = await openRooms(ctx, server, options.clients, options.docs, 'throughput');
    if (rooms.failedConnections > 0)
      throw new Error(`throughput: ${rooms.failedConnections} clients failed to connect: ${rooms.connectErrors.join('; ')}`);
    let rate = options.startRate;
    for (let n = 0; n < options.maxSteps; n++) {
      const step = await runLoad(ctx, server, rooms, 'throughput', { totalRate: rate, durationMs: options.stepMs, warmupMs: options.warmupMs });
      const verdict = judge(step);
      steps.push({ ...step, ...verdict });
      ctx.log(
        `  ${Math.round(rate)} edits/s: p99 ${step.delivery.p99.toFixed(1)} ms, server CPU ${(step.serverCpu * 100).toFixed(0)}%, ` +
          `load CPU ${(step.loadCpu * 100).toFixed(0)}% -> ${verdict.reason}`,
      );
      if (!verdict.passed) break;
      rate = Math.round(rate * 1.5);
    }
    await closeRooms(ctx, 'throughput');
  } finally {
    await server.stop();
  }
  const passed = steps.filter((s) => s.passed);
  return { clients: options.clients, docs: options.docs, steps, sustainedRate: passed.length ? passed[passed.length - 1]!.targetRate : 0 };
}
