import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Everything but the Playwright suite (tests/e2e, run with `npm run test:e2e`).
export default defineConfig({
  // The app's route modules (called directly by authz/app-actions.test.ts) import with the app's `~/` alias.
  resolve: { alias: { '~': fileURLToPath(new URL('../app/app', import.meta.url)) } },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['e2e/**', '**/node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
