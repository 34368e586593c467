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
    for (const file of ['app/server.ts', 'app/server/mail.ts', 'app/app/entry.server.tsx', 'app/app/models/deals.server.ts', 'server/src/collab-server.ts', 'packages/db/src/notifications.ts']) {
      expect(await rulesBroken(file, code), file).toEqual(['no-console']);
    }
    for (const file of ['server/test/main.test.ts', 'app/app/utils/offline.ts', 'bench/src/run.ts']) {
      expect(await rulesBroken(file, code), file).toEqual([]);
    }
    // A command-line tool opts out in its first line, with its reason.
    const cli = `/* eslint-disable no-console -- a command-line tool: its output is for the person who ran it */\n${code}`;
    expect(await rulesBroken('packages/db/src/cli/migrate.ts', cli)).toEqual([]);
  });

  it('refuses a sleep in tests: they wait for conditions', async () => {
    const code = "import { it } from 'vitest';\nit('waits', async () => {\n  await new Promise((resolve) => setTimeout(resolve, 100));\n});\n";
    expect(await rulesBroken('server/test/example.test.ts', code)).toEqual(['no-restricted-syntax']);
    expect(await rulesBroken('tests/e2e/example.spec.ts', code)).toEqual(['no-restricted-syntax']);
  });
});
