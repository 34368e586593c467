import type { Database, JwtClaims } from '@tieout/db';
import { isMemberRole, type MemberRole } from '@tieout/db/roles';

export interface ChecklistRecord {
  id: string;
  title: string;
  workspaceId: string;
  deal: { id: string; name: string };
  workstream: { id: string; name: string };
  role: MemberRole | null;
}

export interface WorkspaceMember {
  id: string;
  name: string;
  email: string;
  role: MemberRole;
}

/** The checklist row with its deal and workstream, or null when the user cannot see it. */
export async function getChecklist(db: Database, claims: JwtClaims, checklistId: string): Promise<ChecklistRecord | null> {
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{
      id: string;
      title: string;
      workspace_id: string;
      deal_id: string;
      deal_name: string;
      workstream_id: string;
      workstream_name: string;
      role: string | null;
    }>(
      `select c.id, c.title, c.workspace_id, d.id as deal_id, d.name as deal_name, ws.id as workstream_id,
              ws.name as workstream_name, public.workspace_role(c.workspace_id)::text as role
       from public.checklists c
       join public.deals d on d.id = c.deal_id
       join public.workstreams ws on ws.id = c.workstream_id
       where c.id = $1`,
      [checklistId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      title: row.title,
      workspaceId: row.workspace_id,
      deal: { id: row.deal_id, name: row.deal_name },
      workstream: { id: row.workstream_id, name: row.workstream_name },
      role: isMemberRole(row.role) ? row.role : null,
    };
  });
}

/** Members of a workspace with their display names (candidates for item owners). */
export async function listWorkspaceMembers(db: Database, claims: JwtClaims, workspaceId: string): Promise<WorkspaceMember[]> {
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{ id: string; name: string; email: string; role: string }>(
      `select m.user_id as id, coalesce(p.display_name, p.email, m.user_id::text) as name, coalesce(p.email, '') as email,
              m.role::text as role
       from public.workspace_members m
       left join public.profiles p on p.id = m.user_id
       where m.workspace_id = $1
       order by name`,
      [workspaceId],
    );
    return rows.filter((row) => isMemberRole(row.role)).map((row) => ({ ...row, role: row.role as MemberRole }));
  });
}
