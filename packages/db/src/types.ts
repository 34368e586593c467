export type Row = Record<string, unknown>;

export interface QueryResult<T extends Row = Row> {
  rows: T[];
}

/** Runs SQL inside one transaction, already switched to the caller's role and claims. */
export interface Sql {
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

/** The claims of a Supabase access token, as PostgREST hands them to Postgres. */
export interface JwtClaims {
  sub: string;
  role: string;
  email?: string;
  aud?: string | string[];
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

export type DatabaseKind = 'pglite' | 'postgres';

/**
 * The database role a signed-in user's statements run as. `authenticated` is what PostgREST uses;
 * `tieout_document_writer` is `authenticated` plus INSERT on document_snapshots and document_updates, for the
 * collaboration server's writes of document bytes only (decision 101). RLS is keyed on auth.uid() for both.
 */
export type UserRole = 'authenticated' | 'tieout_document_writer';

export const DOCUMENT_WRITER_ROLE: UserRole = 'tieout_document_writer';

export interface ActAsOptions {
  /** The role to switch to (default `authenticated`). */
  role?: UserRole;
  /**
   * Also takes `pg_advisory_xact_lock_shared(hashtextextended(key, 0))`, in the same round trip as the switch
   * (the lock functions are granted to PUBLIC, so which role takes it does not matter).
   */
  sharedAdvisoryLock?: string;
}

/**
 * Switches the running transaction to a signed-in user exactly as `asUser` does (`role authenticated` and
 * `request.jwt.claims`, both transaction-local) and returns the Sql to run that user's statements with.
 * A Sql returned by an earlier switch refuses queries from then on, so no statement runs as the wrong user.
 */
export type ActAs = (claims: JwtClaims, options?: ActAsOptions) => Promise<Sql>;

/** One user's statement in `Database.scriptAsUsers`. */
export interface ScriptStep extends ActAsOptions {
  claims: JwtClaims;
  /** One SQL statement, with every value inlined as a literal, and no ';' anywhere in it (not even in a literal). */
  statement: string;
}

export interface Database {
  readonly kind: DatabaseKind;
  /** A transaction as a signed-in user: `set local role authenticated` and `request.jwt.claims`, as PostgREST does. */
  asUser<T>(claims: JwtClaims, work: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * One transaction acting for several signed-in users in turn (e.g. one write of every author's edits):
   * `work` gets `actAs`, and nothing can run before its first call. Each statement runs under RLS as the
   * user of the latest switch.
   */
  asUsers<T>(work: (actAs: ActAs) => Promise<T>): Promise<T>;
  /**
   * The same as `asUsers`, in ONE round trip: a single simple-protocol script `begin; <switch to user 1>;
   * <statement 1>; <switch to user 2>; <statement 2>; ...; commit`. Postgres plans each statement after the
   * previous one ran, so every statement still runs under RLS as its step's user. The statements are inlined
   * SQL: build them only from values made safe with `sqlLiteral` (or validated to a fixed alphabet).
   * Resolves to each step's rows; on any error the transaction is rolled back and the error is thrown
   * (without saying which step failed: use `asUsers` to find out).
   */
  scriptAsUsers(steps: ScriptStep[]): Promise<Row[][]>;
  /**
   * `asService` in ONE round trip: `begin; <switch to service_role>; <statement 1>; ...; commit` as one
   * simple-protocol script, resolving to each statement's rows. The statements are inlined SQL, one statement
   * each with no ';' anywhere (build them with `sqlLiteral` and `jsonLiteral`). On any error the transaction is
   * rolled back and the error is thrown.
   */
  scriptAsService(statements: readonly string[]): Promise<Row[][]>;
  /** A transaction as an anonymous caller (role `anon`, no claims). */
  asAnon<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * A transaction as `service_role`, which bypasses RLS. Only for work no user is doing:
   * migrations, seeding, the projection writer, compaction, the embedded auth API (see docs/decisions).
   */
  asService<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** Runs a script of several statements as the connection's owner (migrations only). */
  execScript(script: string): Promise<void>;
  /**
   * Runs `work` while holding a database-wide lock of this name (a session advisory lock on Postgres, held on
   * its own connection; in-process on PGlite, which one process at a time opens): two processes that start
   * at once run it one after the other (migrations).
   */
  withExclusiveLock<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** One query as the connection's owner, outside any role switch (migrations and health checks only). */
  ownerQuery<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /**
   * Hears `NOTIFY` on a channel (on Postgres through one dedicated connection per Database, reconnecting by
   * itself; on PGlite in-process). `onGap` is called after a reconnect: notifications sent while the
   * connection was down are lost, so a listener that must not miss one re-reads what it follows.
   * Resolves once listening; the returned function stops it.
   */
  listen(channel: string, onPayload: (payload: string) => void, onGap?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
