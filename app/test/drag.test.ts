import { describe, expect, it } from 'vitest';
import { autoScrollStep } from '../app/components/checklist/drag.ts';

describe('auto-scroll while dragging with a finger', () => {
  const [top, bottom] = [150, 840]; // a sticky bar covers the first 150 px

  it('does not scroll while the finger is away from the edges', () => {
    expect(autoScrollStep(400, top, bottom)).toBe(0);
    expect(autoScrollStep(top + 60, top, bottom)).toBe(0);
    expect(autoScrollStep(bottom - 60, top, bottom)).toBe(0);
  });

  it('scrolls up near the top (below the pinned bar) and down near the bottom, faster closer to the edge', () => {
    const slowUp = autoScrollStep(top + 50, top, bottom);
    const fastUp = autoScrollStep(top + 5, top, bottom);
    expect(slowUp).toBeLessThan(0);
    expect(fastUp).toBeLessThan(slowUp);
    const slowDown = autoScrollStep(bottom - 50, top, bottom);
    const fastDown = autoScrollStep(bottom - 5, top, bottom);
    expect(slowDown).toBeGreaterThan(0);
    expect(fastDown).toBeGreaterThan(slowDown);
  });

  it('has a top speed, reached over the pinned bar and past the bottom edge', () => {
    expect(autoScrollStep(20, top, bottom)).toBe(autoScrollStep(top, top, bottom));
    expect(autoScrollStep(bottom + 30, top, bottom)).toBe(autoScrollStep(bottom, top, bottom));
    expect(autoScrollStep(bottom, top, bottom)).toBe(-autoScrollStep(top, top, bottom));
  });
});
