import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'build', 'test'].includes(entry.name) ? [] : sourceFiles(path);
    // Testing entries (`@tieout/server/testing`) are test support: lint keeps run-time code from importing them.
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && entry.name !== 'testing.ts' ? [path] : [];
  });
}

describe('SQL lives in packages/db', () => {
  it('the app and the collaboration server send no SQL of their own: they call @tieout/db', () => {
    const query = /\.query\s*(<|\()|ownerQuery\s*\(|execScript\s*\(/;
    const files = ['app/app', 'app/server', 'server/src'].flatMap(sourceFiles).concat('app/server.ts');
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((path) => query.test(readFileSync(join(root, path), 'utf8')))).toEqual([]);
  });
});
