/* eslint-disable no-console -- a command-line tool: its output is for the person who ran it, not a log */
import { migrate, openDatabase } from '../index.ts';

const db = await openDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.PGLITE_DATA_DIR ?? '.data/pglite' });
try {
  const result = await migrate(db, { seedIfFresh: process.argv.includes('--seed') });
  console.log(
    `applied ${result.applied.length} migration(s)${result.applied.length ? `: ${result.applied.join(', ')}` : ''}` +
      `${result.bootstrapped ? ' (after the Supabase bootstrap)' : ''}${result.seeded ? '; seeded' : ''}`,
  );
} finally {
  await db.close();
}
