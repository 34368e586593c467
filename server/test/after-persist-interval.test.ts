import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  BACKGROUND_PACE_FACTOR,
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

  it('spaces a background extension five times as far, loaded or not (decision 178)', async () => {
    expect(BACKGROUND_PACE_FACTOR).toBe(5);
    let load = 0;
    const quiet = new Lifecycle([], createMetrics(), logger, { load: () => load });
    expect(quiet.afterPersistInterval('background')).toBe(5000);
    load = 1;
    expect(quiet.afterPersistInterval('background')).toBe(25_000);
    expect(quiet.afterPersistInterval('prompt')).toBe(5000);

    const runs: { name: string; at: number; spacingMs: number }[] = [];
    const recorder = (name: string, afterPersistPace: 'prompt' | 'background'): CollabExtension => ({
      name,
      afterPersistPace,
      afterPersist: ({ spacingMs }) => void runs.push({ name, at: performance.now(), spacingMs }),
    });
    const lifecycle = new Lifecycle([recorder('prompt', 'prompt'), recorder('background', 'background')], createMetrics(), logger, {
      afterPersistIntervalMs: 60,
      afterPersistMaxIntervalMs: 60,
      load: () => 0,
    });
    const pipelines = lifecycle.pipelinesFor({ checklistId: 'c', workspaceId: 'w', doc: new Y.Doc() }, logger);
    const startOf = (name: string, n: number) => runs.filter((run) => run.name === name)[n]!;
    for (const pipeline of pipelines) pipeline.push([update(1)]);
    await waitFor(() => runs.length === 2, 'the first runs');
    for (const pipeline of pipelines) pipeline.push([update(2)]);
    await waitFor(() => runs.length === 4, 'the second runs');
    expect(startOf('prompt', 1).at - startOf('prompt', 0).at).toBeGreaterThanOrEqual(50);
    expect(startOf('prompt', 1).at - startOf('prompt', 0).at).toBeLessThan(300);
    expect(startOf('background', 1).at - startOf('background', 0).at).toBeGreaterThanOrEqual(290);
    expect(runs.filter((run) => run.name === 'background').map((run) => run.spacingMs)).toEqual([300, 300]);
    for (const pipeline of pipelines) pipeline.stop();
  });

  it('puts busy documents’ runs on one shared grid, and starts one run per turn of the event loop', async () => {
    const grid = 400;
    const runs: { doc: string; at: number; turn: number }[] = [];
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    tick();
    const extension: CollabExtension = {
      name: 'recorder',
      afterPersist: ({ checklistId }) => void runs.push({ doc: checklistId, at: performance.now(), turn }),
    };
    const lifecycle = new Lifecycle([extension], createMetrics(), logger, {
      afterPersistIntervalMs: grid,
      afterPersistMaxIntervalMs: grid,
      load: () => 0,
    });
    const [a] = lifecycle.pipelinesFor({ checklistId: 'a', workspaceId: 'w', doc: new Y.Doc() }, logger);
    const [b] = lifecycle.pipelinesFor({ checklistId: 'b', workspaceId: 'w', doc: new Y.Doc() }, logger);
    // Their first runs go at once, one turn after the other...
    a!.push([update(1)]);
    b!.push([update(2)]);
    await waitFor(() => runs.length === 2, 'the first runs');
    // ...and their next ones on the slot of the grid each one's interval ends in (the same one unless a slot's edge
    // fell between the two first runs), each in a turn of its own.
    a!.push([update(3)]);
    b!.push([update(4)]);
    await waitFor(() => runs.length === 4, 'the second runs');
    ticking = false;
    const [firstA, firstB, secondA, secondB] = runs as [(typeof runs)[number], (typeof runs)[number], (typeof runs)[number], (typeof runs)[number]];
    expect([firstA.doc, firstB.doc, secondA.doc, secondB.doc]).toEqual(['a', 'b', 'a', 'b']);
    expect(firstB.turn).toBeGreaterThan(firstA.turn);
    expect(secondB.turn).toBeGreaterThan(secondA.turn);
    const slotOf = (first: (typeof runs)[number]) => Math.ceil((first.at + grid) / grid) * grid;
    // Timers are on the event loop's millisecond clock: a few ms of room.
    expect(secondA.at).toBeGreaterThanOrEqual(slotOf(firstA) - 5);
    expect(secondB.at).toBeGreaterThanOrEqual(slotOf(firstB) - 5);
    if (slotOf(firstA) === slotOf(firstB)) expect(secondB.at - secondA.at).toBeLessThan(grid / 2);
    a!.stop();
    b!.stop();
  });

  it('refuses a negative interval, and a maximum below the minimum', () => {
    expect(() => new Lifecycle([], createMetrics(), logger, { afterPersistIntervalMs: -1 })).toThrow(/afterPersistIntervalMs/);
    expect(() => new Lifecycle([], createMetrics(), logger, { afterPersistIntervalMs: 500, afterPersistMaxIntervalMs: 100 })).toThrow(/at least/);
  });
});
