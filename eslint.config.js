// ESLint for the whole repository (`npm run lint`, part of `npm test`). Formatting is Prettier's (`npm run format`).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const waitForConditions = {
  selector: "NewExpression[callee.name='Promise'] CallExpression[callee.name='setTimeout']",
  message:
    'Tests wait for conditions (vi.waitFor, expect.poll, the server’s own signal), never for time: a sleep makes a negative assertion pass when the event has simply not arrived yet, and fails on a busy machine.',
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/build/**',
      '**/dist/**',
      '**/.data/**',
      '**/test-results*/**',
      '**/playwright-report/**',
      'bench/results/**',
      'app/public/**',
      '.turbo/**',
      '**/.turbo/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['app/app/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Server-side code logs with pino (createLogger from @tieout/config): JSON lines with a level, never console.
    // A command-line tool whose output is for the person who ran it opts out in its first line, saying so.
    files: ['app/server.ts', 'app/server/**/*.ts', 'app/app/entry.server.tsx', 'app/app/**/*.server.ts', 'server/src/**/*.ts', 'packages/*/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['**/test/**/*.ts', 'tests/**/*.ts', '**/*.test.ts', '**/*.spec.ts'],
    rules: { 'no-restricted-syntax': ['error', waitForConditions] },
  },
  prettier,
);
