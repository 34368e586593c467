/**
 * Prints the gzip size of the JavaScript the checklist page loads, from the client build's Vite manifest:
 * what a first visit downloads (entry, root, the route and their static imports) and, separately, what
 * loads later on demand (the notes editor). Run after `npm run build -w @tieout/app` (from the repository root):
 *   npx tsx app/scripts/measure-bundle.ts [route file, default app/routes/checklists.$checklistId.tsx]
 */
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

const clientDir = new URL('../build/client/', import.meta.url);
const route = process.argv[2] ?? 'app/routes/checklists.$checklistId.tsx';

// Vite writes build/client/.vite/manifest.json; with `build.manifest: true` Remix moves it to
// build/.vite/client-manifest.json (and without it, deletes it).
const manifestPaths = [new URL('../build/.vite/client-manifest.json', import.meta.url), new URL('.vite/manifest.json', clientDir)];
const manifestPath = manifestPaths.find((path) => existsSync(path));
if (!manifestPath) {
  console.error('No client build manifest. Run: npm run build -w @tieout/app (vite.config.ts needs build.manifest: true)');
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, ManifestChunk>;

const entryKey = Object.keys(manifest).find((key) => manifest[key]!.isEntry && /entry\.client/.test(key));
const chunksOf = (source: string) => Object.keys(manifest).filter((key) => key === source || key.startsWith(`${source}?`));
const routeKeys = chunksOf(route);
const rootKeys = chunksOf('app/root.tsx');
if (!entryKey || rootKeys.length === 0 || routeKeys.length === 0) {
  console.error(`The manifest has no ${!entryKey ? 'client entry' : routeKeys.length === 0 ? route : 'app/root.tsx'}.`);
  process.exit(1);
}

/** The chunk and everything it imports statically. */
function staticClosure(keys: string[], seen = new Set<string>()): Set<string> {
  for (const key of keys) {
    if (seen.has(key) || !manifest[key]) continue;
    seen.add(key);
    staticClosure(manifest[key]!.imports ?? [], seen);
  }
  return seen;
}

const sizeOf = (key: string) => {
  const bytes = readFileSync(new URL(manifest[key]!.file, clientDir));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

function report(title: string, keys: Set<string>) {
  let raw = 0;
  let gzip = 0;
  console.log(title);
  for (const key of [...keys].sort((a, b) => sizeOf(b).gzip - sizeOf(a).gzip)) {
    const size = sizeOf(key);
    raw += size.raw;
    gzip += size.gzip;
    console.log(`  ${kb(size.gzip).padStart(9)} gzip  ${kb(size.raw).padStart(9)}  ${manifest[key]!.file}`);
  }
  console.log(`  ${kb(gzip).padStart(9)} gzip  ${kb(raw).padStart(9)}  total\n`);
  return gzip;
}

const initial = staticClosure([entryKey, ...rootKeys, ...routeKeys]);
const initialGzip = report(`First visit to ${route}:`, initial);

const lazyRoots = [...initial].flatMap((key) => manifest[key]!.dynamicImports ?? []).filter((key) => !initial.has(key));
const lazy = new Set([...staticClosure(lazyRoots)].filter((key) => !initial.has(key)));
const lazyGzip = lazy.size ? report('Loaded on demand (dynamic imports):', lazy) : 0;

console.log(`checklist page JS: ${kb(initialGzip)} gzip on first visit, ${kb(lazyGzip)} gzip more when notes open`);
