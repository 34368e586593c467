import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canComment, canEdit, canReview, isOwner, memberRoles, type Database, type MemberRole } from '../src/index.ts';
import { createChecklistFixture, type ChecklistFixture } from '../src/testing.ts';
import { migratedDatabase } from './tenancy.fixtures.ts';

let db: Database;
let dispose: () => Promise<void>;
let fixture: ChecklistFixture;

beforeAll(async () => {
  ({ db, dispose } = await migratedDatabase('roles'));
  fixture = await createChecklistFixture(db);
}, 120_000);
afterAll(async () => dispose(), 60_000);

/** Each TypeScript rule and the SQL helper that RLS policies use for the same question. */
const rules: { sql: string; rule: (role: MemberRole | null) => boolean }[] = [
  { sql: 'is_workspace_member', rule: (role) => role !== null },
  { sql: 'can_edit_workspace', rule: canEdit },
  { sql: 'is_workspace_owner', rule: isOwner },
  { sql: 'can_review_workspace', rule: canReview },
  { sql: 'can_comment_workspace', rule: canComment },
];

async function sqlHelperExists(name: string): Promise<boolean> {
  const { rows } = await db.ownerQuery(
    `select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' and p.proname = $1`,
    [name],
  );
  return rows.length > 0;
}

describe('roles: the TypeScript rules and the SQL helpers agree', () => {
  it('has a label-bearing list of the database enum', async () => {
    const { rows } = await db.ownerQuery<{ role: string }>(`select unnest(enum_range(null::public.member_role))::text as role`);
    expect(rows.map((row) => row.role)).toEqual([...memberRoles]);
  });

  for (const { sql, rule } of rules) {
    it(`${sql} answers as the TypeScript rule for every role and for a non-member`, async () => {
      expect(await sqlHelperExists(sql)).toBe(true);
      const standings = [...memberRoles, null] as const;
      for (const role of standings) {
        const user = fixture.users[role ?? 'outsider'];
        const answer = await db.asUser(user.claims, async (q) => {
          const { rows } = await q.query<{ allowed: boolean }>(`select public.${sql}($1) as allowed`, [fixture.workspaceId]);
          return rows[0]!.allowed;
        });
        expect({ role, allowed: answer }).toEqual({ role, allowed: rule(role) });
      }
    });
  }
});
