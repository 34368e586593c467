import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The repository's own ESLint config (eslint.config.js), applied to text as if it were in the named file.
const eslint = new ESLint({ cwd: fileURLToPath(new URL('../..', import.meta.url)) });
async function rulesBroken(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((message) => message.ruleId ?? message.message);
}

describe('lint rules that keep one way of doing things', () => {
  it('refuses console in server-side code (it logs with pino), and only there', async () => {
    const code = "export function report(error: unknown) {\n  console.error('failed', error);\n}\n";
    for (const file of [
      'app/server.ts',
      'app/server/mail.ts',
      'app/app/entry.server.tsx',
      'app/app/models/deals.server.ts',
      'server/src/collab-server.ts',
      'packages/db/src/notifications.ts',
    ]) {
      expect(await rulesBroken(file, code), file).toEqual(['no-console']);
    }
    for (const file of ['server/test/main.test.ts', 'app/app/utils/offline.ts', 'bench/src/run.ts']) {
      expect(await rulesBroken(file, code), file).toEqual([]);
    }
    // A command-line tool opts out in its first line, with its reason.
    const cli = `/* eslint-disable no-console -- a command-line tool: its output is for the person who ran it */\n${code}`;
    expect(await rulesBroken('packages/db/src/cli/migrate.ts', cli)).toEqual([]);
  });

  it('refuses a sleep in tests and their support code: they wait for conditions', async () => {
    const sleeps = {
      'setTimeout in a promise':
        "import { it } from 'vitest';\nit('waits', async () => {\n  await new Promise((resolve) => setTimeout(resolve, 100));\n});\n",
      'Playwright waitForTimeout':
        "import { expect, test } from '@playwright/test';\ntest('waits', async ({ page }) => {\n  await page.waitForTimeout(500);\n  await expect(page.getByText('Saved')).toHaveCount(0);\n});\n",
      'node:timers/promises': "import { setTimeout as sleep } from 'node:timers/promises';\nexport const settle = () => sleep(100);\n",
      'timers/promises': "import { setTimeout } from 'timers/promises';\nexport const settle = () => setTimeout(100);\n",
    };
    const files = [
      'server/test/example.test.ts',
      'tests/e2e/example.spec.ts',
      'tests/e2e/support/example.ts',
      'app/test/example.test.ts',
      'server/src/testing.ts',
      'packages/db/src/testing.ts',
    ];
    for (const [kind, code] of Object.entries(sleeps)) {
      const expected = kind.includes('timers/promises') ? 'no-restricted-imports' : 'no-restricted-syntax';
      for (const file of files) expect(await rulesBroken(file, code), `${kind} in ${file}`).toEqual([expected]);
    }
    // Time is not the only thing a test may wait for in a promise, and code that is not test code may sleep.
    const waitsForAnEvent =
      "import { it } from 'vitest';\nit('waits', async () => {\n  await new Promise((resolve) => process.nextTick(resolve));\n});\n";
    expect(await rulesBroken('server/test/example.test.ts', waitsForAnEvent)).toEqual([]);
    expect(await rulesBroken('server/src/collab-server.ts', sleeps['node:timers/promises'])).toEqual([]);
  });

  it('refuses test code in run-time code: the testing entries are imported by tests only', async () => {
    const code =
      "import { useCollabServer } from '@tieout/server/testing';\nimport { demoUsers } from '@tieout/db/testing';\nexport const both = [useCollabServer, demoUsers];\n";
    for (const file of [
      'app/app/models/deals.server.ts',
      'app/app/routes/_index.tsx',
      'app/server.ts',
      'server/src/collab-server.ts',
      'packages/db/src/notifications.ts',
    ]) {
      expect(await rulesBroken(file, code), file).toEqual(['no-restricted-imports', 'no-restricted-imports']);
    }
    expect(await rulesBroken('server/src/collab-server.ts', "import { startServer } from './testing.ts';\nexport { startServer };\n")).toEqual([
      'no-restricted-imports',
    ]);
    for (const file of [
      'app/test/history.test.ts',
      'server/test/sync.test.ts',
      'tests/e2e/deals.spec.ts',
      'server/src/testing.ts',
      'bench/src/grid.ts',
    ]) {
      expect(await rulesBroken(file, code), file).toEqual([]);
    }
  });
});
