import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'test' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe('decision 011, the complete list of service-role uses', () => {
  it('names every source file that runs as service_role (db.asService)', () => {
    const record = readFileSync(join(root, 'docs/decisions/011-service-role-uses.md'), 'utf8');
    const packages = readdirSync(join(root, 'packages')).map((name) => `packages/${name}/src`);
    const callers = ['app/app', 'app/server', 'server/src', ...packages]
      .flatMap(sourceFiles)
      .filter((path) => /\.asService\(/.test(readFileSync(join(root, path), 'utf8')))
      .map((path) => relative(root, join(root, path)))
      // The Database implementation itself and its type.
      .filter((path) => !['packages/db/src/database.ts', 'packages/db/src/types.ts'].includes(path));
    expect(callers.length).toBeGreaterThan(5);
    expect(callers.filter((path) => !record.includes(`\`${path}\``) && !record.includes(`\`${path} `))).toEqual([]);
  });
});
