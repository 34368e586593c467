/**
 * Prints the gzip size of the JavaScript the checklist page loads, from the client build's Vite manifest:
 * what a first visit downloads (entry, root, the route and their static imports) and, separately, what
 * loads later on demand (the notes editor). Run after `npm run build -w @tieout/app`:
 *   npx tsx app/scripts/measure-bundle.ts [route file, default app/routes/checklists.$checklistId.tsx]
 */
import { readFileSync } from 'node:fs';
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

let manifest: Record<string, ManifestChunk>;
try {
  manifest = JSON.parse(readFileSync(new URL('.vite/manifest.json', clientDir), 'utf8')) as Record<string, ManifestChunk>;
} catch (error) {
  console.error(`No client build manifest (${(error as Error).message}). Run: npm run build -w @tieout/app`);
  process.exit(1);
}

const entryKey = Object.keys(manifest).find((key) => manifest[key]!.isEntry && /entry\.client/.test(key));
const routeKeys = Object.keys(manifest).filter((key) => key === route || key.startsWith(`${route}?`));
if (!entryKey || !manifest['app/root.tsx'] || routeKeys.length === 0) {
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

const initial = staticClosure([entryKey, 'app/root.tsx', ...routeKeys]);
const initialGzip = report(`First visit to ${route}:`, initial);

const lazyRoots = [...initial].flatMap((key) => manifest[key]!.dynamicImports ?? []).filter((key) => !initial.has(key));
const lazy = new Set([...staticClosure(lazyRoots)].filter((key) => !initial.has(key)));
const lazyGzip = lazy.size ? report('Loaded on demand (dynamic imports):', lazy) : 0;

console.log(`checklist page JS: ${kb(initialGzip)} gzip on first visit, ${kb(lazyGzip)} gzip more when notes open`);
