import { DEFAULT_APP_BUILD_DIR, MissingBuildError, measureBundle, type BundleResult } from './bundle.ts';
import { SCALES, isServerScenario, type Mode, type Scale, type ScenarioName } from './config.ts';
import { LOAD_CORE, type BenchContext } from './context.ts';
import { prepareFixtures, type BenchFixtures } from './fixtures.ts';
import { WorkerPool } from './load/pool.ts';
import { machineInfo, type MachineInfo } from './machine.ts';
import { coldLoadScenario, type ColdLoadScenarioResult } from './scenarios/coldload.ts';
import { latencyScenario, type LatencyResult } from './scenarios/latency.ts';
import { memoryScenario, type MemoryResult } from './scenarios/memory.ts';
import { persistenceScenario, type PersistenceResult } from './scenarios/persistence.ts';
import { throughputScenario, type ThroughputResult } from './scenarios/throughput.ts';
import { TIEOUT_VARIANTS, isTieout, type ServerKind } from './servers/launch.ts';

export interface BenchOptions {
  mode: Mode;
  servers: ServerKind[];
  scenarios: ScenarioName[];
  workers: number;
  databaseUrl: string;
  command: string;
  /**
   * Latency runs of the after-persist pair (tieout and tieout-core, when both are asked for) per size, alternating
   * (default 1): the share is then the median pair's, with the spread of the pairs.
   */
  pairs?: number;
  /** Extra node flags for the Tieout server process (e.g. --cpu-prof). */
  tieoutNodeFlags?: string[];
  scale?: Scale;
  /** The app build the bundle scenario measures (default app/build). */
  appBuildDir?: string;
  log?: (message: string) => void;
}

export interface BenchResults {
  mode: Mode;
  command: string;
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  scale: Scale;
  workers: number;
  /** How benchmark processes were scheduled (BENCH_SCHED): nice or none. */
  scheduling: string;
  servers: ServerKind[];
  /** What was asked for (older result files lack it). */
  scenarios?: ScenarioName[];
  latency: Partial<Record<ServerKind, LatencyResult[]>>;
  /**
   * Further latency runs of tieout and tieout-core, when the after-persist pairs are repeated (--pairs=N): the tables
   * show the first run of each size (results.latency), the after-persist share takes every pair (older files lack it).
   */
  latencyRepeats?: Partial<Record<ServerKind, LatencyResult[]>>;
  throughput: Partial<Record<ServerKind, ThroughputResult>>;
  memory: Partial<Record<ServerKind, MemoryResult>>;
  coldload: Partial<Record<ServerKind, ColdLoadScenarioResult>>;
  persistence: Partial<Record<ServerKind, PersistenceResult>>;
  /** Page JavaScript of the app's client build (older result files lack it). */
  bundle?: BundleResult;
  /** Scenarios that could not run here, with the reason (older result files lack it). */
  skipped?: Record<string, string>;
  /** Scenario runs that failed, by "scenario/server", with the error. */
  failures: Record<string, string>;
  notes: string[];
}

const PERSISTENT: ServerKind[] = ['tieout', 'hocuspocus'];
/** With and without the after-persist work: the pair whose CPU per edit gives that work's share (issue 12). */
const AFTER_PERSIST_PAIR: ServerKind[] = ['tieout', 'tieout-core'];

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const log = options.log ?? ((message: string) => console.log(message));
  const scale = options.scale ?? SCALES[options.mode];
  const results: BenchResults = {
    mode: options.mode,
    command: options.command,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    machine: machineInfo(),
    scale,
    workers: options.workers,
    scheduling: process.env.BENCH_SCHED ?? 'nice',
    servers: options.servers,
    scenarios: options.scenarios,
    latency: {},
    throughput: {},
    memory: {},
    coldload: {},
    persistence: {},
    failures: {},
    skipped: {},
    notes: [],
  };
  if (options.scenarios.includes('bundle')) {
    log('bundle');
    try {
      results.bundle = measureBundle(options.appBuildDir ?? DEFAULT_APP_BUILD_DIR);
      for (const page of results.bundle.pages) log(`  ${page.name}: ${(page.firstVisitJs.gzip / 1024).toFixed(1)} KiB JS gzip on first visit`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof MissingBuildError) {
        const reason = `${message}: run \`npm run build -w @tieout/app\` from the repository root first`;
        results.skipped = { ...results.skipped, bundle: reason };
        log(`  SKIPPED: ${reason}`);
      } else {
        results.failures.bundle = message;
        log(`  FAILED: ${message}`);
      }
    }
  }
  const serverScenarios = options.scenarios.filter(isServerScenario);
  if (serverScenarios.length === 0) {
    results.finishedAt = new Date().toISOString();
    return results;
  }
  const needsDatabase = options.servers.some((kind) => kind !== 'reference');
  const maxDocs = Math.max(...scale.latency.sizes.map(([, docs]) => docs), scale.throughput.docs, scale.memory.docs, 1);
  let fixtures: BenchFixtures | null = null;
  if (needsDatabase) fixtures = await prepareFixtures({ databaseUrl: options.databaseUrl, docCount: maxDocs });
  const pool = await WorkerPool.start(options.workers, LOAD_CORE);
  try {
    const contextFor = (kind: ServerKind): BenchContext => ({
      kind,
      pool,
      fixtures,
      nodeFlags: isTieout(kind) ? (options.tieoutNodeFlags ?? []) : [],
      log,
    });
    const attempt = async (label: string, work: () => Promise<void>) => {
      log(label);
      try {
        await work();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        results.failures[label] = message;
        log(`  FAILED: ${message}`);
      }
    };
    for (const scenario of serverScenarios) {
      if (scenario === 'latency') {
        // Servers alternate within each size, so slow drifts in the machine's other load hit every server alike.
        for (const [clients, docs] of scale.latency.sizes) {
          for (const kind of options.servers) {
            await attempt(`latency/${kind} (${clients} clients, ${docs} documents)`, async () => {
              const result = await latencyScenario(contextFor(kind), { clients, docs, ...scale.latency });
              (results.latency[kind] ??= []).push(result);
              const step = result.step;
              if (step)
                log(`  p50 ${step.delivery.p50.toFixed(2)} ms, p99 ${step.delivery.p99.toFixed(2)} ms, p99.9 ${step.delivery.p999.toFixed(2)} ms`);
            });
          }
          // More pairs of the after-persist variants, each pair alternating like the first.
          const pairKinds = AFTER_PERSIST_PAIR.filter((kind) => options.servers.includes(kind));
          for (let pair = 2; pairKinds.length === 2 && pair <= (options.pairs ?? 1); pair++) {
            for (const kind of pairKinds) {
              await attempt(`latency/${kind} (${clients} clients, ${docs} documents, pair ${pair})`, async () => {
                const result = await latencyScenario(contextFor(kind), { clients, docs, ...scale.latency });
                ((results.latencyRepeats ??= {})[kind] ??= []).push(result);
                if (result.step) log(`  server CPU ${((result.step.serverCpu * 1000) / result.step.achievedRate).toFixed(3)} ms per edit`);
              });
            }
          }
        }
        continue;
      }
      for (const kind of options.servers) {
        if ((scenario === 'coldload' || scenario === 'persistence') && !PERSISTENT.includes(kind)) continue;
        // The variants answer two questions (after-persist work's share of CPU, two processes over Redis): latency and throughput.
        if (TIEOUT_VARIANTS.includes(kind) && scenario !== 'throughput') continue;
        const ctx = contextFor(kind);
        await attempt(`${scenario}/${kind}`, async () => {
          if (scenario === 'throughput') results.throughput[kind] = await throughputScenario(ctx, scale.throughput);
          else if (scenario === 'memory')
            results.memory[kind] = await memoryScenario(ctx, { ...scale.memory, restMs: options.mode === 'smoke' ? 0 : undefined });
          else if (scenario === 'coldload') results.coldload[kind] = await coldLoadScenario(ctx, scale.coldload);
          else if (scenario === 'persistence') results.persistence[kind] = await persistenceScenario(ctx, scale.persistence);
        });
      }
    }
  } finally {
    await pool.stop();
    await fixtures?.close();
  }
  results.finishedAt = new Date().toISOString();
  return results;
}
