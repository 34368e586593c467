import type { BenchFixtures } from './fixtures.ts';
import { BENCH_JWT_SECRET, benchDocName } from './fixtures.ts';
import type { ClientSpec } from './load/client.ts';
import type { WorkerPool } from './load/pool.ts';
import { launchServer, type RunningServer, type ServerKind } from './servers/launch.ts';

export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

/** What a scenario needs: a way to start the server under test fresh, fixtures, and the load generators. */
export interface BenchContext {
  kind: ServerKind;
  pool: WorkerPool;
  /** Null when only the reference server runs (it needs no database). */
  fixtures: BenchFixtures | null;
  nodeFlags: string[];
  log(message: string): void;
}

/** `env` adds settings for setup phases only (e.g. lifting Tieout's per-connection message rate limit to type a long history fast). */
export async function startServer(ctx: BenchContext, env: Record<string, string> = {}): Promise<RunningServer> {
  if (ctx.kind !== 'reference' && !ctx.fixtures) throw new Error(`${ctx.kind} needs the benchmark database`);
  return launchServer(ctx.kind, {
    core: SERVER_CORE,
    nodeFlags: ctx.nodeFlags,
    env: ctx.fixtures ? { ...env, BENCH_DATABASE_URL: ctx.fixtures.databaseUrl, BENCH_JWT_SECRET } : env,
  });
}

/** `slot` is the client's position in its room: with several server processes, consecutive slots use different ones. */
export function clientSpec(ctx: BenchContext, server: RunningServer, index: number, doc: number, slot = 0): ClientSpec {
  const docName = benchDocName(doc);
  return {
    index,
    docName,
    url: server.urlFor(docName, slot),
    protocol: server.protocol,
    token: ctx.fixtures?.tokenFor(index) ?? 'reference-needs-no-token',
  };
}

/** Client indexes of seeders and other helpers, far from those of measured clients. */
export const HELPER_INDEX_BASE = 1_000_000;
