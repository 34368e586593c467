import { describe, expect, it } from 'vitest';
import { moduleOf, summarizeProfile } from '../src/profile-summary.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/*
 * root
 *  ├─ (idle)
 *  └─ handleSync (server/src/connection.ts)
 *      └─ applyUpdate (yjs)
 *          └─ handleSync (recursion)  └─ writev (native)
 */
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('handleSync', 'file:///work/main/server/src/connection.ts', 10), children: [4] },
    { id: 4, callFrame: frame('applyUpdate', 'file:///work/main/node_modules/yjs/dist/yjs.mjs', 99), children: [5] },
    { id: 5, callFrame: frame('handleSync', 'file:///work/main/server/src/connection.ts', 10), children: [6] },
    { id: 6, callFrame: frame('writev') },
  ],
  // One sample a second, taken at 1 s ... 5 s: idle, handleSync, applyUpdate, writev (under the recursion), idle.
  samples: [2, 3, 4, 6, 2],
  timeDeltas: [1e6, 1e6, 1e6, 1e6, 1e6],
};

describe('profile summary', () => {
  it('names packages, workspace files and native frames', () => {
    expect(moduleOf(frame('x', 'file:///work/main/node_modules/@hocuspocus/server/dist/a.js'))).toBe('@hocuspocus/server');
    expect(moduleOf(frame('x', 'file:///work/main/packages/db/src/projection.ts'))).toBe('packages/db/src/projection.ts');
    expect(moduleOf(frame('writev'))).toBe('writev');
  });

  it('adds self time by module and function, and counts a recursive frame once per sample', () => {
    const summary = summarizeProfile(profile, { frames: ['handleSync', 'applyUpdate', 'writev'] });
    expect(summary.totalUs).toBe(5e6);
    expect(summary.busyUs).toBe(3e6);
    expect(Object.fromEntries(summary.byModule)).toEqual({ '(idle)': 2e6, 'server/src/connection.ts': 1e6, yjs: 1e6, writev: 1e6 });
    expect(Object.fromEntries(summary.inclusive)).toEqual({ handleSync: 3e6, applyUpdate: 2e6, writev: 1e6 });
    expect(summary.timeline).toEqual([0, 0, 1, 1, 1, 0]);
  });

  it('keeps only the samples inside --from/--to', () => {
    const summary = summarizeProfile(profile, { fromS: 2.5, toS: 4.5, frames: ['handleSync'] });
    expect(summary.totalUs).toBe(2e6);
    expect(Object.fromEntries(summary.inclusive)).toEqual({ handleSync: 2e6 });
  });
});
