import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, openDatabase, type Database } from '@tieout/db';
import * as Y from 'yjs';

/**
 * Storage the server processes of a fault test share: a uniquely named Postgres database on DATABASE_URL's
 * server, or a PGlite data directory. PGlite has one owner at a time: `use` must only run while no server
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
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    return pgliteStorage(label, await migratedPgliteTemplate());
  }
  const name = `tieout_faults_${label}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = await openDatabase({ url: serverUrl, poolSize: 1 });
  await admin.ownerQuery(`create database ${name}`);
  await admin.close();
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  const url = target.toString();
  const db = await openDatabase({ url, poolSize: 2 });
  await migrate(db, { seedIfFresh: false });
  await db.close();
  return {
    kind: 'postgres',
    env: { DATABASE_URL: url },
    clone() {
      throw new Error('clone is for PGlite directories; Postgres databases are shared by every process');
    },
    async use(work) {
      const opened = await openDatabase({ url, poolSize: 2 });
      try {
        return await work(opened);
      } finally {
        await opened.close();
      }
    },
    async drop() {
      const cleanup = await openDatabase({ url: serverUrl, poolSize: 1 });
      try {
        await cleanup.ownerQuery(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.close();
      }
    },
  };
}

/** What is stored for a checklist (latest snapshot, then the update log), loaded as the service role into a fresh doc. */
export async function loadStoredDoc(db: Database, checklistId: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  await db.asService(async (sql) => {
    const { rows: snapshots } = await sql.query<{ state: Uint8Array }>(
      `select state from public.document_snapshots where checklist_id = $1`,
      [checklistId],
    );
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

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A migrated, empty PGlite directory to copy: creating a PGlite cluster takes ~12 s here, copying one
 * a fraction of a second. Keyed by the schema's content, so a changed migration makes a new template.
 */
async function migratedPgliteTemplate(): Promise<string> {
  const hash = createHash('sha256');
  const migrations = join(repoRoot, 'supabase/migrations');
  for (const file of readdirSync(migrations).sort()) hash.update(file).update(readFileSync(join(migrations, file)));
  hash.update(readFileSync(join(repoRoot, 'packages/db/sql/supabase-bootstrap.sql')));
  const template = join(tmpdir(), `tieout-faults-pglite-template-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(template)) return template;
  const building = mkdtempSync(`${template}-building-`);
  const db = await openDatabase({ dataDir: building });
  await migrate(db, { seedIfFresh: false });
  await db.close();
  try {
    renameSync(building, template);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another run made it first
  }
  return template;
}

function pgliteStorage(label: string, copyOf: string): FaultStorage {
  const dataDir = mkdtempSync(join(tmpdir(), `tieout-faults-${label}-`));
  cpSync(copyOf, dataDir, { recursive: true });
  return {
    kind: 'pglite',
    env: { PGLITE_DATA_DIR: dataDir },
    async use(work) {
      const opened = await openDatabase({ dataDir });
      try {
        return await work(opened);
      } finally {
        await opened.close();
      }
    },
    clone: (cloneLabel) => pgliteStorage(cloneLabel, dataDir),
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
