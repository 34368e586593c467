import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '@tieout/db';
import { openScratchDatabase, type ScratchStorage } from '@tieout/db/testing';
import * as Y from 'yjs';

/**
 * Storage the server processes of a fault test share (a scratch database: openScratchDatabase): a uniquely named
 * Postgres database on DATABASE_URL's server, or a PGlite data directory. PGlite has one owner at a time: `use` must only run while no server
 * process holds the directory.
 */
export interface FaultStorage {
  kind: 'postgres' | 'pglite';
  /** Environment that points a server process at this storage. */
  env: Record<string, string>;
  /** Opens the storage, runs `work`, closes it. */
  use<T>(work: (db: Database) => Promise<T>): Promise<T>;
  /** PGlite only: an independent copy of this directory as it is now (for a second single-process store). */
  clone(label: string): FaultStorage;
  drop(): Promise<void>;
}

export async function createFaultStorage(label: string): Promise<FaultStorage> {
  // Migrated, without a connection: the server processes open it (PGlite: one owner at a time).
  const scratch = await openScratchDatabase({ label: `faults_${label}`, persistent: true, connect: false });
  return fromScratch(scratch);
}

function fromScratch(scratch: ScratchStorage): FaultStorage {
  return {
    kind: scratch.url ? 'postgres' : 'pglite',
    env: scratch.env,
    async use(work) {
      const opened = await scratch.open({ poolSize: 2 });
      try {
        return await work(opened);
      } finally {
        await opened.close();
      }
    },
    clone(cloneLabel) {
      if (!scratch.dataDir) throw new Error('clone is for PGlite directories; Postgres databases are shared by every process');
      const dataDir = mkdtempSync(join(tmpdir(), `tieout-faults-${cloneLabel}-`));
      cpSync(scratch.dataDir, dataDir, { recursive: true });
      return fromScratch({
        url: null,
        dataDir,
        env: { PGLITE_DATA_DIR: dataDir },
        open: () => openDatabase({ dataDir }),
        dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
      });
    },
    drop: () => scratch.dispose(),
  };
}

/** What is stored for a checklist (latest snapshot, then the update log), loaded as the service role into a fresh doc. */
export async function loadStoredDoc(db: Database, checklistId: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  await db.asService(async (sql) => {
    const { rows: snapshots } = await sql.query<{ state: Uint8Array }>(`select state from public.document_snapshots where checklist_id = $1`, [
      checklistId,
    ]);
    const { rows: updates } = await sql.query<{ update: Uint8Array }>(
      `select update from public.document_updates where checklist_id = $1 order by id`,
      [checklistId],
    );
    for (const state of [...snapshots.map((row) => row.state), ...updates.map((row) => row.update)]) {
      Y.applyUpdate(doc, new Uint8Array(state));
    }
  });
  return doc;
}
