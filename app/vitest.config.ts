import { defineConfig } from 'vitest/config';
import tsconfigPaths from 'vite-tsconfig-paths';

// Tests of plain helpers: no Remix plugin, no server.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ['app/**/*.test.ts', 'test/**/*.test.ts', 'server/**/*.test.ts'],
    environment: 'node',
    // Generous bounds: a database start on a busy 2-core machine must never fail a working test.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
