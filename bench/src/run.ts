import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SCALES, SCENARIOS, type Mode, type Scale, type ScenarioName } from './config.ts';
import { DEFAULT_BENCH_DATABASE_URL } from './fixtures.ts';
import { PAIRING_MODES, runBench, type BenchResults, type PairingMode } from './harness.ts';
import { PARTIAL_DOCS_ERROR, comparisonCoverage, mergeDocs, renderConsole } from './report.ts';
import { SERVER_KINDS, type ServerKind } from './servers/launch.ts';

const usage = `Usage: npm run bench -w @tieout/bench -- [--quick | --full] [options]

  --quick              every scenario at small sizes (default; ~10 min for three servers): cold load of
                       10,000 typed updates and of a 500-item document
  --full               the issue's sizes: latency at 100/10, 500/50, 2000/200 clients/documents,
                       cold load of 100,000 typed updates and of a 2,000-item document with notes,
                       5,000-edit persistence run (~35-45 min)
  --smoke              a seconds-long harness check (what the test suite runs), not a measurement
  --servers=a,b        among tieout,hocuspocus,reference (default: all three)
  --scenarios=a,b      among ${SCENARIOS.join(',')} (default: all); bundle measures the app's
                       client build (npm run build -w @tieout/app first), starts no server, ignores --servers
  --sizes=C/D,...      latency sizes (clients/documents) instead of the mode's, e.g. --sizes=500/50 to profile one size
  --pairs=N            latency runs of the after-persist pair (tieout and tieout-core, both asked for) per size
                       (default 1; --full: 3): the share is the median pair's, with the spread
  --pairing=MODE       same-window (default): each pair's two servers are loaded at once, each with its own
                       clients and documents; sequential: one after the other, alternating
  --workers=N          load-generator processes, all pinned to core 1 (default 2)
  --database-url=URL   benchmark database, created if missing (default ${DEFAULT_BENCH_DATABASE_URL})
  --write-docs         write docs/benchmarks.md from this run: the server comparison needs every server
                       scenario on every server; bundle alone replaces only its section; other sections stay
  --from-json=FILE     run nothing: print (and with --write-docs, write) the tables of a saved results file
  --cpu-prof           run the Tieout server with node --cpu-prof (profiles land in bench/profiles/)
`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    full: { type: 'boolean' },
    smoke: { type: 'boolean' },
    servers: { type: 'string' },
    scenarios: { type: 'string' },
    workers: { type: 'string' },
    pairs: { type: 'string' },
    pairing: { type: 'string' },
    sizes: { type: 'string' },
    'database-url': { type: 'string' },
    'write-docs': { type: 'boolean' },
    'cpu-prof': { type: 'boolean' },
    'from-json': { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if ([values.quick, values.full, values.smoke].filter(Boolean).length > 1) throw new Error('Choose one of --quick, --full, --smoke');
const mode: Mode = values.full ? 'full' : values.smoke ? 'smoke' : 'quick';

function list<T extends string>(raw: string | undefined, allowed: readonly T[], what: string): T[] {
  if (!raw) return [...allowed];
  const picked = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of picked) if (!allowed.includes(item as T)) throw new Error(`Unknown ${what} "${item}" (allowed: ${allowed.join(', ')})`);
  return picked as T[];
}

const servers = list<ServerKind>(values.servers, SERVER_KINDS, 'server');
const scenarios = list<ScenarioName>(values.scenarios, SCENARIOS, 'scenario');
const workers = Number(values.workers ?? 2);
if (!Number.isInteger(workers) || workers < 1 || workers > 8) throw new Error('--workers must be an integer from 1 to 8');
const pairs = Number(values.pairs ?? (mode === 'full' ? 3 : 1));
if (!Number.isInteger(pairs) || pairs < 1 || pairs > 9) throw new Error('--pairs must be an integer from 1 to 9');
const pairing = (values.pairing ?? 'same-window') as PairingMode;
if (!PAIRING_MODES.includes(pairing)) throw new Error(`--pairing must be one of ${PAIRING_MODES.join(', ')} (got "${values.pairing}")`);
/** `--sizes=100/10,500/50`: each size is clients/documents, both positive integers, at least one client per document. */
function parseSizes(raw: string): Scale['latency']['sizes'] {
  return raw.split(',').map((size) => {
    const match = /^\s*(\d+)\/(\d+)\s*$/.exec(size);
    const clients = Number(match?.[1]);
    const docs = Number(match?.[2]);
    if (!match || clients < 1 || docs < 1 || clients < docs)
      throw new Error(`--sizes: "${size}" is not clients/documents with clients ≥ documents ≥ 1 (e.g. 500/50)`);
    return [clients, docs] as [number, number];
  });
}
const scale: Scale | undefined = values.sizes
  ? { ...SCALES[mode], latency: { ...SCALES[mode].latency, sizes: parseSizes(values.sizes) } }
  : undefined;
const benchRoot = fileURLToPath(new URL('..', import.meta.url));
const profileDir = `${benchRoot}profiles`;
if (values['cpu-prof']) await mkdir(profileDir, { recursive: true });

const docPath = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));

/** Updates docs/benchmarks.md with what this run measured (see mergeDocs), keeping the rest of the page. */
async function writeDocs(results: BenchResults): Promise<void> {
  const existing = await readFile(docPath, 'utf8').catch(() => '');
  await writeFile(docPath, mergeDocs(existing, results));
  console.log(`wrote ${docPath}`);
}

if (values['from-json']) {
  const saved = JSON.parse(await readFile(values['from-json'], 'utf8')) as BenchResults;
  console.log(renderConsole(saved));
  if (values['write-docs']) await writeDocs(saved);
  process.exit(0);
}

// Refused before a long run, not after it.
if (values['write-docs'] && values.sizes) {
  console.error("--write-docs writes the mode's sizes only: leave out --sizes");
  process.exit(1);
}
if (values['write-docs'] && !values['from-json'] && comparisonCoverage(scenarios, servers) === 'partial') {
  console.error(PARTIAL_DOCS_ERROR);
  process.exit(1);
}

const command = `npm run bench -w @tieout/bench -- ${process.argv.slice(2).join(' ')}`.trim();
const results = await runBench({
  mode,
  servers,
  scenarios,
  workers,
  pairs,
  pairing,
  databaseUrl: values['database-url'] ?? process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL,
  command,
  tieoutNodeFlags: values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  scale,
});

console.log(`\n${renderConsole(results)}`);
await mkdir(`${benchRoot}results`, { recursive: true });
// A partial run must not overwrite the complete run's file (the data behind docs/benchmarks.md).
const partial = [
  ...(scenarios.length < SCENARIOS.length ? [scenarios.join('-')] : []),
  ...(servers.length < SERVER_KINDS.length && comparisonCoverage(scenarios, servers) !== 'none' ? [servers.join('-')] : []),
];
const jsonPath = `${benchRoot}results/${[mode, ...partial, 'latest'].join('-')}.json`;
await writeFile(
  jsonPath,
  JSON.stringify(results, (_key, value) => (ArrayBuffer.isView(value) ? undefined : value), 2),
);
console.log(`raw results: ${jsonPath}`);
if (values['write-docs']) await writeDocs(results);
