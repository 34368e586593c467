import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/index.ts';
import { createChecklistFixture, openScratchDatabase, type ChecklistFixture } from '../src/testing.ts';

let db: Database;
let dispose: () => Promise<void>;
let fx: ChecklistFixture;

beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'docs' }));
  fx = await createChecklistFixture(db);
}, 60_000);
afterAll(async () => dispose?.());

const whoAmI = `select auth.uid()::text as uid, current_user::text as role, current_setting('request.jwt.claims', true) as claims`;
type WhoAmI = { uid: string; role: string; claims: string };

describe('asUsers', () => {
  it('switches role and claims per user inside one transaction, as asUser does', async () => {
    const seen = await db.asUsers(async (actAs) => {
      const rows: WhoAmI[] = [];
      const transactions = new Set<string>();
      for (const who of ['owner', 'viewer', 'editor'] as const) {
        const sql = await actAs(fx.users[who].claims);
        rows.push((await sql.query<WhoAmI>(whoAmI)).rows[0]!);
        transactions.add((await sql.query<{ id: string }>(`select txid_current()::text as id`)).rows[0]!.id);
      }
      return { rows, transactions: transactions.size };
    });
    expect(seen.transactions).toBe(1);
    expect(seen.rows.map((row) => row.uid)).toEqual([fx.users.owner.id, fx.users.viewer.id, fx.users.editor.id]);
    expect(seen.rows.every((row) => row.role === 'authenticated')).toBe(true);
    expect(JSON.parse(seen.rows[1]!.claims)).toEqual(fx.users.viewer.claims);
    const asUser = await db.asUser(fx.users.viewer.claims, async (sql) => (await sql.query<WhoAmI>(whoAmI)).rows[0]!);
    expect(asUser).toEqual(seen.rows[1]);
  });

  it('applies RLS to each user in turn: an editor may append, a viewer may not, and the failure rolls back both', async () => {
    const before = await countUpdates(fx.checklistId);
    const insert = `insert into public.document_updates (checklist_id, workspace_id, update) values ($1, $2, '\\x00'::bytea) returning user_id`;
    await expect(
      db.asUsers(async (actAs) => {
        const editor = await actAs(fx.users.editor.claims);
        const { rows } = await editor.query<{ user_id: string }>(insert, [fx.checklistId, fx.workspaceId]);
        expect(rows[0]!.user_id).toBe(fx.users.editor.id);
        const viewer = await actAs(fx.users.viewer.claims);
        await viewer.query(insert, [fx.checklistId, fx.workspaceId]);
      }),
    ).rejects.toThrow(/row-level security/);
    expect(await countUpdates(fx.checklistId)).toBe(before);
  });

  it('refuses statements through the Sql of an earlier user', async () => {
    await expect(
      db.asUsers(async (actAs) => {
        const owner = await actAs(fx.users.owner.claims);
        await actAs(fx.users.viewer.claims);
        await owner.query('select 1');
      }),
    ).rejects.toThrow(/earlier user/);
  });

  it('takes a shared advisory lock with the switch when asked, held until the transaction ends', async () => {
    const key = `tieout.test:${crypto.randomUUID()}`;
    const held = await db.asUsers(async (actAs) => {
      const sql = await actAs(fx.users.editor.claims, { sharedAdvisoryLock: key });
      const { rows } = await sql.query<{ n: number }>(
        `select count(*)::int as n from pg_locks where locktype = 'advisory' and mode = 'ShareLock' and pid = pg_backend_pid()
           and ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
        [key],
      );
      return rows[0]!.n;
    });
    expect(held).toBe(1);
  });
});

async function countUpdates(checklistId: string): Promise<number> {
  const { rows } = await db.asService((sql) =>
    sql.query<{ n: number }>(`select count(*)::int as n from public.document_updates where checklist_id = $1`, [checklistId]),
  );
  return rows[0]!.n;
}
