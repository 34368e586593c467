import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSupabaseDir, migrate, openDatabase, type Database } from '../src/index.ts';
import { openScratchDatabase, type ScratchDatabase } from '../src/testing.ts';

let scratch: ScratchDatabase;
let second: Database;

beforeAll(async () => {
  scratch = await openScratchDatabase({ label: 'migrate_lock', migrate: false });
  // A second process's view of the same database: its own connections on Postgres; PGlite is one process.
  second = scratch.url ? await openDatabase({ url: scratch.url, poolSize: 2 }) : scratch.db;
}, 120_000);
afterAll(async () => {
  if (second !== scratch.db) await second.close();
  await scratch.dispose();
}, 60_000);

describe('migrate', () => {
  it('applies every migration exactly once when two processes start at the same moment', async () => {
    const files = readdirSync(join(defaultSupabaseDir, 'migrations'))
      .filter((name) => /^\d+_.+\.sql$/.test(name))
      .sort();
    const [one, two] = await Promise.all([migrate(scratch.db), migrate(second)]);
    expect([...one.applied, ...two.applied].sort()).toEqual(files);
    // One of them did all the work while the other waited; the second found nothing left to do.
    expect([one.applied.length, two.applied.length].sort((a, b) => a - b)).toEqual([0, files.length]);
    const { rows } = await scratch.db.ownerQuery<{ count: number }>(`select count(*)::int as count from supabase_migrations.schema_migrations`);
    expect(rows[0]!.count).toBe(files.length);
  });

  it('releases the lock after a failed run, so the next one can proceed', async () => {
    await expect(second.withExclusiveLock('tieout:migrate', () => Promise.reject(new Error('failed midway')))).rejects.toThrow('failed midway');
    await expect(migrate(scratch.db)).resolves.toMatchObject({ applied: [] });
  });
});
