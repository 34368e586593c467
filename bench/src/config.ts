export type Mode = 'smoke' | 'quick' | 'full';
export type ServerScenarioName = 'latency' | 'throughput' | 'memory' | 'coldload' | 'persistence';
/** `bundle` measures the app's client build: it starts no server and ignores --servers. */
export type ScenarioName = ServerScenarioName | 'bundle';
export const SERVER_SCENARIOS: ServerScenarioName[] = ['latency', 'throughput', 'memory', 'coldload', 'persistence'];
export const SCENARIOS: ScenarioName[] = [...SERVER_SCENARIOS, 'bundle'];
export const isServerScenario = (scenario: ScenarioName): scenario is ServerScenarioName => scenario !== 'bundle';

export interface Scale {
  latency: { sizes: [clients: number, docs: number][]; ratePerClient: number; durationMs: number; warmupMs: number };
  throughput: { clients: number; docs: number; startRate: number; maxSteps: number; stepMs: number; warmupMs: number };
  memory: { docs: number; idleConnections: number; fillerItems: number; settleMs: number };
  /** `updates`: the typed history's one-character updates; `items`: the large document's checklist items with notes. */
  coldload: { updates: number; items: number; repeats: number };
  persistence: { edits: number; clients: number; totalRate: number };
}

/**
 * --full is the sizes; --quick keeps every scenario but smaller and shorter (about 10 minutes for
 * three servers); smoke is for the test suite only.
 */
export const SCALES: Record<Mode, Scale> = {
  smoke: {
    latency: { sizes: [[6, 2]], ratePerClient: 5, durationMs: 1500, warmupMs: 300 },
    throughput: { clients: 6, docs: 2, startRate: 20, maxSteps: 2, stepMs: 1000, warmupMs: 200 },
    memory: { docs: 3, idleConnections: 6, fillerItems: 2, settleMs: 300 },
    coldload: { updates: 200, items: 20, repeats: 1 },
    persistence: { edits: 50, clients: 2, totalRate: 50 },
  },
  quick: {
    latency: {
      sizes: [
        [100, 10],
        [500, 50],
      ],
      ratePerClient: 0.5,
      durationMs: 10_000,
      warmupMs: 2000,
    },
    throughput: { clients: 500, docs: 50, startRate: 200, maxSteps: 10, stepMs: 4000, warmupMs: 1000 },
    memory: { docs: 50, idleConnections: 300, fillerItems: 20, settleMs: 3000 },
    coldload: { updates: 10_000, items: 500, repeats: 3 },
    persistence: { edits: 1000, clients: 10, totalRate: 100 },
  },
  full: {
    latency: {
      sizes: [
        [100, 10],
        [500, 50],
        [2000, 200],
      ],
      ratePerClient: 0.5,
      durationMs: 30_000,
      warmupMs: 5000,
    },
    throughput: { clients: 500, docs: 50, startRate: 200, maxSteps: 14, stepMs: 10_000, warmupMs: 2000 },
    memory: { docs: 200, idleConnections: 1000, fillerItems: 20, settleMs: 3000 },
    coldload: { updates: 100_000, items: 2000, repeats: 3 },
    persistence: { edits: 5000, clients: 10, totalRate: 100 },
  },
};
