// ESLint for the whole repository (`npm run lint`, part of `npm test`). Formatting is Prettier's (`npm run format`).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const waitForConditionsMessage =
  'Tests wait for conditions (vi.waitFor, expect.poll, the server’s own signal), never for time: a sleep makes a negative assertion pass when the event has simply not arrived yet, and fails on a busy machine.';
// The three ways a test sleeps: setTimeout in a promise, Playwright's waitForTimeout, and node:timers/promises.
const waitForConditions = [
  { selector: "NewExpression[callee.name='Promise'] CallExpression[callee.name='setTimeout']", message: waitForConditionsMessage },
  { selector: "CallExpression[callee.property.name='waitForTimeout']", message: waitForConditionsMessage },
];
const noTimerPromises = {
  paths: ['node:timers/promises', 'timers/promises'].map((name) => ({ name, importNames: ['setTimeout'], message: waitForConditionsMessage })),
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
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
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
    files: [
      'app/server.ts',
      'app/server/**/*.ts',
      'app/app/entry.server.tsx',
      'app/app/**/*.server.ts',
      'server/src/**/*.ts',
      'packages/*/src/**/*.ts',
    ],
    rules: { 'no-console': 'error' },
  },
  {
    // Run-time code never imports test code: the testing entries (@tieout/db/testing, @tieout/server/testing) are for tests.
    files: ['app/server.ts', 'app/server/**/*.ts', 'app/app/**/*.{ts,tsx}', 'server/src/**/*.ts', 'packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/src/testing.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tieout/*/testing', '**/testing.ts'],
              message: 'Test code (a testing entry) is imported by tests only, never by run-time code.',
            },
          ],
        },
      ],
    },
  },
  {
    // Test code: test files, the suites' support code and the packages' testing entries (@tieout/db/testing, @tieout/server/testing).
    files: ['**/test/**/*.ts', 'tests/**/*.ts', '**/*.test.ts', '**/*.spec.ts', '**/src/testing.ts'],
    rules: { 'no-restricted-syntax': ['error', ...waitForConditions], 'no-restricted-imports': ['error', noTimerPromises] },
  },
  prettier,
);
