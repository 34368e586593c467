import { DEFAULT_APP_BUILD_DIR, MissingBuildError, measureBundle, type BundleResult } from './bundle.ts';
import { SCALES, isServerScenario, type Mode, type Scale, type ScenarioName } from './config.ts';
import { LOAD_CORE, type BenchContext } from './context.ts';
import { prepareFixtures, type BenchFixtures } from './fixtures.ts';
import { WorkerPool } from './load/pool.ts';
import { machineInfo, type MachineInfo } from './machine.ts';
import { coldLoadScenario, type ColdLoadScenarioResult } from './scenarios/coldload.ts';
import { latencyPairScenario, latencyScenario, type LatencyResult } from './scenarios/latency.ts';
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
  /**
   * How a pair is run: 'same-window' (default) starts both servers and loads them at once, each with its own clients
   * and documents; 'sequential' runs one after the other (as before decision 179).
   */
  pairing?: PairingMode;
  /** Extra node flags for the Tieout server process (e.g. --cpu-prof). */
  tieoutNodeFlags?: string[];
  scale?: Scale;
  /** The app build the bundle scenario measures (default app/build). */
  appBuildDir?: string;
  log?: (message: string) => void;
}

export type PairingMode = 'same-window' | 'sequential';
export const PAIRING_MODES: PairingMode[] = ['same-window', 'sequential'];

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
  /** How the after-persist pairs ran (older files lack it: sequential). */
  pairing?: PairingMode;
  /**
   * The after-persist pairs run in the same window (pairing 'same-window'): entry i of tieout and of tieout-core ran
   * together, size after size. The share is taken from these; the tables show tieout's run alone (results.latency).
   */
  latencyPairs?: Partial<Record<ServerKind, LatencyResult[]>>;
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
  const pairing = options.pairing ?? 'same-window';
  results.pairing = pairing;
  // A pair in the same window edits twice the documents of its size.
  const latencyDocs = Math.max(...scale.latency.sizes.map(([, docs]) => docs)) * (pairing === 'same-window' ? 2 : 1);
  const maxDocs = Math.max(latencyDocs, scale.throughput.docs, scale.memory.docs, 1);
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
    const logStep = ({ step }: LatencyResult, kind?: ServerKind) => {
      if (!step) return;
      log(
        `  ${kind ? `${kind}: ` : ''}p50 ${step.delivery.p50.toFixed(2)} ms, p99 ${step.delivery.p99.toFixed(2)} ms, ` +
          `server CPU ${((step.serverCpu * 1000) / step.achievedRate).toFixed(3)} ms per edit`,
      );
    };
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
        const pairKinds = AFTER_PERSIST_PAIR.filter((kind) => options.servers.includes(kind));
        const together = pairKinds.length === 2 && pairing === 'same-window';
        // Servers alternate within each size, so slow drifts in the machine's other load hit every server alike.
        for (const [clients, docs] of scale.latency.sizes) {
          const size = { clients, docs, ...scale.latency };
          for (const kind of options.servers) {
            // In the same window, the variant runs only beside tieout (below); tieout also runs alone, for the tables.
            if (together && kind === 'tieout-core') continue;
            await attempt(`latency/${kind} (${clients} clients, ${docs} documents)`, async () => {
              const result = await latencyScenario(contextFor(kind), size);
              (results.latency[kind] ??= []).push(result);
              logStep(result);
            });
          }
          if (pairKinds.length < 2) continue;
          for (let pair = together ? 1 : 2; pair <= (options.pairs ?? 1); pair++) {
            const label = `${clients} clients, ${docs} documents, pair ${pair}`;
            if (together) {
              // Which of the two takes the first documents and starts first alternates from pair to pair.
              const order = pair % 2 === 1 ? pairKinds : [...pairKinds].reverse();
              await attempt(`latency/${order.join(' + ')} in the same window (${label})`, async () => {
                const pairResults = await latencyPairScenario([contextFor(order[0]!), contextFor(order[1]!)], size);
                const byKind = new Map(order.map((kind, index) => [kind, pairResults[index]!]));
                for (const kind of pairKinds) {
                  ((results.latencyPairs ??= {})[kind] ??= []).push(byKind.get(kind)!);
                  logStep(byKind.get(kind)!, kind);
                }
              });
              continue;
            }
            // More pairs of the after-persist variants, each pair alternating like the first.
            for (const kind of pairKinds) {
              await attempt(`latency/${kind} (${label})`, async () => {
                const result = await latencyScenario(contextFor(kind), size);
                ((results.latencyRepeats ??= {})[kind] ??= []).push(result);
                logStep(result);
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
