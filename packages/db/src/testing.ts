import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from './database.ts';
import type { MemberRole } from './roles.ts';
import { defaultSupabaseDir, migrate } from './migrate.ts';
import type { Database, JwtClaims } from './types.ts';
// The demo seed's fixed identities are test and tooling data: the runtime entry (`@tieout/db`) does not export them.
export * from './demo.ts';
export { otherDeal, otherWorkstream, otherChecklist, builtInTemplateIds, SEED_TODAY } from './seed/fixtures.ts';
export { buildSeedData } from './seed/build.ts';

/** Storage of its own for a test: what another process needs to use it, and how to drop it. */
export interface ScratchStorage {
  /** The connection string of the scratch Postgres database; null on PGlite. */
  url: string | null;
  /** The PGlite data directory (`persistent: true` on PGlite); null in memory and on Postgres. */
  dataDir: string | null;
  /** The environment that points another process at this database: DATABASE_URL, or PGLITE_DATA_DIR. */
  env: Record<string, string>;
  /**
   * Another connection to the same storage, closed by `dispose` (a restart, or a second process's view).
   * PGlite on disk has one owner at a time: close the other connections first. Not possible in memory.
   */
  open(options?: { poolSize?: number }): Promise<Database>;
  /** Closes every connection it opened and drops the storage (the Postgres database, the PGlite directory). */
  dispose(): Promise<void>;
}

export interface ScratchDatabase extends ScratchStorage {
  /** An open connection to the scratch database. */
  db: Database;
}

export interface ScratchDatabaseOptions {
  /** Part of the Postgres database's (or PGlite directory's) name, so leftovers can be told apart. */
  label: string;
  /** Apply supabase/migrations (default: true). */
  migrate?: boolean;
  /** Then apply supabase/seed.sql (default: false). */
  seed?: boolean;
  /** On PGlite: a data directory instead of memory, so it can be reopened or handed to another process. */
  persistent?: boolean;
  /** Open `db` (default: true); false for storage that another process (the app, a server) will open. */
  connect?: boolean;
  /** Postgres pool size of `db` (default: 4). */
  poolSize?: number;
}

/**
 * A database of its own for one test file: PGlite (in memory, or in a new directory with `persistent`), or, when
 * DATABASE_URL is set, a uniquely named database on that server, created here and dropped by `dispose`, so
 * parallel test runs never share state. The one way tests get a database.
 */
export async function openScratchDatabase(options: ScratchDatabaseOptions & { connect: false }): Promise<ScratchStorage>;
export async function openScratchDatabase(options: ScratchDatabaseOptions): Promise<ScratchDatabase>;
export async function openScratchDatabase(options: ScratchDatabaseOptions): Promise<ScratchStorage & { db: Database | null }> {
  const shouldMigrate = options.migrate ?? true;
  const seed = options.seed ?? false;
  const connect = options.connect ?? true;
  const opened: Database[] = [];
  const prepare = async (db: Database) => {
    if (shouldMigrate) await migrate(db, { seedIfFresh: seed });
  };
  const closeOpened = () => Promise.allSettled(opened.splice(0).map((db) => db.close()));
  const serverUrl = process.env.DATABASE_URL;

  if (!serverUrl && !options.persistent) {
    if (!connect) throw new Error('An in-memory scratch database exists only while connected: use { persistent: true }');
    const db = await openDatabase();
    try {
      await prepare(db);
    } catch (error) {
      await db.close();
      throw error;
    }
    return {
      db,
      url: null,
      dataDir: null,
      env: {},
      open: () => Promise.reject(new Error('An in-memory scratch database cannot be opened twice: use { persistent: true }')),
      dispose: () => db.close(),
    };
  }

  if (!serverUrl) {
    const dataDir = mkdtempSync(join(tmpdir(), `tieout-${safeName(options.label)}-`));
    if (shouldMigrate && !seed) cpSync(await migratedPgliteTemplate(), dataDir, { recursive: true });
    const open = async () => {
      const db = await openDatabase({ dataDir });
      opened.push(db);
      return db;
    };
    const dispose = async () => {
      await closeOpened();
      rmSync(dataDir, { recursive: true, force: true });
    };
    let db: Database | null = null;
    try {
      if (seed || connect) db = await open();
      if (seed && db) await prepare(db);
      if (!connect && db) await closeOpened();
    } catch (error) {
      await dispose();
      throw error;
    }
    return { db: connect ? db : null, url: null, dataDir, env: { PGLITE_DATA_DIR: dataDir }, open, dispose };
  }

  const name = safeName(`tieout_${options.label}_${process.pid}_${randomBytes(4).toString('hex')}`);
  const admin = await openDatabase({ url: serverUrl, poolSize: 1 });
  await admin.ownerQuery(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const open = async (openOptions: { poolSize?: number } = {}) => {
    const db = await openDatabase({ url: url.toString(), poolSize: openOptions.poolSize ?? options.poolSize ?? 4 });
    opened.push(db);
    return db;
  };
  const dispose = async () => {
    await closeOpened();
    await admin.ownerQuery(`drop database if exists "${name}" with (force)`);
    await admin.close();
  };
  try {
    const db = await open();
    await prepare(db);
    if (!connect) await closeOpened();
    return { db: connect ? db : null, url: url.toString(), dataDir: null, env: { DATABASE_URL: url.toString() }, open, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

const safeName = (name: string) => name.toLowerCase().replace(/[^a-z0-9_]/g, '_');

/**
 * A migrated, empty PGlite directory to copy: creating a PGlite cluster on disk and migrating it takes seconds,
 * copying one a fraction of a second. Keyed by the schema's content, so a changed migration makes a new template.
 */
async function migratedPgliteTemplate(): Promise<string> {
  const hash = createHash('sha256');
  const migrations = join(defaultSupabaseDir, 'migrations');
  for (const file of readdirSync(migrations).sort()) hash.update(file).update(readFileSync(join(migrations, file)));
  hash.update(readFileSync(fileURLToPath(new URL('../sql/supabase-bootstrap.sql', import.meta.url))));
  const template = join(tmpdir(), `tieout-pglite-template-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(template)) return template;
  const building = mkdtempSync(`${template}-building-`);
  const db = await openDatabase({ dataDir: building });
  try {
    await migrate(db, { seedIfFresh: false });
  } finally {
    await db.close();
  }
  try {
    renameSync(building, template);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another run made it first
  }
  return template;
}

export type FixtureUser = { id: string; email: string; claims: JwtClaims };

/** The claims of a signed-in user's access token, as PostgREST would see them. */
export function userClaims(user: { id: string; email: string }): JwtClaims {
  return { sub: user.id, role: 'authenticated', email: user.email };
}

export interface ChecklistFixture {
  workspaceId: string;
  checklistId: string;
  users: Record<MemberRole | 'outsider', FixtureUser>;
}

/** A workspace with one member of each role, an outsider, a deal, a workstream and a checklist. */
export async function createChecklistFixture(db: Database): Promise<ChecklistFixture> {
  const ids = { workspace: randomUUID(), deal: randomUUID(), workstream: randomUUID(), checklist: randomUUID() };
  const names = ['owner', 'editor', 'reviewer', 'viewer', 'outsider'] as const;
  const users = Object.fromEntries(
    names.map((name) => {
      const id = randomUUID();
      const email = `${name}-${id.slice(0, 8)}@fixture.test`;
      return [name, { id, email, claims: userClaims({ id, email }) }];
    }),
  ) as ChecklistFixture['users'];
  // auth.users belongs to the auth service (the connection's owner), not to service_role.
  for (const user of Object.values(users)) {
    await db.ownerQuery(`insert into auth.users (id, email) values ($1, $2)`, [user.id, user.email]);
  }
  await db.asService(async (sql) => {
    await sql.query(`insert into public.workspaces (id, name, created_by) values ($1, 'Fixture workspace', null)`, [ids.workspace]);
    for (const role of ['owner', 'editor', 'reviewer', 'viewer'] as const) {
      await sql.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)`, [
        ids.workspace,
        users[role].id,
        role,
      ]);
    }
    await sql.query(`insert into public.deals (id, workspace_id, name, created_by) values ($1, $2, 'Deal', null)`, [ids.deal, ids.workspace]);
    await sql.query(`insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'site_retrofits', 'Sites')`, [
      ids.workstream,
      ids.workspace,
      ids.deal,
    ]);
    await sql.query(
      `insert into public.checklists (id, workspace_id, deal_id, workstream_id, title, created_by) values ($1, $2, $3, $4, 'Checklist', null)`,
      [ids.checklist, ids.workspace, ids.deal, ids.workstream],
    );
  });
  return { workspaceId: ids.workspace, checklistId: ids.checklist, users };
}

/** The distinct authors of a checklist's update log, sorted (read as the service role). */
export async function documentAuthors(db: Database, checklistId: string): Promise<string[]> {
  const { rows } = await db.asService((sql) =>
    sql.query<{ user_id: string }>(`select distinct user_id from public.document_updates where checklist_id = $1`, [checklistId]),
  );
  return rows.map((row) => row.user_id).sort();
}
