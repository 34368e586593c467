import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
type Version = [number, number, number];

/** Whether `version` satisfies an npm `engines.node` range of the forms the lockfile holds (>=, >, <, <=, ^, ~, =, bare, ||). */
function satisfies(version: Version, range: string): boolean {
  const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  return range.split('||').some((alternative) =>
    alternative
      .replace(/(>=|<=|>|<|\^|~|=)\s+/g, '$1')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .every((comparator) => {
        if (comparator === '*' || comparator === 'x') return true;
        const match = /^(>=|<=|>|<|\^|~|=)?v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(comparator);
        if (!match) throw new Error(`range not understood: ${range}`);
        const [, op = '', major, minor, patch] = match;
        const parts = [major, minor, patch].map((part) => (part === undefined || part === 'x' || part === '*' ? undefined : Number(part)));
        const bound: Version = [parts[0]!, parts[1] ?? 0, parts[2] ?? 0];
        const c = compare(version, bound);
        if (op === '>=') return c >= 0;
        if (op === '>') return c > 0;
        if (op === '<') return c < 0;
        if (op === '<=') return c <= 0;
        if (op === '^') return c >= 0 && version[0] === bound[0];
        if (op === '~') return c >= 0 && version[0] === bound[0] && (parts[1] === undefined || version[1] === bound[1]);
        // Bare or '=': every version the given parts name (20 is 20.x.x, 20.19 is 20.19.x).
        return parts.every((part, index) => part === undefined || version[index] === part);
      }),
  );
}

describe('the Node.js version the README asks for', () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const claim = /Needs Node\.js (\d+)\.(\d+)\+/.exec(readme);
  const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8')) as {
    packages: Record<string, { engines?: unknown; optional?: boolean }>;
  };

  it('is stated once in the quick start and is the root package’s engines', () => {
    expect(claim, 'README: "Needs Node.js X.Y+"').not.toBeNull();
    const engines = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).engines.node;
    expect(engines).toBe(`>=${claim![1]}.${claim![2]}`);
  });

  it('is what the lockfile records, as are each workspace’s dependencies (a fresh npm install rewrites nothing)', () => {
    const manifest = (dir: string) => JSON.parse(readFileSync(`${root}${dir ? `${dir}/` : ''}package.json`, 'utf8'));
    const recorded = lock.packages as Record<string, Record<string, unknown>>;
    expect((recorded['']!.engines as { node: string }).node).toBe(manifest('').engines.node);
    const workspaces = Object.keys(recorded).filter((path) => path !== '' && !path.includes('node_modules'));
    expect(workspaces.length).toBeGreaterThan(5);
    for (const dir of workspaces) {
      const own = manifest(dir);
      for (const field of ['dependencies', 'devDependencies'] as const) {
        expect(recorded[dir]![field] ?? {}, `${dir} ${field}`).toEqual(own[field] ?? {});
      }
    }
  });

  it('is supported by every installed dependency that declares the versions it supports', () => {
    const version: Version = [Number(claim![1]), Number(claim![2]), 0];
    const refusing = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && !entry.optional && typeof entry.engines === 'object' && entry.engines && 'node' in entry.engines)
      .map(([path, entry]) => [path, (entry.engines as { node: string }).node] as const)
      .filter(([, range]) => !satisfies(version, range));
    expect(refusing).toEqual([]);
  });

  it('reads ranges as npm does', () => {
    expect(satisfies([22, 13, 0], '^20.19.0 || ^22.13.0 || >=24')).toBe(true);
    expect(satisfies([22, 12, 0], '^20.19.0 || ^22.13.0 || >=24')).toBe(false);
    expect(satisfies([20, 19, 0], '>=22.0.0')).toBe(false);
    expect(satisfies([22, 13, 0], '18 || 20 || >=22')).toBe(true);
    expect(satisfies([21, 0, 0], '18 || 20 || >=22')).toBe(false);
    expect(satisfies([22, 13, 0], '>= 12.22.0')).toBe(true);
    expect(satisfies([22, 13, 0], '*')).toBe(true);
    expect(satisfies([22, 13, 0], '>=14 <23')).toBe(true);
    expect(satisfies([23, 0, 0], '>=14 <23')).toBe(false);
  });
});
