import { randomBytes } from 'node:crypto';
import { signAccessToken } from '@tieout/auth';
import { migrate, openDatabase, type Database } from '@tieout/db';
import pg from 'pg';

export const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/tieout_bench';
/** The benchmark signs its own tokens with a secret made for this run (passed to the servers it starts). */
export const BENCH_JWT_SECRET = randomBytes(32).toString('base64url');

/** Enough accounts that no user exceeds Tieout's 20 connections per user at 2,000 clients (plus helpers). */
const BENCH_USERS = 250;
export const benchWorkspaceId = 'bbbbbbbb-0000-4000-8000-000000000001';
const benchDealId = 'bbbbbbbb-0000-4000-8000-000000000002';
const benchWorkstreamId = 'bbbbbbbb-0000-4000-8000-000000000003';
const hex12 = (n: number) => n.toString(16).padStart(12, '0');
export const benchUserId = (n: number) => `bbbbbbbb-0001-4000-8000-${hex12(n)}`;
/** Document (checklist) `n` of the benchmark; every server under test uses the same names. */
export const benchDocName = (n: number) => `bbbbbbbb-0002-4000-8000-${hex12(n)}`;

export interface BenchFixtures {
  databaseUrl: string;
  /** An access token for the user that client `index` acts as (clients share the benchmark's editor accounts). */
  tokenFor(clientIndex: number): string;
  /** Empties every document store (Tieout's tables and Hocuspocus's table) so each run starts cold. */
  resetDocuments(): Promise<void>;
  query<T extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<T[]>;
  /** Committed transactions of the benchmark database, read from another database so the read does not count itself. */
  committedTransactions(): Promise<number>;
  close(): Promise<void>;
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unsupported benchmark database name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database ${name}`);
  } catch (error) {
    // Another run may have created it at the same moment.
    if (!/already exists/.test((error as Error).message)) throw error;
  } finally {
    await client.end();
  }
}

async function ensureTieoutRows(db: Database, docCount: number): Promise<void> {
  for (let n = 0; n < BENCH_USERS; n++) {
    await db.ownerQuery(
      `insert into auth.users (id, aud, role, email, raw_user_meta_data)
       values ($1, 'authenticated', 'authenticated', $2, $3) on conflict (id) do nothing`,
      [benchUserId(n), `bench-user-${n}@tieout.dev`, JSON.stringify({ display_name: `Bench user ${n}` })],
    );
  }
  await db.asService(async (sql) => {
    await sql.query(`insert into public.workspaces (id, name, created_by) values ($1, 'Benchmark workspace', $2) on conflict (id) do nothing`, [
      benchWorkspaceId,
      benchUserId(0),
    ]);
    for (let n = 0; n < BENCH_USERS; n++) {
      await sql.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3) on conflict do nothing`, [
        benchWorkspaceId,
        benchUserId(n),
        n === 0 ? 'owner' : 'editor',
      ]);
    }
    await sql.query(
      `insert into public.deals (id, workspace_id, name, buyer, target, created_by)
       values ($1, $2, 'CoreWeave / Core Scientific (benchmark)', 'CoreWeave', 'Core Scientific', $3) on conflict (id) do nothing`,
      [benchDealId, benchWorkspaceId, benchUserId(0)],
    );
    await sql.query(
      `insert into public.workstreams (id, workspace_id, deal_id, kind, name)
       values ($1, $2, $3, 'site_retrofits', 'Site retrofits') on conflict (id) do nothing`,
      [benchWorkstreamId, benchWorkspaceId, benchDealId],
    );
    await sql.query(
      `insert into public.checklists (id, workspace_id, deal_id, workstream_id, title, created_by)
       select ('bbbbbbbb-0002-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, $1, $2, $3, 'Benchmark checklist ' || n, $4
       from generate_series(0, $5::int - 1) as n
       on conflict (id) do nothing`,
      [benchWorkspaceId, benchDealId, benchWorkstreamId, benchUserId(0), docCount],
    );
  });
}

/** Creates (once) the benchmark database: Tieout's migrated schema with fixtures, and Hocuspocus's table. */
export async function prepareFixtures(options: { databaseUrl: string; docCount: number }): Promise<BenchFixtures> {
  await ensureDatabase(options.databaseUrl);
  const db = await openDatabase({ url: options.databaseUrl, poolSize: 2 });
  try {
    await migrate(db);
    await db.execScript(`
      create schema if not exists hocuspocus;
      create table if not exists hocuspocus.documents (
        name text primary key,
        data bytea not null,
        updated_at timestamptz not null default now()
      );`);
    await ensureTieoutRows(db, options.docCount);
  } finally {
    await db.close();
  }
  const tokens: string[] = [];
  for (let n = 0; n < BENCH_USERS; n++) {
    const { token } = await signAccessToken(
      { id: benchUserId(n), email: `bench-user-${n}@tieout.dev` },
      { jwtSecret: BENCH_JWT_SECRET, expiresInSeconds: 6 * 3600 },
    );
    tokens.push(token);
  }
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  pool.on('error', () => {});
  const adminUrl = new URL(options.databaseUrl);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Pool({ connectionString: adminUrl.toString(), max: 1 });
  admin.on('error', () => {});
  const benchDatabase = decodeURIComponent(new URL(options.databaseUrl).pathname.slice(1));
  const query = async <T extends pg.QueryResultRow>(text: string, params?: unknown[]) => (await pool.query<T>(text, params)).rows;
  return {
    databaseUrl: options.databaseUrl,
    tokenFor: (clientIndex) => tokens[clientIndex % BENCH_USERS]!,
    async resetDocuments() {
      const tables = await query<{ name: string }>(
        `select format('%I.%I', schemaname, relname) as name from pg_stat_user_tables
         where (schemaname = 'public' and relname in ('document_updates', 'document_snapshots', 'checklist_items'))
            or (schemaname = 'hocuspocus' and relname = 'documents')`,
      );
      if (tables.length) await query(`truncate ${tables.map((t) => t.name).join(', ')}`);
    },
    query,
    async committedTransactions() {
      const { rows } = await admin.query<{ xact_commit: string }>('select xact_commit from pg_stat_database where datname = $1', [benchDatabase]);
      return Number(rows[0]?.xact_commit ?? 0);
    },
    close: async () => {
      await pool.end();
      await admin.end();
    },
  };
}
