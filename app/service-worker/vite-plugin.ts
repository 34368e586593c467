import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'vite';

const entry = fileURLToPath(new URL('./sw.ts', import.meta.url));

/** Files of the client build that pages load, eagerly or lazily: all of them are precached. */
export function precacheEntries(fileNames: Iterable<string>): { url: string; revision: null }[] {
  return (
    [...fileNames]
      .filter((name) => name.startsWith('assets/') && !name.endsWith('.map'))
      .sort()
      // Hashed names: the name is the revision.
      .map((name) => ({ url: `/${name}`, revision: null }))
  );
}

/**
 * Builds the service worker next to the client build (build/client/sw.js) with the list of the build's
 * hashed files to precache. Only for the client half of a production build: no service worker in development.
 */
export function serviceWorker(): Plugin {
  let ssrBuild = false;
  return {
    name: 'tieout-service-worker',
    apply: 'build',
    configResolved(config) {
      ssrBuild = Boolean(config.build.ssr);
    },
    async writeBundle(options, bundle) {
      if (ssrBuild || !options.dir) return;
      await build({
        entryPoints: [entry],
        outfile: `${options.dir}/sw.js`,
        bundle: true,
        format: 'iife',
        target: 'es2020',
        minify: true,
        legalComments: 'none',
        logLevel: 'warning',
        define: {
          PRECACHE_MANIFEST: JSON.stringify(precacheEntries(Object.keys(bundle))),
          'process.env.NODE_ENV': '"production"',
        },
      });
    },
  };
}
