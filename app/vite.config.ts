import { vitePlugin as remix } from '@remix-run/dev';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';
import tsconfigPaths from 'vite-tsconfig-paths';
import { serviceWorker } from './service-worker/vite-plugin.ts';

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [
    tailwindcss(),
    remix({
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: true,
      },
    }),
    tsconfigPaths(),
    serviceWorker(),
  ],
  build: {
    // Keep .vite/manifest.json in build/client (Remix removes it otherwise): bench/src/bundle.ts (the bundle benchmark) reads it.
    manifest: true,
  },
  resolve: {
    // One instance of each in the bundle: two copies of yjs or Tiptap core break their constructor checks
    // (see docs/decisions/040-tiptap-single-copy.md).
    dedupe: ['@tiptap/core', '@tiptap/pm', 'yjs', 'y-protocols', 'react', 'react-dom'],
  },
  optimizeDeps: {
    // Pre-bundled up front so the first visit to a checklist in development does not trigger a reload.
    include: [
      '@tiptap/react',
      '@tiptap/starter-kit',
      '@tiptap/extension-collaboration',
      '@tiptap/extension-collaboration-caret',
      'y-websocket',
      'yjs',
      'fractional-indexing',
      'zod',
    ],
  },
  ssr: {
    // Workspace packages ship TypeScript source, so the server bundle compiles them.
    // PGlite (wasm + data files) and pg stay external and load from node_modules at run time.
    noExternal: [/^@tieout\//],
    external: ['@electric-sql/pglite', 'pg'],
  },
});
