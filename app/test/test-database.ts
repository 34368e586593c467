import { randomBytes } from 'node:crypto';
import { migrate, openDatabase, type Database } from '@tieout/db';

/**
 * The demo database, migrated and seeded: PGlite in memory, or with DATABASE_URL a uniquely named database
 * on that server, created here and dropped by `dispose` so parallel runs never collide.
 */
export async function openSeededDatabase(): Promise<{ db: Database; dispose(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase();
    await migrate(db, { seedIfFresh: true });
    return { db, dispose: () => db.close() };
  }
  const name = `tieout_app_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
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
    await migrate(db, { seedIfFresh: true });
  } catch (error) {
    await dispose();
    throw error;
  }
  return { db, dispose };
}
