import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { ActAs, Database, JwtClaims, QueryResult, Row, ScriptStep, Sql, UserRole } from './types.ts';

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
  await sql.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [role, claims ? JSON.stringify(claims) : '']);
}

/**
 * A string as an SQL literal, safe whatever `standard_conforming_strings` says: an E'' string with quotes
 * and backslashes escaped (as node-postgres's escapeLiteral does). NUL cannot occur in Postgres text.
 */
export function sqlLiteral(text: string): string {
  if (text.includes('\0')) throw new Error('SQL text cannot contain NUL characters');
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * A JSON value as an SQL expression of type jsonb for an inlined script statement: the text travels base64-encoded,
 * so nothing in it (quotes, backslashes, ';') can end the literal or the statement.
 */
export function jsonLiteral(value: unknown): string {
  return `convert_from(decode('${Buffer.from(JSON.stringify(value) ?? 'null', 'utf8').toString('base64')}', 'base64'), 'UTF8')::jsonb`;
}

const userRoles: readonly UserRole[] = ['authenticated', 'tieout_document_writer'];

/** The role of a user step, checked against the fixed list (it is inlined into SQL). */
function userRole(role: UserRole | undefined): UserRole {
  const chosen = role ?? 'authenticated';
  if (!userRoles.includes(chosen)) throw new Error(`Not a role for a signed-in user's statements: ${String(chosen)}`);
  return chosen;
}

/** The body of a `scriptAsUsers` transaction (without begin/commit): each step's switch, then its statement. */
function scriptBody(steps: ScriptStep[]): string {
  return steps
    .map((step) => {
      const lock =
        step.sharedAdvisoryLock === undefined ? '' : `, pg_advisory_xact_lock_shared(hashtextextended(${sqlLiteral(step.sharedAdvisoryLock)}, 0))`;
      const statement = step.statement.trim().replace(/;+$/, '');
      if (statement.includes(';')) throw new Error('A script step is one statement');
      return `select set_config('role', '${userRole(step.role)}', true), set_config('request.jwt.claims', ${sqlLiteral(JSON.stringify(step.claims))}, true)${lock};\n${statement};`;
    })
    .join('\n');
}

/** The body of a `scriptAsService` transaction (without begin/commit): one switch to service_role, then the statements. */
function serviceScriptBody(statements: readonly string[]): string {
  const body = statements.map((text) => {
    const statement = text.trim().replace(/;+$/, '');
    if (statement.includes(';')) throw new Error('A script statement is one statement');
    return `${statement};`;
  });
  return [`select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true);`, ...body].join('\n');
}

/** The results of a service script body after its switch. */
function serviceRows(results: { rows: Row[] }[], statements: number): Row[][] {
  if (results.length !== statements + 1) throw new Error(`A script of ${statements} statements returned ${results.length} results`);
  return results.slice(1).map((result) => result.rows);
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
          const role = userRole(options.role);
          await sql.query(
            `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)` +
              (lock === undefined ? '' : `, pg_advisory_xact_lock_shared(hashtextextended($3, 0))`),
            lock === undefined ? [role, JSON.stringify(claims)] : [role, JSON.stringify(claims), lock],
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
  // And neither may any other client, checked out or destroyed: every client keeps a listener for its whole life.
  // pg-pool listens only to idle clients, and a server's FATAL message (57P01 when an administrator or a failover
  // terminates the backend) can arrive while a client is checked out, or after release(error) destroyed it; with no
  // listener that is an uncaught 'error' event. The failing query rejects on its own (outage.test.ts once failed in
  // CI on pool.query's window without one).
  pool.on('connect', (client) => client.on('error', () => {}));
  const transaction = async <T>(work: (sql: Sql) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    const sql: Sql = {
      query: async <R extends Row>(text: string, params?: readonly unknown[]) =>
        (await client.query(text, params as unknown[])) as unknown as QueryResult<R>,
    };
    try {
      await client.query('begin');
      const result = await work(sql);
      await client.query('commit');
      client.release();
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      // A broken client is destroyed by release(error) and leaves the pool.
      client.release(isConnectionError(error) ? (error as Error) : undefined);
      throw error;
    }
  };
  /** A script body as one transaction in one simple-protocol query; the results of its statements (begin and commit left out). */
  const script = async (body: string): Promise<{ rows: Row[] }[]> => {
    const client = await pool.connect();
    try {
      // Postgres runs the statements in order and stops at the first error.
      const results = (await client.query(`begin;\n${body}\ncommit;`)) as unknown as { rows: Row[] }[];
      client.release();
      return results.slice(1, -1);
    } catch (error) {
      await client.query('rollback').catch(() => {});
      client.release(isConnectionError(error) ? (error as Error) : undefined);
      throw error;
    }
  };
  const listener = postgresListener(url);
  return {
    kind: 'postgres',
    ...roleApi(transaction),
    async scriptAsUsers(steps) {
      if (steps.length === 0) return [];
      return stepRows(await script(scriptBody(steps)), steps.length);
    },
    async scriptAsService(statements) {
      if (statements.length === 0) return [];
      return serviceRows(await script(serviceScriptBody(statements)), statements.length);
    },
    async execScript(script) {
      await pool.query(script);
    },
    async ownerQuery<R extends Row>(text: string, params?: readonly unknown[]) {
      return (await pool.query(text, params as unknown[])) as unknown as QueryResult<R>;
    },
    listen: listener.listen,
    async withExclusiveLock(name, work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(`select pg_advisory_lock(hashtextextended($1, 0))`, [name]);
        try {
          return await work();
        } finally {
          await client.query(`select pg_advisory_unlock(hashtextextended($1, 0))`, [name]).catch((error: Error) => (broken = error));
        }
      } catch (error) {
        if (isConnectionError(error)) broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  // PGlite creates only the last directory of the path: on a fresh clone `.data/` does not exist yet.
  if (!/^[a-z]+:\/\//.test(dataDir)) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, { parsers: { [DATE_OID]: (value: string) => value } });
  let lockQueue: Promise<void> = Promise.resolve();
  // PGlite has one session: transactions are serialised by PGlite's own transaction lock.
  const transaction = <T>(work: (sql: Sql) => Promise<T>): Promise<T> =>
    db.transaction(async (tx) =>
      work({
        query: async <R extends Row>(text: string, params?: readonly unknown[]) => (await tx.query<R>(text, params as unknown[])) as QueryResult<R>,
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
    async scriptAsService(statements) {
      if (statements.length === 0) return [];
      const body = serviceScriptBody(statements);
      return db.transaction(async (tx) => serviceRows((await tx.exec(body)) as { rows: Row[] }[], statements.length));
    },
    async execScript(script) {
      await db.exec(script);
    },
    async ownerQuery<R extends Row>(text: string, params?: readonly unknown[]) {
      return (await db.query<R>(text, params as unknown[])) as QueryResult<R>;
    },
    withExclusiveLock(_name, work) {
      const turn = lockQueue.then(work);
      lockQueue = turn.then(
        () => undefined,
        () => undefined,
      );
      return turn;
    },
    async listen(channel, onPayload) {
      const unlisten = await db.listen(checkedChannel(channel), (payload) => deliver(onPayload, payload));
      return async () => {
        await unlisten().catch(() => {});
      };
    },
    async close() {
      await db.close();
    },
  };
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

function checkedChannel(channel: string): string {
  if (!CHANNEL.test(channel)) throw new Error(`Not a channel name: ${channel}`);
  return channel;
}

/** A listener's exception must not stop the others or the connection that feeds them. */
function deliver(callback: (payload: string) => void, payload: string): void {
  try {
    callback(payload);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

interface Subscription {
  channel: string;
  onPayload: (payload: string) => void;
  onGap: (() => void) | undefined;
}

/**
 * LISTEN on Postgres: one dedicated connection (pooled connections cannot hold a LISTEN), opened with the first
 * subscription, reopened with backoff when it drops; subscribers hear of the reopening through onGap.
 */
function postgresListener(url: string) {
  const subscriptions = new Set<Subscription>();
  let client: pg.Client | null = null;
  let opening: Promise<pg.Client> | null = null;
  let retry: NodeJS.Timeout | null = null;
  let closed = false;
  const channels = () => new Set([...subscriptions].map((subscription) => subscription.channel));

  async function open(afterDrop: boolean): Promise<pg.Client> {
    const next = new pg.Client({ connectionString: url });
    next.on('error', () => {});
    next.on('notification', (message) => {
      for (const subscription of subscriptions) {
        if (subscription.channel === message.channel) deliver(subscription.onPayload, message.payload ?? '');
      }
    });
    next.on('end', () => {
      if (client !== next) return;
      client = null;
      reopenLater(250);
    });
    await next.connect();
    for (const channel of channels()) await next.query(`listen ${channel}`);
    if (closed) {
      await next.end().catch(() => {});
      throw new Error('The database is closed');
    }
    client = next;
    if (afterDrop) for (const subscription of subscriptions) if (subscription.onGap) deliver(subscription.onGap, '');
    return next;
  }

  function reopenLater(delayMs: number): void {
    if (closed || retry || subscriptions.size === 0) return;
    retry = setTimeout(() => {
      retry = null;
      opening ??= open(true).finally(() => (opening = null));
      opening.catch(() => reopenLater(Math.min(delayMs * 2, 5000)));
    }, delayMs);
    retry.unref();
  }

  return {
    async listen(channel: string, onPayload: (payload: string) => void, onGap?: () => void): Promise<() => Promise<void>> {
      checkedChannel(channel);
      if (closed) throw new Error('The database is closed');
      const subscription: Subscription = { channel, onPayload, onGap };
      const known = channels().has(channel);
      subscriptions.add(subscription);
      try {
        if (client) {
          if (!known) await client.query(`listen ${channel}`);
        } else {
          opening ??= open(false).finally(() => (opening = null));
          await opening;
        }
      } catch (error) {
        subscriptions.delete(subscription);
        throw error;
      }
      return async () => {
        if (!subscriptions.delete(subscription)) return;
        if (channels().has(channel)) return;
        if (subscriptions.size === 0) {
          const last = client;
          client = null;
          await last?.end().catch(() => {});
        } else {
          await client?.query(`unlisten ${channel}`).catch(() => {});
        }
      };
    },
    async close(): Promise<void> {
      closed = true;
      if (retry) clearTimeout(retry);
      subscriptions.clear();
      const last = client;
      client = null;
      await last?.end().catch(() => {});
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

/** Whether the database answers at all (a readiness probe): a trivial query as the connection owner; never throws. */
export async function databaseReachable(db: Pick<Database, 'ownerQuery'>): Promise<boolean> {
  return db.ownerQuery('select 1').then(
    () => true,
    () => false,
  );
}
