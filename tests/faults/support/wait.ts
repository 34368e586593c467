// eslint-disable-next-line no-restricted-imports -- the fault suite's one condition poller: it sleeps between checks, never before an assertion
import { setTimeout as nextPoll } from 'node:timers/promises';

/**
 * Waits until `check` holds, polling every 25 ms; throws naming `what` after `timeoutMs`. The one condition wait of
 * the fault suite's support code, which the soak script (plain tsx, where vitest's vi.waitFor is unavailable)
 * shares with the tests. There is deliberately no `sleep`: wait for what should happen, not for time.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await nextPoll(25);
  }
}
