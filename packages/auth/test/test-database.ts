import { randomBytes } from 'node:crypto';
import { migrate, openDatabase, type Database } from '@tieout/db';

/**
 * A migrated, empty database: PGlite in memory, or, with DATABASE_URL, a uniquely named database on that
 * server (created here and dropped by `dispose`, so parallel runs never share state).
 */
export async function openTestDatabase(
  prefix: string,
  options: { seed?: boolean } = {}
): Promise<{ db: Database; dispose(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase();
    await migrate(db, { seedIfFresh: options.seed ?? false });
    return { db, dispose: () => db.close() };
  }
  const name = `${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ url: serverUrl, poolSize: 1 });
  await admin.ownerQuery(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize: 4 });
  try {
    await migrate(db, { seedIfFresh: options.seed ?? false });
  } catch (error) {
    await db.close();
    await admin.ownerQuery(`drop database if exists "${name}" with (force)`);
    await admin.close();
    throw error;
  }
  return {
    db,
    async dispose() {
      await db.close();
      await admin.ownerQuery(`drop database if exists "${name}" with (force)`);
      await admin.close();
    },
  };
}
