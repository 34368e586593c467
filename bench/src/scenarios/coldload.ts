import { HELPER_INDEX_BASE, clientSpec, startServer, type BenchContext } from '../context.ts';
import { benchDocName } from '../fixtures.ts';
import type { ColdLoadResult, HistoryResult } from '../load/messages.ts';
import { waitForQuiet } from './storage.ts';

export interface ColdLoadScenarioResult {
  updates: number;
  writeMs: number;
  /** How the server stored the history: rows and bytes for this document. */
  storedRows: number;
  storedBytes: number;
  loads: ColdLoadResult[];
  medianMs: number;
}

async function storedFootprint(ctx: BenchContext, docName: string): Promise<{ rows: number; bytes: number }> {
  const fixtures = ctx.fixtures!;
  if (ctx.kind === 'hocuspocus') {
    const [row] = await fixtures.query<{ rows: string; bytes: string }>(
      'select count(*) as rows, coalesce(sum(octet_length(data)), 0) as bytes from hocuspocus.documents where name = $1',
      [docName],
    );
    return { rows: Number(row?.rows ?? 0), bytes: Number(row?.bytes ?? 0) };
  }
  const [row] = await fixtures.query<{ rows: string; bytes: string }>(
    `select (select count(*) from public.document_updates where checklist_id = $1)
          + (select count(*) from public.document_snapshots where checklist_id = $1) as rows,
            coalesce((select sum(octet_length(update)) from public.document_updates where checklist_id = $1), 0)
          + coalesce((select sum(octet_length(state)) from public.document_snapshots where checklist_id = $1), 0) as bytes`,
    [docName],
  );
  return { rows: Number(row?.rows ?? 0), bytes: Number(row?.bytes ?? 0) };
}

/**
 * Scenario (d): one client types `updates` characters (one update each) through the server, which stores
 * them its own way; then, for each repeat, a fresh server process loads the document from Postgres for a
 * new client. The time is from opening the socket to the applied SyncStep2, and the content is checked.
 */
export async function coldLoadScenario(ctx: BenchContext, options: { updates: number; repeats: number }): Promise<ColdLoadScenarioResult> {
  if (!ctx.fixtures || ctx.kind === 'reference') throw new Error('cold load needs a server that persists documents');
  await ctx.fixtures.resetDocuments();
  const doc = 0;
  // One client typing the whole history would trip Tieout's per-connection rate limit (it exists for abuse,
  // not for this setup step), so the limit is lifted while writing; every load runs with the defaults.
  let writer = await startServer(ctx, { COLLAB_MESSAGES_PER_SECOND: '1000000', COLLAB_MESSAGE_BURST: '1000000' });
  let written: HistoryResult;
  try {
    written = await ctx.pool.request<HistoryResult>(0, {
      cmd: 'history',
      client: clientSpec(ctx, writer, HELPER_INDEX_BASE, doc),
      updates: options.updates,
    });
    ctx.log(`  wrote ${options.updates} updates in ${Math.round(written.ms)} ms`);
    await waitForQuiet(ctx.fixtures, { minMs: 2000, stableReads: 3, maxMs: 120_000 });
  } finally {
    await writer.stop();
  }
  const footprint = await storedFootprint(ctx, benchDocName(doc));
  const loads: ColdLoadResult[] = [];
  for (let n = 0; n < options.repeats; n++) {
    writer = await startServer(ctx);
    try {
      loads.push(
        await ctx.pool.request<ColdLoadResult>(0, {
          cmd: 'coldload',
          client: clientSpec(ctx, writer, HELPER_INDEX_BASE + 1 + n, doc),
          expectedChars: options.updates,
        }),
      );
    } finally {
      await writer.stop();
    }
  }
  const sorted = loads.map((l) => l.ms).sort((a, b) => a - b);
  return {
    updates: options.updates,
    writeMs: written.ms,
    storedRows: footprint.rows,
    storedBytes: footprint.bytes,
    loads,
    medianMs: sorted[Math.floor(sorted.length / 2)]!,
  };
}
