import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  DEFAULT_AFTER_PERSIST_INTERVAL_MS,
  DEFAULT_AFTER_PERSIST_MAX_INTERVAL_MS,
  Lifecycle,
  type CollabExtension,
  type PersistedUpdate,
} from '../src/lifecycle.ts';
import { createMetrics } from '../src/metrics.ts';
import { waitFor } from '../src/testing.ts';

/*
 * afterPersist runs of one extension for one document are spaced (docs/decisions/175): the first run after a quiet
 * spell goes on the next turn, later ones no sooner than the interval after the previous start, each carrying
 * everything persisted meanwhile; whoever waits for the pipeline to be idle (unload, shutdown) does not wait it out.
 */

const logger = pino({ level: 'silent' });
const update = (n: number): PersistedUpdate => ({ source: 'persisted', userId: `user-${n}`, updateId: n, update: new Uint8Array([0, 0]) });

function recordingPipeline(intervalMs: number, load = () => 0) {
  const runs: { at: number; updateIds: (number | null)[] }[] = [];
  const extension: CollabExtension = {
    name: 'recorder',
    afterPersist({ updates }) {
      runs.push({ at: performance.now(), updateIds: updates.map((u) => u.updateId) });
    },
  };
  const lifecycle = new Lifecycle([extension], createMetrics(), logger, {
    afterPersistIntervalMs: intervalMs,
    afterPersistMaxIntervalMs: 4 * intervalMs,
    load,
  });
  const doc = new Y.Doc();
  const [pipeline] = lifecycle.pipelinesFor({ checklistId: 'c', workspaceId: 'w', doc }, logger);
  return { runs, pipeline: pipeline! };
}

describe('afterPersist interval', () => {
  it('is one second by default, stretching to five as the server saturates', () => {
    expect(DEFAULT_AFTER_PERSIST_INTERVAL_MS).toBe(1000);
    expect(DEFAULT_AFTER_PERSIST_MAX_INTERVAL_MS).toBe(5000);
    let load = 0;
    const lifecycle = new Lifecycle([], createMetrics(), logger, { load: () => load });
    expect(lifecycle.afterPersistInterval()).toBe(1000);
    load = 0.3;
    expect(lifecycle.afterPersistInterval()).toBe(1000);
    load = 0.55;
    expect(lifecycle.afterPersistInterval()).toBeCloseTo(3000);
    load = 0.8;
    expect(lifecycle.afterPersistInterval()).toBe(5000);
    load = 1;
    expect(lifecycle.afterPersistInterval()).toBe(5000);
  });

  it('waits the longer interval while the server is loaded', async () => {
    const { runs, pipeline } = recordingPipeline(100, () => 1);
    pipeline.push([update(1)]);
    await waitFor(() => runs.length === 1, 'the first run');
    pipeline.push([update(2)]);
    await waitFor(() => runs.length === 2, 'the second run');
    // Timers run on the event loop's millisecond clock, which can lag performance.now() by a few ms: 4 × 100 ms
    // is told from 100 ms with room for that, not to the millisecond.
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(390);
    pipeline.stop();
  });

  it('runs the first batch at once and the next ones no sooner than the interval after the previous start, coalesced', async () => {
    const { runs, pipeline } = recordingPipeline(300);
    pipeline.push([update(1)]);
    await waitFor(() => runs.length === 1, 'the first run');
    pipeline.push([update(2)]);
    pipeline.push([update(3)]);
    await waitFor(() => runs.length === 2, 'the second run');
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(290);
    expect(runs.map((run) => run.updateIds)).toEqual([[1], [2, 3]]);
    pipeline.stop();
  });

  it('does not delay the first run after a quiet spell, however long the interval', async () => {
    const { runs, pipeline } = recordingPipeline(60_000);
    pipeline.push([update(1)]);
    await waitFor(() => runs.length === 1, 'the first run', 10_000);
    pipeline.stop();
  });

  it('starts a waiting run at once for whoever waits for idle (unload, shutdown)', async () => {
    const { runs, pipeline } = recordingPipeline(60_000);
    pipeline.push([update(1)]);
    await waitFor(() => runs.length === 1, 'the first run');
    pipeline.push([update(2)]);
    // The next run would wait a minute; waiting for idle must not.
    await pipeline.whenIdle();
    expect(runs.map((run) => run.updateIds)).toEqual([[1], [2]]);
    expect(pipeline.idle).toBe(true);
  });

  it('refuses a negative interval, and a maximum below the minimum', () => {
    expect(() => new Lifecycle([], createMetrics(), logger, { afterPersistIntervalMs: -1 })).toThrow(/afterPersistIntervalMs/);
    expect(() => new Lifecycle([], createMetrics(), logger, { afterPersistIntervalMs: 500, afterPersistMaxIntervalMs: 100 })).toThrow(/at least/);
  });
});
