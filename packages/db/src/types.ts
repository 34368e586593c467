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

export interface Database {
  readonly kind: DatabaseKind;
  /** A transaction as a signed-in user: `set local role authenticated` and `request.jwt.claims`, as PostgREST does. */
  asUser<T>(claims: JwtClaims, work: (sql: Sql) => Promise<T>): Promise<T>;
  /** A transaction as an anonymous caller (role `anon`, no claims). */
  asAnon<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * A transaction as `service_role`, which bypasses RLS. Only for work no user is doing:
   * migrations, seeding, the projection writer, compaction, the embedded auth API (see docs/decisions).
   */
  asService<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** Runs a script of several statements as the connection's owner (migrations only). */
  execScript(script: string): Promise<void>;
  /** One query as the connection's owner, outside any role switch (migrations and health checks only). */
  ownerQuery<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  close(): Promise<void>;
}
