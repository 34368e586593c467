import { randomUUID } from 'node:crypto';
import type { Database, JwtClaims } from '../src/index.ts';

export type Role = 'owner' | 'editor' | 'reviewer' | 'viewer';

export interface DocumentFixture {
  workspaceId: string;
  checklistId: string;
  users: Record<Role | 'outsider', { id: string; claims: JwtClaims }>;
}

export async function createDocumentFixture(db: Database): Promise<DocumentFixture> {
  const ids = { workspace: randomUUID(), deal: randomUUID(), workstream: randomUUID(), checklist: randomUUID() };
  const roles: (Role | 'outsider')[] = ['owner', 'editor', 'reviewer', 'viewer', 'outsider'];
  const users = Object.fromEntries(
    roles.map((role) => {
      const id = randomUUID();
      return [role, { id, claims: { sub: id, role: 'authenticated', email: `${role}-${id}@example.test` } }];
    }),
  ) as DocumentFixture['users'];
  // auth.users belongs to the auth service (its owner), not to service_role.
  for (const [role, user] of Object.entries(users)) {
    await db.ownerQuery(`insert into auth.users (id, email) values ($1, $2)`, [user.id, `${role}-${user.id}@example.test`]);
  }
  await db.asService(async (sql) => {
    await sql.query(`insert into public.workspaces (id, name, created_by) values ($1, 'Docs test', null)`, [ids.workspace]);
    for (const role of ['owner', 'editor', 'reviewer', 'viewer'] as const) {
      await sql.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)`, [
        ids.workspace,
        users[role].id,
        role,
      ]);
    }
    await sql.query(`insert into public.deals (id, workspace_id, name, created_by) values ($1, $2, 'Deal', null)`, [ids.deal, ids.workspace]);
    await sql.query(
      `insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'site_retrofits', 'Sites')`,
      [ids.workstream, ids.workspace, ids.deal],
    );
    await sql.query(
      `insert into public.checklists (id, workspace_id, deal_id, workstream_id, title, created_by) values ($1, $2, $3, $4, 'Checklist', null)`,
      [ids.checklist, ids.workspace, ids.deal, ids.workstream],
    );
  });
  return { workspaceId: ids.workspace, checklistId: ids.checklist, users };
}
