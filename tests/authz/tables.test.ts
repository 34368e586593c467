import type { Database } from '@tieout/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openScratchDatabase } from '@tieout/db/testing';
import { buildAuthzWorld, type AuthzWorld } from './support/fixtures.ts';
import { actualVerdicts, callersFor, expectedVerdicts } from './support/matrix.ts';
import type { TableOperation } from './support/table-attempt.ts';
import { tableMatrix } from './tables.matrix.ts';

let db: Database;
let dispose: () => Promise<void>;
let world: AuthzWorld;

beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'authz' }));
  world = await buildAuthzWorld(db);
});
afterAll(async () => dispose());

const operations: TableOperation[] = ['select', 'insert', 'update', 'delete'];

describe('the table matrix', () => {
  it('covers select, insert, update and delete of every table in public', async () => {
    const { rows } = await db.ownerQuery<{ name: string }>(`select tablename as name from pg_tables where schemaname = 'public' order by 1`);
    const missing = rows.flatMap(({ name }) =>
      operations
        .filter((operation) => !tableMatrix.some((c) => c.table === name && c.operation === operation))
        .map((operation) => `${name} ${operation}`),
    );
    expect(missing, 'add rows for these to tests/authz/tables.matrix.ts').toEqual([]);
  });

  it('has row level security enabled on every table in public', async () => {
    const { rows } = await db.ownerQuery<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity order by 1`,
    );
    expect(rows.map((r) => r.name)).toEqual([]);
  });
});

describe('workspace A, tried by each of its roles, a member of workspace B and an anonymous caller', () => {
  it.each(tableMatrix.map((c) => [`${c.subject} ${c.action}`, c] as const))('%s', async (_name, testCase) => {
    const callers = callersFor(world, 'A');
    expect(await actualVerdicts(testCase, callers, { db, world, target: world.A })).toEqual(expectedVerdicts(testCase, callers));
  });
});

describe('workspace B, tried by every member of workspace A: nothing of B may be read or changed', () => {
  it.each(tableMatrix.map((c) => [`${c.subject} ${c.action}`, c] as const))('%s', async (_name, testCase) => {
    const callers = callersFor(world, 'B');
    expect(await actualVerdicts(testCase, callers, { db, world, target: world.B })).toEqual(expectedVerdicts(testCase, callers));
  });
});
