import { sleep } from '../clock.ts';
import { HELPER_INDEX_BASE, clientSpec, startServer, type BenchContext } from '../context.ts';
import type { ConnectResult, EditingClientSpec, SeedSpec } from '../load/messages.ts';

export interface MemoryResult {
  docs: number;
  idleConnections: number;
  fillerItems: number;
  baselineRss: number;
  rssAfterDocs: number;
  rssAfterConnections: number;
  heapAfterDocs: number;
  heapAfterConnections: number;
  baselineHeap: number;
  /** How long the documents were left without edits before `rssAfterDocs` was read. */
  restMs: number;
  /** Server RSS growth per open document (content plus the one connection holding it), at rest. */
  rssPerDoc: number;
  /** The same, `settleMs` after the documents were written (a document being edited; Tieout's audit shadow is live). */
  rssPerEditedDoc: number;
  heapPerEditedDoc: number;
  rssPerConnection: number;
  heapPerDoc: number;
  heapPerConnection: number;
}

/**
 * How long the documents are left unedited before their memory is read: longer than any server keeps per-edit state
 * (Tieout's audit writer keeps its shadow copy live for 10 s after a run, server/src/extensions/audit-trail.ts;
 * Hocuspocus's database extension stores at most 10 s after an edit). A loaded document is at rest most of its time.
 */
export const DOCUMENT_REST_MS = 12_000;

/**
 * Scenario (c): server memory per loaded document and per idle connection, read from /proc/<pid>/status
 * (VmRSS) after a forced GC in the server process, before and after each step. Documents are read twice: `settleMs`
 * after they were written (just edited) and again after `restMs` more (at rest); connections after that.
 */
export async function memoryScenario(
  ctx: BenchContext,
  options: { docs: number; idleConnections: number; fillerItems: number; settleMs: number; restMs?: number },
): Promise<MemoryResult> {
  const restMs = options.restMs ?? DOCUMENT_REST_MS;
  await ctx.fixtures?.resetDocuments();
  const server = await startServer(ctx);
  try {
    await sleep(options.settleMs);
    const baseline = await server.memory();
    const seeds: SeedSpec[] = Array.from({ length: options.docs }, (_, doc) => ({
      client: clientSpec(ctx, server, HELPER_INDEX_BASE + doc, doc),
      editors: [],
      fillerItems: options.fillerItems,
    }));
    await ctx.pool.request(0, { cmd: 'seed', docs: seeds, concurrency: 10, keepGroup: 'memory-docs' });
    await sleep(options.settleMs);
    const afterEdit = await server.memory();
    await sleep(restMs);
    const afterDocs = await server.memory();
    const perWorker: EditingClientSpec[][] = Array.from({ length: ctx.pool.size }, () => []);
    for (let c = 0; c < options.idleConnections; c++) {
      perWorker[c % ctx.pool.size]!.push(clientSpec(ctx, server, c, c % options.docs));
    }
    const connected = await ctx.pool.all<ConnectResult>(perWorker.map((specs) => ({ cmd: 'connect', group: 'memory-idle', specs, concurrency: 25 })));
    const failed = connected.reduce((n, r) => n + (r?.failed ?? 0), 0);
    if (failed) throw new Error(`memory: ${failed} idle connections failed: ${connected.flatMap((r) => r?.errors ?? []).join('; ')}`);
    await sleep(options.settleMs);
    const afterConnections = await server.memory();
    await ctx.pool.all(Array.from({ length: ctx.pool.size }, () => ({ cmd: 'close', group: 'memory-idle' })));
    await ctx.pool.request(0, { cmd: 'close', group: 'memory-docs' });
    return {
      docs: options.docs,
      idleConnections: options.idleConnections,
      fillerItems: options.fillerItems,
      baselineRss: baseline.rss,
      rssAfterDocs: afterDocs.rss,
      rssAfterConnections: afterConnections.rss,
      baselineHeap: baseline.heapUsed,
      heapAfterDocs: afterDocs.heapUsed,
      heapAfterConnections: afterConnections.heapUsed,
      restMs,
      rssPerEditedDoc: (afterEdit.rss - baseline.rss) / options.docs,
      heapPerEditedDoc: (afterEdit.heapUsed - baseline.heapUsed) / options.docs,
      rssPerDoc: (afterDocs.rss - baseline.rss) / options.docs,
      rssPerConnection: (afterConnections.rss - afterDocs.rss) / options.idleConnections,
      heapPerDoc: (afterDocs.heapUsed - baseline.heapUsed) / options.docs,
      heapPerConnection: (afterConnections.heapUsed - afterDocs.heapUsed) / options.idleConnections,
    };
  } finally {
    await server.stop();
  }
}
