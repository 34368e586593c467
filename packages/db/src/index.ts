export type { Database, DatabaseKind, JwtClaims, QueryResult, Row, Sql } from './types.ts';
export { openDatabase, type OpenDatabaseOptions } from './database.ts';
export { migrate, defaultSupabaseDir, type MigrateOptions, type MigrateResult } from './migrate.ts';
export * from './demo.ts';
export * from './documents.ts';
export * from './projection.ts';
