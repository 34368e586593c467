import { afterEach, describe, expect, it, vi } from 'vitest';
import { PersistQueue, type PersistQueueHandlers, type UserBatch } from '../src/persist-queue.ts';

// The queue's scheduling on its own: `write` records what it is given (the database side is tested in
// batching.test.ts and packages/db).
const claims = (sub: string) => ({ sub, role: 'authenticated' });
const bytes = (...values: number[]) => new Uint8Array(values);
// Windows are timed on a clock the tests control (the queue's timers and performance.now).
const controlClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
afterEach(() => {
  vi.useRealTimers();
});

function queue(
  options: Partial<{ windowMs: number; maxBatchBytes: number }>,
  handlers: Partial<PersistQueueHandlers> & Pick<PersistQueueHandlers, 'write'>,
) {
  return new PersistQueue(
    { windowMs: 50, maxBatchBytes: 1024, retryMinMs: 10, retryMaxMs: 50, ...options },
    { isPermanent: (error) => (error as { permanent?: boolean }).permanent === true, ...handlers },
  );
}

const summary = (batches: UserBatch[]) => batches.map((b) => `${b.userId}:${b.updates.map((u) => u[0]).join(',')}`);

describe('PersistQueue', () => {
  it("writes every user's updates of a window in one write, grouped by user in arrival order, with their latest claims", async () => {
    const writes: UserBatch[][] = [];
    const q = queue({}, { write: async (batches) => void writes.push(batches) });
    q.enqueue({ userId: 'a', claims: claims('a'), update: bytes(1) });
    q.enqueue({ userId: 'b', claims: claims('b'), update: bytes(2) });
    q.enqueue({ userId: 'a', claims: { ...claims('a'), fresh: true }, update: bytes(3) });
    await q.whenIdle();
    expect(writes.map(summary)).toEqual([['a:1,3', 'b:2']]);
    expect(writes[0]![0]!.claims).toMatchObject({ fresh: true });
  });

  it('lets updates that arrive during a write wait for their own window, and a flush write at once', async () => {
    controlClock();
    const writes: { at: number; batches: string[] }[] = [];
    const q: PersistQueue = queue(
      { windowMs: 300 },
      {
        write: async (batches) => {
          writes.push({ at: performance.now(), batches: summary(batches) });
          // Another user's update arrives while the first write runs.
          if (writes.length === 1) q.enqueue({ userId: 'b', claims: claims('b'), update: bytes(2) });
        },
      },
    );
    const start = performance.now();
    q.enqueue({ userId: 'a', claims: claims('a'), update: bytes(1) });
    await vi.advanceTimersByTimeAsync(299);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toEqual([{ at: start + 300, batches: ['a:1'] }]);
    // b's window started when it arrived, during the first write.
    await vi.advanceTimersByTimeAsync(299);
    expect(writes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes.map((w) => w.batches)).toEqual([['a:1'], ['b:2']]);
    expect(writes[1]!.at).toBe(start + 600);
    await q.whenIdle();

    q.enqueue({ userId: 'a', claims: claims('a'), update: bytes(4) });
    const flushedAt = performance.now();
    const flushed = q.flush();
    await vi.advanceTimersByTimeAsync(0);
    await flushed;
    expect(writes.at(-1)).toEqual({ at: flushedAt, batches: ['a:4'] });
  });

  it('writes at once when a batch is full, and never more than maxBatchBytes in one write', async () => {
    controlClock();
    const writes: string[][] = [];
    const q = queue({ windowMs: 10_000, maxBatchBytes: 4 }, { write: async (batches) => void writes.push(summary(batches)) });
    for (const value of [1, 2, 3, 4, 5]) q.enqueue({ userId: value % 2 ? 'a' : 'b', claims: claims('x'), update: bytes(value, 0) });
    // No time passes: the two full batches are written, the fifth update waits for its window.
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual([
      ['a:1', 'b:2'],
      ['a:3', 'b:4'],
    ]);
    expect(q.depth).toBe(1);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(q.depth).toBe(1);
    const flushed = q.flush();
    await vi.advanceTimersByTimeAsync(0);
    await flushed;
    expect(writes.at(-1)).toEqual(['a:5']);
  });

  it("drops only the refused user's updates on a permanent error and writes the others next", async () => {
    const writes: string[][] = [];
    const rejected: [string, number][] = [];
    const q = queue(
      {},
      {
        write: async (batches) => {
          if (batches.some((b) => b.userId === 'demoted')) throw Object.assign(new Error('refused'), { permanent: true, userId: 'demoted' });
          writes.push(summary(batches));
        },
        rejectedUser: (error) => (error as { userId?: string }).userId ?? null,
        onRejected: (userId, count) => void rejected.push([userId, count]),
      },
    );
    q.enqueue({ userId: 'a', claims: claims('a'), update: bytes(1) });
    q.enqueue({ userId: 'demoted', claims: claims('demoted'), update: bytes(2) });
    q.enqueue({ userId: 'demoted', claims: claims('demoted'), update: bytes(3) });
    q.enqueue({ userId: 'b', claims: claims('b'), update: bytes(4) });
    await q.whenIdle();
    expect(rejected).toEqual([['demoted', 2]]);
    expect(writes).toEqual([['a:1', 'b:4']]);
  });

  it('drops the whole batch when a permanent error names nobody, and keeps everything while errors are temporary', async () => {
    let failTemporarily = 2;
    const writes: string[][] = [];
    const rejected: string[] = [];
    const q = queue(
      {},
      {
        write: async (batches) => {
          if (batches.some((b) => b.userId === 'gone')) throw Object.assign(new Error('gone'), { permanent: true });
          if (failTemporarily-- > 0) throw new Error('connection refused');
          writes.push(summary(batches));
        },
        onRejected: (userId) => void rejected.push(userId),
      },
    );
    q.enqueue({ userId: 'gone', claims: claims('gone'), update: bytes(1) });
    q.enqueue({ userId: 'a', claims: claims('a'), update: bytes(2) });
    await q.whenIdle();
    expect(rejected).toEqual(['gone', 'a']);
    q.enqueue({ userId: 'a', claims: claims('a'), update: bytes(3) });
    await q.flush();
    expect(writes).toEqual([['a:3']]);
    expect(q.failing).toBe(false);
  });
});
