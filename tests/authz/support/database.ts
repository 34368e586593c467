import { randomBytes } from 'node:crypto';
import { migrate, openDatabase, type Database } from '@tieout/db';

/**
 * A migrated, empty database for one test file: PGlite in memory, or, when DATABASE_URL is set, a uniquely named
 * database created on DATABASE_URL's server and dropped by `dispose`.
 */
export async function openMigratedDatabase(label: string): Promise<{ db: Database; dispose(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase();
    await migrate(db);
    return { db, dispose: () => db.close() };
  }
  const name = `tieout_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
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
    await migrate(db);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { db, dispose };
}
