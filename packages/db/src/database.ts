import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { ActAs, Database, JwtClaims, QueryResult, Row, ScriptStep, Sql } from './types.ts';

type Role = 'authenticated' | 'anon' | 'service_role';

export interface OpenDatabaseOptions {
  /** A Postgres connection string. Without it, an embedded PGlite database is used. */
  url?: string;
  /** Where PGlite keeps its files; `memory://` for a throwaway database. */
  dataDir?: string;
  /** Connections in the pool (Postgres only). */
  poolSize?: number;
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10);
  return openPglite(options.dataDir ?? 'memory://');
}

async function switchRole(sql: Sql, role: Role, claims: Record<string, unknown> | null): Promise<void> {
  await sql.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
    role,
    claims ? JSON.stringify(claims) : '',
  ]);
}

/**
 * A string as an SQL literal, safe whatever `standard_conforming_strings` says: an E'' string with quotes
 * and backslashes escaped (as node-postgres's escapeLiteral does). NUL cannot occur in Postgres text.
 */
export function sqlLiteral(text: string): string {
  if (text.includes('\0')) throw new Error('SQL text cannot contain NUL characters');
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** The body of a `scriptAsUsers` transaction (without begin/commit): each step's switch, then its statement. */
function scriptBody(steps: ScriptStep[]): string {
  return steps
    .map((step) => {
      const lock = step.sharedAdvisoryLock === undefined ? '' : `, pg_advisory_xact_lock_shared(hashtextextended(${sqlLiteral(step.sharedAdvisoryLock)}, 0))`;
      const statement = step.statement.trim().replace(/;+$/, '');
      if (statement.includes(';')) throw new Error('A script step is one statement');
      return `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${sqlLiteral(JSON.stringify(step.claims))}, true)${lock};\n${statement};`;
    })
    .join('\n');
}

/** Every second result of a script body is a step's statement (the others are its switch). */
function stepRows(results: { rows: Row[] }[], steps: number): Row[][] {
  if (results.length !== steps * 2) throw new Error(`A script of ${steps} steps returned ${results.length} results`);
  return Array.from({ length: steps }, (_, index) => results[index * 2 + 1]!.rows);
}

function roleApi(transaction: <T>(work: (sql: Sql) => Promise<T>) => Promise<T>) {
  const as =
    (role: Role) =>
    <T>(claims: Record<string, unknown> | null, work: (sql: Sql) => Promise<T>) =>
      transaction(async (sql) => {
        await switchRole(sql, role, claims);
        return work(sql);
      });
  return {
    asUser: <T>(claims: JwtClaims, work: (sql: Sql) => Promise<T>) => as('authenticated')(claims, work),
    asUsers: <T>(work: (actAs: ActAs) => Promise<T>) =>
      transaction((sql) => {
        let current = 0;
        const actAs: ActAs = async (claims, options = {}) => {
          const switched = ++current;
          const lock = options.sharedAdvisoryLock;
          await sql.query(
            `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)` +
              (lock === undefined ? '' : `, pg_advisory_xact_lock_shared(hashtextextended($2, 0))`),
            lock === undefined ? [JSON.stringify(claims)] : [JSON.stringify(claims), lock],
          );
          return {
            query: <R extends Row>(text: string, params?: readonly unknown[]) =>
              switched === current
                ? sql.query<R>(text, params)
                : Promise.reject(new Error('This Sql belongs to an earlier user of the transaction: use the one the latest actAs returned')),
          };
        };
        return work(actAs);
      }),
    asAnon: <T>(work: (sql: Sql) => Promise<T>) => as('anon')(null, work),
    asService: <T>(work: (sql: Sql) => Promise<T>) =>
      // No `sub`: auth.uid() is null for the service role, as under PostgREST with the service key.
      as('service_role')({ role: 'service_role' }, work),
  };
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max, types: { getTypeParser: postgresTypeParser } });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const transaction = async <T>(work: (sql: Sql) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    // A checked-out client has no pool error listener: a server restart mid-transaction would otherwise
    // be an uncaught 'error' event. The failing query rejects on its own.
    const ignoreError = () => {};
    client.on('error', ignoreError);
    const sql: Sql = {
      query: async <R extends Row>(text: string, params?: readonly unknown[]) =>
        (await client.query(text, params as unknown[])) as unknown as QueryResult<R>,
    };
    try {
      await client.query('begin');
      const result = await work(sql);
      await client.query('commit');
      client.off('error', ignoreError);
      client.release();
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      client.off('error', ignoreError);
      client.release(isConnectionError(error) ? (error as Error) : undefined);
      throw error;
    }
  };
  return {
    kind: 'postgres',
    ...roleApi(transaction),
    async scriptAsUsers(steps) {
      if (steps.length === 0) return [];
      const body = scriptBody(steps);
      const client = await pool.connect();
      const ignoreError = () => {};
      client.on('error', ignoreError);
      try {
        // One simple-protocol query: Postgres runs the statements in order and stops at the first error.
        const results = (await client.query(`begin;\n${body}\ncommit;`)) as unknown as { rows: Row[] }[];
        client.off('error', ignoreError);
        client.release();
        // begin and commit frame the steps' results.
        return stepRows(results.slice(1, -1), steps.length);
      } catch (error) {
        await client.query('rollback').catch(() => {});
        client.off('error', ignoreError);
        client.release(isConnectionError(error) ? (error as Error) : undefined);
        throw error;
      }
    },
    async execScript(script) {
      await pool.query(script);
    },
    async ownerQuery<R extends Row>(text: string, params?: readonly unknown[]) {
      return (await pool.query(text, params as unknown[])) as unknown as QueryResult<R>;
    },
    async close() {
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  // PGlite creates only the last directory of the path: on a fresh clone `.data/` does not exist yet.
  if (!/^[a-z]+:\/\//.test(dataDir)) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, { parsers: { [DATE_OID]: (value: string) => value } });
  // PGlite has one session: transactions are serialised by PGlite's own transaction lock.
  const transaction = <T>(work: (sql: Sql) => Promise<T>): Promise<T> =>
    db.transaction(async (tx) =>
      work({
        query: async <R extends Row>(text: string, params?: readonly unknown[]) =>
          (await tx.query<R>(text, params as unknown[])) as QueryResult<R>,
      }),
    );
  return {
    kind: 'pglite',
    ...roleApi(transaction),
    async scriptAsUsers(steps) {
      if (steps.length === 0) return [];
      const body = scriptBody(steps);
      // In-process: no round trips to save, but the same script runs, so both engines behave alike.
      return db.transaction(async (tx) => stepRows((await tx.exec(body)) as { rows: Row[] }[], steps.length));
    },
    async execScript(script) {
      await db.exec(script);
    },
    async ownerQuery<R extends Row>(text: string, params?: readonly unknown[]) {
      return (await db.query<R>(text, params as unknown[])) as QueryResult<R>;
    },
    async close() {
      await db.close();
    },
  };
}

const INT8_OID = 20;
const DATE_OID = 1082;

/** Values come back the same from both engines: bigints as numbers when safe, dates as 'YYYY-MM-DD'. */
function postgresTypeParser(oid: number, format?: string) {
  if (oid === INT8_OID) {
    return (value: string) => {
      const big = BigInt(value);
      return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
    };
  }
  if (oid === DATE_OID) return (value: string) => value;
  return pg.types.getTypeParser(oid, format as 'text');
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? '';
  return code.startsWith('08') || code === '57P01' || code === 'ECONNREFUSED' || code === 'ECONNRESET';
}
