import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendUpdatesAsUsers, AppendUpdatesError, DOCUMENT_WRITER_ROLE, type Database } from '../src/index.ts';
import { jsonLiteral, sqlLiteral } from '../src/database.ts';
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
        const editor = await actAs(fx.users.editor.claims, { role: DOCUMENT_WRITER_ROLE });
        const { rows } = await editor.query<{ user_id: string }>(insert, [fx.checklistId, fx.workspaceId]);
        expect(rows[0]!.user_id).toBe(fx.users.editor.id);
        const viewer = await actAs(fx.users.viewer.claims, { role: DOCUMENT_WRITER_ROLE });
        await viewer.query(insert, [fx.checklistId, fx.workspaceId]);
      }),
    ).rejects.toThrow(/row-level security/);
    expect(await countUpdates(fx.checklistId)).toBe(before);
  });

  it('writes document bytes only as the document writer: as plain `authenticated` (PostgREST) even an editor is refused', async () => {
    const insert = `insert into public.document_updates (checklist_id, workspace_id, update) values ($1, $2, '\\x00'::bytea) returning user_id`;
    await expect(db.asUsers(async (actAs) => (await actAs(fx.users.editor.claims)).query(insert, [fx.checklistId, fx.workspaceId]))).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      db.asUsers(async (actAs) =>
        (await actAs(fx.users.editor.claims, { role: 'postgres' as unknown as typeof DOCUMENT_WRITER_ROLE })).query('select 1'),
      ),
    ).rejects.toThrow(/Not a role for a signed-in user/);
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

describe('scriptAsService (one round trip, decision 178)', () => {
  it('runs every statement as service_role in one transaction and returns each one’s rows', async () => {
    const [first, second] = await db.scriptAsService([`${whoAmI}, txid_current()::text as tx`, `select txid_current()::text as tx`]);
    expect(first![0]).toMatchObject({ uid: null, role: 'service_role' });
    expect(JSON.parse(first![0]!.claims as string)).toEqual({ role: 'service_role' });
    expect(second![0]!.tx).toBe(first![0]!.tx);
    expect(await db.scriptAsService([])).toEqual([]);
  });

  it('rolls everything back when one statement fails, and refuses a statement that is two', async () => {
    const before = await countUpdates(fx.checklistId);
    const insert = `insert into public.document_updates (checklist_id, workspace_id, update) values (${sqlLiteral(fx.checklistId)}, ${sqlLiteral(fx.workspaceId)}, '\\x00'::bytea)`;
    await expect(db.scriptAsService([insert, 'select 1 / 0'])).rejects.toThrow(/division by zero/);
    expect(await countUpdates(fx.checklistId)).toBe(before);
    await expect(db.scriptAsService(['select 1; select 2'])).rejects.toThrow(/one statement/);
    expect((await db.scriptAsService(['select 1 as one']))[0]).toEqual([{ one: 1 }]);
  });

  it('carries JSON values whole through jsonLiteral: quotes, backslashes, semicolons and any script are data', async () => {
    const value = { title: `O'Brien; drop table public.audit_trail; -- \\ "quoted" 10.1% ⚡`, nested: [1, null, true, { k: '$$' }] };
    const [rows] = await db.scriptAsService([`select ${jsonLiteral(value)} as value, ${jsonLiteral('plain text')} #>> '{}' as text`]);
    expect(rows![0]!.value).toEqual(value);
    expect(rows![0]!.text).toBe('plain text');
  });
});

describe('scriptAsUsers (one round trip)', () => {
  const literal = (text: string) => sqlLiteral(text);

  it('runs each step as its user, in one transaction, and returns each step’s rows', async () => {
    const [owner, viewer, editor] = await db.scriptAsUsers(
      (['owner', 'viewer', 'editor'] as const).map((who) => ({
        claims: fx.users[who].claims,
        statement: `${whoAmI}, txid_current()::text as tx`,
      })),
    );
    expect([owner, viewer, editor].map((rows) => rows![0]!.uid)).toEqual([fx.users.owner.id, fx.users.viewer.id, fx.users.editor.id]);
    expect(new Set([owner, viewer, editor].map((rows) => rows![0]!.tx)).size).toBe(1);
    expect(viewer![0]!.role).toBe('authenticated');
    expect(JSON.parse(viewer![0]!.claims as string)).toEqual(fx.users.viewer.claims);
  });

  it('applies RLS per step and rolls everything back when one step fails', async () => {
    const before = await countUpdates(fx.checklistId);
    const insert = `insert into public.document_updates (checklist_id, workspace_id, update) values (${literal(fx.checklistId)}, ${literal(fx.workspaceId)}, '\\x00'::bytea) returning user_id`;
    const role = DOCUMENT_WRITER_ROLE;
    const [inserted] = await db.scriptAsUsers([{ claims: fx.users.editor.claims, role, statement: insert }]);
    expect(inserted![0]!.user_id).toBe(fx.users.editor.id);
    await expect(
      db.scriptAsUsers([
        { claims: fx.users.editor.claims, role, statement: insert },
        { claims: fx.users.viewer.claims, role, statement: insert },
      ]),
    ).rejects.toThrow(/row-level security/);
    await expect(db.scriptAsUsers([{ claims: fx.users.editor.claims, statement: insert }])).rejects.toThrow(/permission denied/);
    expect(await countUpdates(fx.checklistId)).toBe(before + 1);
    // The connection is usable afterwards (the failed transaction was rolled back, not left open).
    expect((await db.scriptAsUsers([{ claims: fx.users.owner.claims, statement: 'select 1 as one' }]))[0]).toEqual([{ one: 1 }]);
  });

  it('inlines claims safely: quotes, backslashes and semicolons in them are data, not SQL', async () => {
    const claims = { ...fx.users.editor.claims, email: `o'brien\\'; drop table public.checklists; --@example.com`, note: "it's \\\\ fine" };
    const [rows] = await db.scriptAsUsers([{ claims, statement: `select auth.jwt() as jwt` }]);
    expect(rows![0]!.jwt).toEqual(claims);
    expect(literal(`a'b\\c`)).toBe(`E'a''b\\\\c'`);
    expect(() => literal('a\0b')).toThrow(/NUL/);
  });

  it('takes the shared advisory lock in the first step when asked', async () => {
    const key = `tieout.test:${crypto.randomUUID()}`;
    const [rows] = await db.scriptAsUsers([
      {
        claims: fx.users.editor.claims,
        sharedAdvisoryLock: key,
        statement: `select count(*)::int as n from pg_locks where locktype = 'advisory' and mode = 'ShareLock' and pid = pg_backend_pid()
           and ((classid::bigint << 32) | objid::bigint) = hashtextextended(${literal(key)}, 0)`,
      },
    ]);
    expect(rows![0]!.n).toBe(1);
  });

  it('refuses a step that holds more than one statement, before running anything', async () => {
    const before = await countUpdates(fx.checklistId);
    await expect(db.scriptAsUsers([{ claims: fx.users.editor.claims, statement: `select 1; delete from public.document_updates` }])).rejects.toThrow(
      /one statement/,
    );
    expect(await countUpdates(fx.checklistId)).toBe(before);
  });

  it('is what appendUpdatesAsUsers uses, falling back to statement by statement to name a refused author', async () => {
    const calls = { script: 0, steps: 0 };
    const counting: Database = {
      ...db,
      scriptAsUsers: (steps) => {
        calls.script++;
        return db.scriptAsUsers(steps);
      },
      asUsers: (work) => {
        calls.steps++;
        return db.asUsers(work);
      },
    };
    const update = Uint8Array.of(0, 0);
    const appended = await appendUpdatesAsUsers(counting, fx.checklistId, fx.workspaceId, [
      { claims: fx.users.editor.claims, updates: [update, update] },
      { claims: fx.users.owner.claims, updates: [update] },
    ]);
    expect(calls).toEqual({ script: 1, steps: 0 });
    expect(appended.map((entry) => entry.ids.length)).toEqual([2, 1]);
    expect(appended[0]!.ids[0]!).toBeLessThan(appended[0]!.ids[1]!);
    expect(appended[1]!.ids[0]!).toBeGreaterThan(appended[0]!.ids[1]!);

    const refused = await appendUpdatesAsUsers(counting, fx.checklistId, fx.workspaceId, [
      { claims: fx.users.editor.claims, updates: [update] },
      { claims: fx.users.viewer.claims, updates: [update] },
    ]).catch((error: unknown) => error);
    expect(calls).toEqual({ script: 2, steps: 1 });
    expect(refused).toBeInstanceOf(AppendUpdatesError);
    expect((refused as AppendUpdatesError).userId).toBe(fx.users.viewer.id);
  });
});

async function countUpdates(checklistId: string): Promise<number> {
  const { rows } = await db.asService((sql) =>
    sql.query<{ n: number }>(`select count(*)::int as n from public.document_updates where checklist_id = $1`, [checklistId]),
  );
  return rows[0]!.n;
}
