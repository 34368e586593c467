import { defineConfig } from 'vitest/config';
import tsconfigPaths from 'vite-tsconfig-paths';

// Tests of plain helpers: no Remix plugin, no server.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: { include: ['app/**/*.test.ts', 'test/**/*.test.ts', 'server/**/*.test.ts'], environment: 'node' },
});
