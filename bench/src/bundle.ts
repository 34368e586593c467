import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The app's production build (`npm run build -w @tieout/app`): build/client is what browsers download. */
export const DEFAULT_APP_BUILD_DIR = fileURLToPath(new URL('../../app/build', import.meta.url));

/** Route modules of the main pages, as the Vite manifest names them (relative to app/). */
export interface PageSpec {
  name: string;
  route: string;
  /** Most JavaScript (gzip bytes) a first visit may download. */
  firstVisitBudgetGzip?: number;
}

export const KIB = 1024;

export const MAIN_PAGES: PageSpec[] = [
  { name: 'home', route: 'app/routes/_index.tsx' },
  { name: 'deal', route: 'app/routes/deals.$dealId.tsx' },
  { name: 'checklist', route: 'app/routes/checklists.$checklistId.tsx', firstVisitBudgetGzip: 170 * KIB },
  // The grid shares the framework (~82 KiB) and the doc model with Yjs (~53 KiB) with the list; its own code is ~20 KiB.
  { name: 'grid', route: 'app/routes/checklists.$checklistId_.grid.tsx', firstVisitBudgetGzip: 175 * KIB },
  // The managers' dashboard: the framework, the doc model's labels and the page; the chart (uPlot, ~24 KiB) loads on demand.
  { name: 'dashboard', route: 'app/routes/deals.$dealId_.dashboard.tsx', firstVisitBudgetGzip: 150 * KIB },
];

/** gzip -9 of each file, as in the stand-alone script this replaces. */
const GZIP_LEVEL = 9;

export interface FileSize {
  /** Path inside build/client, e.g. assets/root-CaWzIoGD.js. */
  file: string;
  raw: number;
  gzip: number;
}

export interface SizeTotal {
  raw: number;
  gzip: number;
  /** Largest (gzip) first. */
  files: FileSize[];
}

export interface PageBundle {
  name: string;
  route: string;
  /** Client entry, root route, the page's route module and everything they import statically. */
  firstVisitJs: SizeTotal;
  /** Stylesheets the first visit links (the chunks' css and .css assets). */
  firstVisitCss: SizeTotal;
  /** Reachable only through dynamic imports (e.g. the notes editor), minus what the first visit already has. */
  onDemandJs: SizeTotal;
  onDemandCss: SizeTotal;
  firstVisitBudgetGzip: number | null;
}

export interface ServiceWorkerSize {
  raw: number;
  gzip: number;
  /** Every file the service worker's precache list names, summed. */
  precache: SizeTotal;
  /** Listed in the precache but absent from build/client. */
  precacheMissing: string[];
}

export interface BundleResult {
  buildDir: string;
  manifestPath: string;
  /** When the manifest was written: the build measured. */
  builtAt: string;
  gzipLevel: number;
  pages: PageBundle[];
  /** Null when the build has no build/client/sw.js. */
  serviceWorker: ServiceWorkerSize | null;
}

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
  assets?: string[];
}
type Manifest = Record<string, ManifestChunk>;

/** There is no client build to measure (as opposed to a build that is broken). */
export class MissingBuildError extends Error {}

/**
 * Vite writes build/client/.vite/manifest.json; with `build.manifest: true` Remix moves it to
 * build/.vite/client-manifest.json (and without it, deletes it).
 */
export function manifestPathsOf(buildDir: string): string[] {
  return [join(buildDir, '.vite', 'client-manifest.json'), join(buildDir, 'client', '.vite', 'manifest.json')];
}

/** Sizes of the JavaScript and CSS each main page downloads, and of the service worker's precache, from a client build. */
export function measureBundle(buildDir: string = DEFAULT_APP_BUILD_DIR, pages: PageSpec[] = MAIN_PAGES): BundleResult {
  const clientDir = join(buildDir, 'client');
  if (!existsSync(clientDir)) throw new MissingBuildError(`no client build at ${clientDir}`);
  const manifestPath = manifestPathsOf(buildDir).find((path) => existsSync(path));
  if (!manifestPath) {
    throw new Error(
      `the client build has no Vite manifest (looked for ${manifestPathsOf(buildDir).join(', ')}); app/vite.config.ts needs build.manifest: true`,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const sizes = new Map<string, FileSize>();
  const sizeOf = (file: string): FileSize => {
    let size = sizes.get(file);
    if (!size) {
      const bytes = readFileSync(join(clientDir, file));
      size = { file, raw: bytes.length, gzip: gzipSync(bytes, { level: GZIP_LEVEL }).length };
      sizes.set(file, size);
    }
    return size;
  };
  const total = (files: Iterable<string>): SizeTotal => {
    const list = [...new Set(files)].map(sizeOf).sort((a, b) => b.gzip - a.gzip || a.file.localeCompare(b.file));
    return { raw: sum(list.map((f) => f.raw)), gzip: sum(list.map((f) => f.gzip)), files: list };
  };

  const entryKey = Object.keys(manifest).find((key) => manifest[key]!.isEntry && /entry\.client/.test(key));
  if (!entryKey) throw new Error(`${manifestPath} has no client entry (entry.client)`);
  const rootKeys = chunksOf(manifest, 'app/root.tsx');
  if (rootKeys.length === 0) throw new Error(`${manifestPath} has no chunk for app/root.tsx`);

  const measured = pages.map((page): PageBundle => {
    const routeKeys = chunksOf(manifest, page.route);
    if (routeKeys.length === 0) throw new Error(`${manifestPath} has no chunk for ${page.route}`);
    const firstVisit = closure(manifest, [entryKey, ...rootKeys, ...routeKeys], false);
    const dynamicRoots = [...firstVisit].flatMap((key) => manifest[key]!.dynamicImports ?? []);
    const onDemand = [...closure(manifest, dynamicRoots, true)].filter((key) => !firstVisit.has(key));
    const firstVisitCss = stylesheetsOf(manifest, firstVisit);
    return {
      name: page.name,
      route: page.route,
      firstVisitJs: total(scriptsOf(manifest, firstVisit)),
      firstVisitCss: total(firstVisitCss),
      onDemandJs: total(scriptsOf(manifest, onDemand)),
      onDemandCss: total([...stylesheetsOf(manifest, onDemand)].filter((file) => !firstVisitCss.has(file))),
      firstVisitBudgetGzip: page.firstVisitBudgetGzip ?? null,
    };
  });

  return {
    buildDir,
    manifestPath,
    builtAt: statSync(manifestPath).mtime.toISOString(),
    gzipLevel: GZIP_LEVEL,
    pages: measured,
    serviceWorker: measureServiceWorker(clientDir, (files) => total(files)),
  };
}

/** The manifest keys of a source module: Remix suffixes route modules with ?__remix-build-client-route. */
function chunksOf(manifest: Manifest, source: string): string[] {
  return Object.keys(manifest).filter((key) => key === source || key.startsWith(`${source}?`));
}

/** The chunks and everything they import statically (and, with `followDynamic`, dynamically too). */
function closure(manifest: Manifest, keys: string[], followDynamic: boolean): Set<string> {
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key) || !manifest[key]) return;
    seen.add(key);
    const chunk = manifest[key]!;
    for (const next of chunk.imports ?? []) visit(next);
    if (followDynamic) for (const next of chunk.dynamicImports ?? []) visit(next);
  };
  keys.forEach(visit);
  return seen;
}

const isCss = (file: string) => file.endsWith('.css');

function scriptsOf(manifest: Manifest, keys: Iterable<string>): string[] {
  return [...keys].map((key) => manifest[key]!.file).filter((file) => !isCss(file));
}

function stylesheetsOf(manifest: Manifest, keys: Iterable<string>): Set<string> {
  const files = new Set<string>();
  for (const key of keys) {
    const chunk = manifest[key]!;
    if (isCss(chunk.file)) files.add(chunk.file);
    for (const file of [...(chunk.css ?? []), ...(chunk.assets ?? [])]) if (isCss(file)) files.add(file);
  }
  return files;
}

/** build/client/sw.js and the files its precache list names ({url:"/assets/…",revision:…} entries). */
function measureServiceWorker(clientDir: string, total: (files: string[]) => SizeTotal): ServiceWorkerSize | null {
  const path = join(clientDir, 'sw.js');
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  const listed = [...new Set([...bytes.toString('utf8').matchAll(/\burl"?\s*:\s*"\/([^"]+)"/g)].map((match) => match[1]!))];
  const present = listed.filter((file) => existsSync(join(clientDir, file)));
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: GZIP_LEVEL }).length,
    precache: total(present),
    precacheMissing: listed.filter((file) => !present.includes(file)),
  };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
