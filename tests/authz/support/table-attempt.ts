import type { Sql } from '@tieout/db';
import type { AttemptContext, AuthzCase, Standing, Verdict } from './matrix.ts';
import type { AuthzWorld, FixtureUser, WorkspaceFixture } from './fixtures.ts';

export type TableOperation = 'select' | 'insert' | 'update' | 'delete';

export interface TableCaseSpec {
  table: string;
  operation: TableOperation;
  action: string;
  allowed: readonly Standing[];
  /**
   * The statement, as the caller. It must return a row for each row it read or changed (`returning 1` for writes),
   * so that "RLS filtered everything out" reads as refused. `me` is the caller (the candidate for anonymous).
   */
  statement(target: WorkspaceFixture, me: FixtureUser, world: AuthzWorld): { text: string; params?: unknown[] };
}

/** SQLSTATEs that mean "refused": missing privilege or RLS policy (42501), the last-owner rule (TO001). */
const refusalCodes = new Set(['42501', 'TO001']);

class Rollback extends Error {}

/** Runs the statement as the caller in a transaction that is always rolled back, so cases never affect each other. */
export function tableCase(spec: TableCaseSpec): AuthzCase & { table: string; operation: TableOperation } {
  return {
    surface: 'table',
    subject: spec.table,
    table: spec.table,
    operation: spec.operation,
    action: `${spec.operation}: ${spec.action}`,
    allowed: spec.allowed,
    async attempt({ db, world, target, caller }: AttemptContext): Promise<Verdict> {
      const { text, params } = spec.statement(target, caller.user ?? world.candidate, world);
      let verdict: Verdict | undefined;
      const work = async (sql: Sql) => {
        try {
          const { rows } = await sql.query(text, params);
          verdict = rows.length > 0 ? 'allowed' : 'refused';
        } catch (error) {
          const code = (error as { code?: string }).code ?? '';
          if (!refusalCodes.has(code)) {
            throw new Error(`${spec.table} ${spec.operation} as ${caller.label} failed for another reason than a refusal: ${String(error)}`, {
              cause: error,
            });
          }
          verdict = 'refused';
        }
        throw new Rollback();
      };
      try {
        if (caller.user) await db.asUser(caller.user.claims, work);
        else await db.asAnon(work);
      } catch (error) {
        if (!(error instanceof Rollback)) throw error;
      }
      return verdict!;
    },
  };
}
