import { defineConfig } from 'vitest/config';

// Everything but the Playwright suite (tests/e2e, run with `npm run test:e2e`).
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['e2e/**', '**/node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
