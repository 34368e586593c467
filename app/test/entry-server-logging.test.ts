import { Writable } from 'node:stream';
import type { AppLoadContext } from '@remix-run/node';
import { createLogger } from '@tieout/config';
import { describe, expect, it } from 'vitest';
import { handleError } from '../app/entry.server.tsx';

function recordingContext() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const context = { logger: createLogger('tieout', { level: 'info' }, sink) } as unknown as AppLoadContext;
  return { lines, context };
}

describe('errors of loaders and actions (entry.server handleError)', () => {
  it('go to the pino logger as one error line with the method and path, not to console', () => {
    const { lines, context } = recordingContext();
    handleError(new Error('database down'), { request: new Request('http://tieout.test/deals/1?tab=x', { method: 'POST' }), params: {}, context });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        name: 'tieout',
        method: 'POST',
        path: '/deals/1',
        msg: 'request failed',
        err: expect.objectContaining({ message: 'database down' }),
      }),
    ]);
  });

  it('leave out a request the browser gave up on', () => {
    const { lines, context } = recordingContext();
    const aborted = new AbortController();
    aborted.abort();
    handleError(new Error('aborted'), { request: new Request('http://tieout.test/', { signal: aborted.signal }), params: {}, context });
    expect(lines).toEqual([]);
  });
});
