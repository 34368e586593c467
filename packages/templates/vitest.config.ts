import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Generous bounds: tests wait for conditions, and a database start or a property run on a busy 2-core machine
    // must never fail a working test (vitest's default of 5 s did: the embedded-database start test).
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
