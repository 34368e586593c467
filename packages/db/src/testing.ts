import { randomBytes } from 'node:crypto';
import { openDatabase } from './database.ts';
import { migrate } from './migrate.ts';
import type { Database } from './types.ts';

export interface ScratchDatabase {
  db: Database;
  /** The connection string of the scratch Postgres database; null on PGlite. */
  url: string | null;
  /** Closes the database and, on Postgres, drops it. */
  dispose(): Promise<void>;
}

export interface ScratchDatabaseOptions {
  /** Part of the Postgres database's name, so leftovers can be told apart. */
  label: string;
  /** Apply supabase/migrations (default: true). */
  migrate?: boolean;
  /** Then apply supabase/seed.sql (default: false). */
  seed?: boolean;
}

/**
 * A database of its own for one test file: PGlite in memory, or, when DATABASE_URL is set, a uniquely named
 * database on that server, created here and dropped by `dispose`, so parallel test runs never share state.
 */
export async function openScratchDatabase(options: ScratchDatabaseOptions): Promise<ScratchDatabase> {
  const prepare = async (db: Database) => {
    if (options.migrate ?? true) await migrate(db, { seedIfFresh: options.seed ?? false });
  };
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase();
    try {
      await prepare(db);
    } catch (error) {
      await db.close();
      throw error;
    }
    return { db, url: null, dispose: () => db.close() };
  }
  const name = `tieout_${options.label}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = await openDatabase({ url: serverUrl, poolSize: 1 });
  await admin.ownerQuery(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize: 4 });
  const dispose = async () => {
    await db.close();
    await admin.ownerQuery(`drop database if exists "${name}" with (force)`);
    await admin.close();
  };
  try {
    await prepare(db);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { db, url: url.toString(), dispose };
}
