import { startServer, type BenchContext } from '../context.ts';
import { closeRooms, openRooms, runLoad } from './rooms.ts';
import { readCounters, waitForQuiet, type StorageCounters } from './storage.ts';

export interface PersistenceResult {
  edits: number;
  clients: number;
  totalRate: number;
  delta: StorageCounters;
  /** Per 1,000 edits. */
  per1000: { transactions: number; rowsInserted: number; rowsUpdated: number; relationBytes: number; walBytes: number | null };
}

/**
 * Scenario (e): what 1,000 edits cost the database. Clients edit one document at a steady rate, then
 * disconnect; once the server has flushed and Postgres has published its statistics, the deltas of the
 * benchmark database's counters are divided by the number of edits sent.
 */
export async function persistenceScenario(
  ctx: BenchContext,
  options: { edits: number; clients: number; totalRate: number },
): Promise<PersistenceResult> {
  const fixtures = ctx.fixtures;
  if (!fixtures) throw new Error('persistence needs the benchmark database');
  await fixtures.resetDocuments();
  const server = await startServer(ctx);
  let before: StorageCounters;
  let edits: number;
  try {
    const rooms = await openRooms(ctx, server, options.clients, 1, 'persistence');
    if (rooms.failedConnections) throw new Error(`persistence: ${rooms.failedConnections} clients failed: ${rooms.connectErrors.join('; ')}`);
    await waitForQuiet(fixtures);
    before = await readCounters(fixtures);
    const step = await runLoad(ctx, server, rooms, 'persistence', {
      totalRate: options.totalRate,
      durationMs: (options.edits / options.totalRate) * 1000,
      warmupMs: 0,
    });
    edits = Math.round(step.achievedRate * (options.edits / options.totalRate));
    await closeRooms(ctx, 'persistence');
    await waitForQuiet(fixtures);
  } finally {
    await server.stop();
  }
  const after = await readCounters(fixtures);
  const delta: StorageCounters = {
    xactCommit: after.xactCommit - before.xactCommit,
    tupInserted: after.tupInserted - before.tupInserted,
    tupUpdated: after.tupUpdated - before.tupUpdated,
    tupDeleted: after.tupDeleted - before.tupDeleted,
    relationBytes: after.relationBytes - before.relationBytes,
    walBytes: after.walBytes !== null && before.walBytes !== null ? after.walBytes - before.walBytes : null,
  };
  const k = 1000 / Math.max(1, edits);
  return {
    edits,
    clients: options.clients,
    totalRate: options.totalRate,
    delta,
    per1000: {
      transactions: delta.xactCommit * k,
      rowsInserted: delta.tupInserted * k,
      rowsUpdated: delta.tupUpdated * k,
      relationBytes: delta.relationBytes * k,
      walBytes: delta.walBytes === null ? null : delta.walBytes * k,
    },
  };
}
