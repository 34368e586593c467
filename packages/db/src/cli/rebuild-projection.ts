/* eslint-disable no-console -- a command-line tool: its output is for the person who ran it, not a log */
import { openDatabase, rebuildProjection } from '../index.ts';

const db = await openDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.PGLITE_DATA_DIR ?? '.data/pglite' });
try {
  const result = await rebuildProjection(db);
  console.log(
    `rebuilt the projection of ${result.checklists} checklist(s): ${result.inserted} inserted, ` +
      `${result.updated} updated, ${result.deleted} deleted, ${result.unchanged} unchanged`,
  );
  for (const failure of result.failures) console.error(`failed: checklist ${failure.checklistId}: ${failure.error}`);
  if (result.failures.length) process.exitCode = 1;
} finally {
  await db.close();
}
