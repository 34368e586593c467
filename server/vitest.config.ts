import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file starts servers and databases of its own; running files one at a time keeps a 2-core machine responsive.
    fileParallelism: false,
  },
});
