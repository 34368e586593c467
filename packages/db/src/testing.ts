import { randomBytes, randomUUID } from 'node:crypto';
import { openDatabase } from './database.ts';
import type { MemberRole } from './roles.ts';
import { migrate } from './migrate.ts';
import type { Database, JwtClaims } from './types.ts';

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
    await sql.query(
      `insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'site_retrofits', 'Sites')`,
      [ids.workstream, ids.workspace, ids.deal],
    );
    await sql.query(
      `insert into public.checklists (id, workspace_id, deal_id, workstream_id, title, created_by) values ($1, $2, $3, $4, 'Checklist', null)`,
      [ids.checklist, ids.workspace, ids.deal, ids.workstream],
    );
  });
  return { workspaceId: ids.workspace, checklistId: ids.checklist, users };
}
