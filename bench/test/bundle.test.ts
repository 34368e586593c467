import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIB, MissingBuildError, measureBundle, type PageBundle } from '../src/bundle.ts';
import { SERVER_SCENARIOS } from '../src/config.ts';
import { runBench, type BenchResults } from '../src/harness.ts';
import { judgeGoals, mergeDocs, renderConsole, renderMarkdown } from '../src/report.ts';
import { SERVER_KINDS } from '../src/servers/launch.ts';

/** Distinct, compressible contents so every file has its own raw and gzip size. */
const FILES: Record<string, string> = {
  'assets/entry.js': 'import "./shared.js";'.repeat(40),
  'assets/shared.js': 'export const shared = [1,2,3];\n'.repeat(300) + 'unique-shared',
  'assets/root.js': 'export default function Root() {}\n'.repeat(20),
  'assets/route.js': 'export default function Checklist() {}\n'.repeat(60),
  'assets/route-chunk.js': 'export const rows = "route chunk";\n'.repeat(90),
  'assets/notes.js': 'export const editor = "notes";\n'.repeat(500),
  'assets/editor.js': 'export const marks = "bold italic";\n'.repeat(700),
  'assets/table.js': 'export const table = "cells";\n'.repeat(130),
  'assets/index.js': 'export default function Home() {}\n'.repeat(15),
  'assets/deal.js': 'export default function Deal() {}\n'.repeat(25),
  'assets/grid.js': 'export default function Grid() {}\n'.repeat(35),
  'assets/dashboard.js': 'export default function Dashboard() {}\n'.repeat(45),
  'assets/other.js': 'export default function Other() {}\n'.repeat(999),
  'assets/style.css': '.a{color:red}\n'.repeat(200),
  'assets/route.css': '.row{display:flex}\n'.repeat(50),
  'assets/notes.css': '.notes{margin:0}\n'.repeat(70),
  'assets/print.css': '@media print{.x{display:none}}\n'.repeat(30),
};

const route = (source: string) => `${source}?__remix-build-client-route`;

const MANIFEST = {
  '../node_modules/@remix-run/dev/dist/config/defaults/entry.client.tsx': { file: 'assets/entry.js', isEntry: true, imports: ['_shared.js'] },
  '/abs/app/tailwind.css': { file: 'assets/style.css', src: '/abs/app/tailwind.css' },
  '_shared.js': { file: 'assets/shared.js' },
  '/abs/app/print.css': { file: 'assets/print.css', src: '/abs/app/print.css' },
  [route('app/root.tsx')]: { file: 'assets/root.js', isEntry: true, imports: ['_shared.js'], assets: ['assets/style.css'] },
  // A stylesheet can sit in the import graph as a chunk of its own: it is CSS, not JavaScript.
  [route('app/routes/checklists.$checklistId.tsx')]: {
    file: 'assets/route.js',
    isEntry: true,
    imports: ['_shared.js', '_route-chunk.js', '/abs/app/print.css'],
  },
  '_route-chunk.js': {
    file: 'assets/route-chunk.js',
    imports: ['_shared.js'],
    dynamicImports: ['app/components/notes.tsx'],
    css: ['assets/route.css'],
  },
  // The dynamic chunk imports first-visit chunks back (as Vite does): they must not count again under "on demand".
  'app/components/notes.tsx': {
    file: 'assets/notes.js',
    isDynamicEntry: true,
    imports: ['_shared.js', '_route-chunk.js', '_editor.js'],
    dynamicImports: ['app/components/table.tsx'],
    css: ['assets/notes.css'],
  },
  '_editor.js': { file: 'assets/editor.js' },
  'app/components/table.tsx': { file: 'assets/table.js', isDynamicEntry: true, imports: ['_editor.js'] },
  [route('app/routes/_index.tsx')]: { file: 'assets/index.js', isEntry: true, imports: ['_shared.js'] },
  [route('app/routes/deals.$dealId.tsx')]: { file: 'assets/deal.js', isEntry: true },
  [route('app/routes/checklists.$checklistId_.grid.tsx')]: { file: 'assets/grid.js', isEntry: true, imports: ['_shared.js'] },
  [route('app/routes/deals.$dealId_.dashboard.tsx')]: { file: 'assets/dashboard.js', isEntry: true },
  [route('app/routes/other.tsx')]: { file: 'assets/other.js', isEntry: true, imports: ['_editor.js'] },
};

const rawOf = (...files: string[]) => files.reduce((sum, file) => sum + Buffer.byteLength(FILES[file]!), 0);
const gzipOf = (...files: string[]) => files.reduce((sum, file) => sum + gzipSync(FILES[file]!, { level: 9 }).length, 0);
const namesOf = (total: { files: { file: string }[] }) => total.files.map((f) => f.file).sort();

let root: string;
let buildDir: string;

function writeBuild(dir: string, manifestAt: string, serviceWorker?: string) {
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, 'client', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'client', file), text);
  }
  mkdirSync(join(dir, manifestAt, '..'), { recursive: true });
  writeFileSync(join(dir, manifestAt), JSON.stringify(MANIFEST, null, 2));
  if (serviceWorker !== undefined) writeFileSync(join(dir, 'client', 'sw.js'), serviceWorker);
}

const SERVICE_WORKER = `"use strict";(()=>{var i=[{url:"/assets/entry.js",revision:null},{url:"/assets/notes.js",revision:null},{url:"/assets/style.css",revision:null},{url:"/assets/gone-123.js",revision:null}];self.x=i})();`;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  buildDir = join(root, 'build');
  // Where Remix moves the manifest with build.manifest: true.
  writeBuild(buildDir, '.vite/client-manifest.json', SERVICE_WORKER);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function page(name: string): PageBundle {
  return measureBundle(buildDir).pages.find((p) => p.name === name)!;
}

describe('page bundle from a Vite manifest', () => {
  it('counts a first visit as entry, root, route and their static imports, each file once', () => {
    const checklist = page('checklist');
    const firstVisit = ['assets/entry.js', 'assets/root.js', 'assets/route-chunk.js', 'assets/route.js', 'assets/shared.js'];
    expect(namesOf(checklist.firstVisitJs)).toEqual(firstVisit);
    expect(checklist.firstVisitJs.raw).toBe(rawOf(...firstVisit));
    expect(checklist.firstVisitJs.gzip).toBe(gzipOf(...firstVisit));
    expect(checklist.firstVisitJs.files[0]!.file).toBe('assets/shared.js'); // largest gzip first
    expect(checklist.firstVisitBudgetGzip).toBe(170 * KIB);
  });

  it('counts dynamic imports (and theirs) only on demand, without what the first visit already has', () => {
    const checklist = page('checklist');
    const onDemand = ['assets/editor.js', 'assets/notes.js', 'assets/table.js'];
    expect(namesOf(checklist.onDemandJs)).toEqual(onDemand);
    expect(checklist.onDemandJs.raw).toBe(rawOf(...onDemand));
    expect(checklist.onDemandJs.gzip).toBe(gzipOf(...onDemand));
  });

  it('keeps stylesheets out of the JavaScript totals', () => {
    const checklist = page('checklist');
    expect(namesOf(checklist.firstVisitCss)).toEqual(['assets/print.css', 'assets/route.css', 'assets/style.css']);
    expect(checklist.firstVisitCss.gzip).toBe(gzipOf('assets/print.css', 'assets/route.css', 'assets/style.css'));
    expect(namesOf(checklist.onDemandCss)).toEqual(['assets/notes.css']);
    const home = page('home');
    expect(namesOf(home.firstVisitJs)).toEqual(['assets/entry.js', 'assets/index.js', 'assets/root.js', 'assets/shared.js']);
    expect(namesOf(home.firstVisitCss)).toEqual(['assets/style.css']);
    expect(home.onDemandJs).toEqual({ raw: 0, gzip: 0, files: [] });
    expect(page('deal').firstVisitJs.raw).toBe(rawOf('assets/entry.js', 'assets/root.js', 'assets/deal.js', 'assets/shared.js'));
  });

  it('sums the files the service worker precaches and names the ones missing', () => {
    const sw = measureBundle(buildDir).serviceWorker!;
    expect(sw.gzip).toBe(gzipSync(SERVICE_WORKER, { level: 9 }).length);
    expect(namesOf(sw.precache)).toEqual(['assets/entry.js', 'assets/notes.js', 'assets/style.css']);
    expect(sw.precache.raw).toBe(rawOf('assets/entry.js', 'assets/notes.js', 'assets/style.css'));
    expect(sw.precacheMissing).toEqual(['assets/gone-123.js']);
  });

  it('reads the manifest where Vite leaves it too, and reports no service worker when there is none', () => {
    const other = join(root, 'vite-only');
    writeBuild(other, 'client/.vite/manifest.json');
    const result = measureBundle(other);
    expect(result.pages.find((p) => p.name === 'checklist')!.firstVisitJs.raw).toBe(page('checklist').firstVisitJs.raw);
    expect(result.serviceWorker).toBeNull();
  });

  it('tells a missing build from a broken one', () => {
    expect(() => measureBundle(join(root, 'nowhere'))).toThrow(MissingBuildError);
    expect(() => measureBundle(buildDir, [{ name: 'gone', route: 'app/routes/gone.tsx' }])).toThrow(/no chunk for app\/routes\/gone\.tsx/);
  });
});

describe('bundle scenario in the harness', () => {
  it('runs without any server or database, whatever --servers says', async () => {
    const results = await runBench({
      mode: 'smoke',
      servers: ['hocuspocus', 'tieout'],
      scenarios: ['bundle'],
      workers: 1,
      // Unreachable: a server scenario would fail on it (see harness.test.ts).
      databaseUrl: 'postgres://postgres@127.0.0.1:1/tieout_bench_unreachable',
      command: 'vitest',
      appBuildDir: buildDir,
      log: () => {},
    });
    expect(results.failures).toEqual({});
    expect(results.bundle!.pages.map((p) => p.name)).toEqual(['home', 'deal', 'checklist', 'grid', 'dashboard']);
    expect(results.latency).toEqual({});
  });

  it('is skipped, saying how to build, when there is no build', async () => {
    const logged: string[] = [];
    const results = await runBench({
      mode: 'smoke',
      servers: ['reference'],
      scenarios: ['bundle'],
      workers: 1,
      databaseUrl: 'postgres://unused',
      command: 'vitest',
      appBuildDir: join(root, 'nowhere'),
      log: (message) => logged.push(message),
    });
    expect(results.bundle).toBeUndefined();
    expect(results.failures).toEqual({});
    expect(results.skipped!.bundle).toContain('npm run build -w @tieout/app');
    expect(logged.join('\n')).toMatch(/SKIPPED: no client build at .*nowhere/);
    expect(renderConsole(results)).toMatch(/### Skipped\n\n- bundle: no client build/);
  });
});

async function bundleRun(): Promise<BenchResults> {
  return runBench({
    mode: 'quick',
    servers: ['reference'],
    scenarios: ['bundle'],
    workers: 1,
    databaseUrl: 'postgres://unused',
    command: 'npm run bench -w @tieout/bench -- --scenarios=bundle',
    appBuildDir: buildDir,
    log: () => {},
  });
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

describe('page JavaScript report', () => {
  it('renders the table, the service worker, the machine and the budget verdict', async () => {
    const results = await bundleRun();
    const markdown = renderMarkdown(results);
    const checklist = results.bundle!.pages.find((p) => p.name === 'checklist')!;
    expect(markdown).toContain('## Page JavaScript (gzip)');
    expect(markdown).toMatch(/No peer: the issue names no other application/);
    expect(markdown).toContain(
      `| checklist | \`app/routes/checklists.$checklistId.tsx\` | ${kib(checklist.firstVisitJs.gzip)} | ${kib(checklist.firstVisitJs.raw)} | 5 | ` +
        `${kib(checklist.onDemandJs.gzip)} | ${kib(checklist.onDemandJs.raw)} | ${kib(checklist.firstVisitCss.gzip)} (+${kib(checklist.onDemandCss.gzip)} on demand) |`,
    );
    expect(markdown).toMatch(/Its precache list names 3 files, .* Listed but missing from the build: assets\/gone-123\.js\./);
    expect(markdown).toContain(`- Machine: ${results.machine.cpuModel}, ${results.machine.cores} cores`);
    expect(markdown).toContain(`| checklist page: first-visit JavaScript ≤ 170.0 KiB gzip | ${kib(checklist.firstVisitJs.gzip)} KiB gzip`);
    expect(markdown).toMatch(/KiB raw\) \| met \|/);
    // The console also lists the files behind each total.
    expect(renderConsole(results)).toMatch(/checklist page, on demand:\n.*assets\/editor\.js/);
  });

  it('says by how much the budget is exceeded', async () => {
    const results = await bundleRun();
    const checklist = results.bundle!.pages.find((p) => p.name === 'checklist')!;
    const budget = Math.round(checklist.firstVisitJs.gzip / 1.25);
    checklist.firstVisitBudgetGzip = budget;
    const [verdict] = judgeGoals(results);
    const detail = `over by ${kib(checklist.firstVisitJs.gzip - budget)} KiB (25%)`;
    expect(verdict).toMatchObject({ scenario: 'bundle', met: false, detail });
    expect(renderMarkdown(results)).toContain(`| **not met**: ${detail} |`);
    checklist.firstVisitBudgetGzip = checklist.firstVisitJs.gzip;
    expect(judgeGoals(results)[0]!.met).toBe(true);
  });
});

const EXISTING = `# Benchmarks

Old header.

- Command: \`old full run\`

### (a) Propagation latency

| old | latency | rows |

### Goals

| old goals |

## Page JavaScript (gzip)

old bundle table

## Method

old method

## Soak

soak table, written by hand
`;

describe('--write-docs merge', () => {
  it('replaces only the page JavaScript section from a bundle-only run', async () => {
    const merged = mergeDocs(EXISTING, await bundleRun());
    expect(
      merged.startsWith(
        '# Benchmarks\n\nOld header.\n\n- Command: `old full run`\n\n### (a) Propagation latency\n\n| old | latency | rows |\n\n### Goals\n\n| old goals |\n\n## Page JavaScript (gzip)\n',
      ),
    ).toBe(true);
    expect(merged).not.toContain('old bundle table');
    expect(merged).toContain('- Command: `npm run bench -w @tieout/bench -- --scenarios=bundle`');
    expect(merged).not.toContain('old method');
    expect(merged.endsWith('## Soak\n\nsoak table, written by hand\n')).toBe(true);
    expect(merged.indexOf('## Page JavaScript')).toBeLessThan(merged.indexOf('## Method'));
  });

  it('keeps the page JavaScript section when a complete server run did not measure it', async () => {
    const serverRun = {
      ...(await bundleRun()),
      bundle: undefined,
      scenarios: [...SERVER_SCENARIOS],
      servers: [...SERVER_KINDS],
      command: 'new full run',
    };
    const merged = mergeDocs(EXISTING, serverRun);
    expect(merged).not.toContain('Old header.');
    expect(merged).toContain('- Command: `new full run`');
    expect(merged).toContain('## Page JavaScript (gzip)\n\nold bundle table\n\n## Method');
    expect(merged).toContain('## Soak\n\nsoak table, written by hand');
  });

  it('refuses a partial server run instead of dropping the other tables', async () => {
    const partial = { ...(await bundleRun()), scenarios: ['latency' as const, 'bundle' as const] };
    expect(() => mergeDocs(EXISTING, partial)).toThrow(/needs every server scenario/);
    const oneServer = { ...partial, scenarios: [...SERVER_SCENARIOS], servers: ['tieout' as const] };
    expect(() => mergeDocs(EXISTING, oneServer)).toThrow(/on every server/);
  });
});
