import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './types.ts';

export const defaultSupabaseDir = fileURLToPath(new URL('../../../supabase', import.meta.url));
const bootstrapFile = fileURLToPath(new URL('../sql/supabase-bootstrap.sql', import.meta.url));

export interface MigrateOptions {
  supabaseDir?: string;
  /** Apply supabase/seed.sql when the database was empty before this run (as `supabase db reset` does). */
  seedIfFresh?: boolean;
}

export interface MigrateResult {
  applied: string[];
  bootstrapped: boolean;
  seeded: boolean;
}

const MIGRATION_LOCK = 'tieout:migrate';

/**
 * Brings a database up to date with supabase/migrations. Safe to run again: applied versions are skipped.
 * Holds a database-wide lock meanwhile, so the app and several collaboration servers starting at once apply
 * each migration once, one after the other.
 */
export function migrate(db: Database, options: MigrateOptions = {}): Promise<MigrateResult> {
  return db.withExclusiveLock(MIGRATION_LOCK, () => migrateLocked(db, options));
}

async function migrateLocked(db: Database, options: MigrateOptions): Promise<MigrateResult> {
  const dir = options.supabaseDir ?? process.env.SUPABASE_DIR ?? defaultSupabaseDir;
  const { rows: authRows } = await db.ownerQuery<{ present: boolean }>(`select to_regclass('auth.users') is not null as present`);
  const hasAuth = authRows[0]?.present === true;
  if (!hasAuth) await db.execScript(await readFile(bootstrapFile, 'utf8'));
  await db.execScript(`
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (version text primary key, statements text[], name text);
  `);
  const { rows: versionRows } = await db.ownerQuery<{ version: string }>(`select version from supabase_migrations.schema_migrations`);
  const applied = new Set(versionRows.map((row) => row.version));
  const fresh = applied.size === 0;
  const files = (await readdir(join(dir, 'migrations'))).filter((name) => /^\d+_.+\.sql$/.test(name)).sort();
  const newlyApplied: string[] = [];
  for (const file of files) {
    const [version, ...rest] = file.replace(/\.sql$/, '').split('_');
    if (!version || applied.has(version)) continue;
    const body = await readFile(join(dir, 'migrations', file), 'utf8');
    const quote = '$tieout_migration$';
    if (body.includes(quote)) throw new Error(`${file} must not contain ${quote}`);
    await db.execScript(
      `begin;\n${body}\n;insert into supabase_migrations.schema_migrations (version, name, statements) ` +
        `values ('${version}', '${rest.join('_').replace(/'/g, "''")}', array[${quote}${body}${quote}]);\ncommit;`,
    );
    newlyApplied.push(file);
  }
  let seeded = false;
  if (fresh && options.seedIfFresh) {
    await db.execScript(`begin;\n${await readFile(join(dir, 'seed.sql'), 'utf8')}\n;commit;`);
    seeded = true;
  }
  return { applied: newlyApplied, bootstrapped: !hasAuth, seeded };
}
