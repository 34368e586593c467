import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../src/index.ts';

export interface FreshDatabase {
  db: Database;
  /** Closes the database and, on Postgres, drops it. */
  dispose(): Promise<void>;
}

/**
 * An empty database of its own: in-memory PGlite, or (when DATABASE_URL is set) a uniquely named Postgres
 * database created next to DATABASE_URL's, so parallel test runs never share state.
 */
export async function freshDatabase(label: string): Promise<FreshDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openDatabase();
    return { db, dispose: () => db.close() };
  }
  const name = `tieout_${label}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openDatabase({ url: target.toString(), poolSize: 4 });
  return {
    db,
    async dispose() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      try {
        await cleanup.query(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
