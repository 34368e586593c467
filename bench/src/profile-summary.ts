import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/*
 * Where a server's CPU went, from a V8 CPU profile (`npm run bench -w @tieout/bench -- --cpu-prof ...` writes them to
 * bench/profiles/): self time by package or source file and by function, and the inclusive time of named frames
 * (a frame counts once per sample however deep it recurs). --from/--to keep only the samples between those seconds
 * of the profile, so start-up and shutdown stay out of a steady-state figure; --timeline prints the busy share of
 * each second to find that window. Used for docs/decisions/175.
 *
 *   npm run bench:profile -w @tieout/bench -- profiles/CPU....cpuprofile --timeline
 *   npm run bench:profile -w @tieout/bench -- profiles/CPU....cpuprofile --from=7 --to=18 --frames=handleSync,afterPersist
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Microseconds in the window, and of them not idle. */
  totalUs: number;
  busyUs: number;
  byModule: [string, number][];
  byFunction: [string, number][];
  inclusive: [string, number][];
  /** Busy share of each second of the whole profile (0-1); a sample counts in the second it was taken. */
  timeline: number[];
}

/** The package (node_modules/<name>), the repository file's workspace path, a node: module, or a V8 pseudo-frame. */
export function moduleOf(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName || '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const local = /\/(?:app|server|bench|packages\/[^/]+|tests)\/src\/.*$/.exec(url);
  if (local) return local[0].slice(1);
  return url;
}

export function summarizeProfile(profile: CpuProfile, options: { fromS?: number; toS?: number; frames?: string[] } = {}): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const idle = profile.nodes.find((node) => node.callFrame.functionName === '(idle)')?.id;
  const from = (options.fromS ?? 0) * 1e6;
  const to = (options.toS ?? Number.POSITIVE_INFINITY) * 1e6;
  const selfTime = new Map<number, number>();
  const timeline: number[] = [];
  let elapsed = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsed += delta;
    const second = Math.floor(elapsed / 1e6);
    timeline[second] = (timeline[second] ?? 0) + (profile.samples[i] === idle ? 0 : delta / 1e6);
    if (elapsed < from || elapsed > to) continue;
    selfTime.set(profile.samples[i]!, (selfTime.get(profile.samples[i]!) ?? 0) + delta);
  }
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalUs = 0;
  for (const [id, time] of selfTime) {
    totalUs += time;
    const node = byId.get(id)!;
    const module = moduleOf(node.callFrame);
    byModule.set(module, (byModule.get(module) ?? 0) + time);
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${module}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + time);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current)!.callFrame;
      const name = `${frame.functionName} ${moduleOf(frame)}`;
      for (const wanted of options.frames ?? []) {
        if (seen.has(wanted) || !name.includes(wanted)) continue;
        seen.add(wanted);
        inclusive.set(wanted, (inclusive.get(wanted) ?? 0) + time);
      }
    }
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    totalUs,
    busyUs: totalUs - (idle === undefined ? 0 : (selfTime.get(idle) ?? 0)),
    byModule: sorted(byModule),
    byFunction: sorted(byFunction),
    inclusive: (options.frames ?? []).map((frame) => [frame, inclusive.get(frame) ?? 0]),
    timeline: Array.from({ length: timeline.length }, (_, second) => timeline[second] ?? 0),
  };
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, frames: { type: 'string' }, timeline: { type: 'boolean' }, top: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('Usage: profile-summary <file.cpuprofile> [--from=S] [--to=S] [--frames=a,b] [--timeline] [--top=N]');
  const number = (raw: string | undefined, name: string) => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number of seconds ≥ 0 (got "${raw}")`);
    return value;
  };
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, {
    fromS: number(values.from, 'from'),
    toS: number(values.to, 'to'),
    frames: values.frames?.split(',').filter(Boolean),
  });
  const top = Number(values.top ?? 25);
  const share = (us: number) => `${((100 * us) / Math.max(1, summary.busyUs)).toFixed(1).padStart(5)}% of busy`;
  if (values.timeline) console.log(`busy share per second: ${summary.timeline.map((busy) => Math.round(busy * 100)).join(' ')}`);
  console.log(`window ${(summary.totalUs / 1e6).toFixed(1)} s, busy ${(summary.busyUs / 1e6).toFixed(1)} s`);
  console.log('\nself time by module');
  for (const [name, us] of summary.byModule.slice(0, top)) console.log(`  ${share(us)}  ${(us / 1e3).toFixed(0).padStart(6)} ms  ${name}`);
  console.log('\nself time by function');
  for (const [name, us] of summary.byFunction.slice(0, top)) console.log(`  ${share(us)}  ${(us / 1e3).toFixed(0).padStart(6)} ms  ${name}`);
  if (summary.inclusive.length) {
    console.log('\ninclusive time of frames');
    for (const [name, us] of summary.inclusive) console.log(`  ${share(us)}  ${(us / 1e3).toFixed(0).padStart(6)} ms  ${name}`);
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
