import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/index.ts';

describe('the embedded database', () => {
  const root = mkdtempSync(join(tmpdir(), 'tieout-open-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates its data directory, parents included, on first start', async () => {
    const db = await openDatabase({ dataDir: join(root, 'not', 'there', 'yet', 'pglite') });
    try {
      const { rows } = await db.ownerQuery<{ answer: number }>('select 42 as answer');
      expect(rows).toEqual([{ answer: 42 }]);
    } finally {
      await db.close();
    }
  });
});
