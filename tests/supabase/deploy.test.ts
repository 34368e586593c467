/**
 * `supabase/` must deploy to a hosted project as it is. A hosted project runs each migration file with psql-like
 * semantics and then seed.sql; here the same files go through the real `psql` (not our migration runner) into a
 * clean plain Postgres that has only what Supabase's Postgres already has (packages/db/sql/supabase-bootstrap.sql).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openScratchDatabase, type ScratchStorage } from '@tieout/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const serverUrl = process.env.DATABASE_URL;
const supabaseDir = fileURLToPath(new URL('../../supabase', import.meta.url));
const bootstrap = fileURLToPath(new URL('../../packages/db/sql/supabase-bootstrap.sql', import.meta.url));

describe.skipIf(!serverUrl)('supabase/ on a clean Postgres with only the Supabase bootstrap', () => {
  let scratch: ScratchStorage;
  let url: string;

  beforeAll(async () => {
    // Empty: not even the bootstrap, which psql applies below.
    scratch = await openScratchDatabase({ label: 'deploy', migrate: false, connect: false });
    url = scratch.url!;
  });

  afterAll(async () => scratch?.dispose());

  const psql = (file: string) =>
    execFileSync('psql', ['--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-q', '-d', url, '-f', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('applies every migration in order, then the seed, with psql', async () => {
    psql(bootstrap);
    const migrations = readdirSync(join(supabaseDir, 'migrations'))
      .filter((file) => file.endsWith('.sql'))
      .sort();
    expect(migrations.length).toBeGreaterThan(0);
    for (const file of migrations) psql(join(supabaseDir, 'migrations', file));
    psql(join(supabaseDir, 'seed.sql'));

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const withoutRls = await client.query<{ table_name: string }>(
        `select c.relname as table_name from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity`,
      );
      expect(withoutRls.rows).toEqual([]);
      const deals = await client.query<{ name: string }>(`select name from public.deals order by name`);
      expect(deals.rows.map((row) => row.name)).toContain('CoreWeave / Core Scientific');
      const docs = await client.query<{ count: number }>(`select count(*)::int as count from public.document_snapshots`);
      expect(docs.rows[0]!.count).toBeGreaterThanOrEqual(3);
    } finally {
      await client.end();
    }
  });
});
