import { isMemberRole, type MemberRole } from './roles.ts';
import type { Database, JwtClaims } from './types.ts';

export interface ChecklistRecord {
  id: string;
  title: string;
  workspaceId: string;
  deal: { id: string; name: string };
  workstream: { id: string; name: string };
  role: MemberRole | null;
  /** Set when the checklist, its workstream or its deal is archived (hidden from lists; decision 153). */
  archived: 'checklist' | 'workstream' | 'deal' | null;
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
      archived: 'checklist' | 'workstream' | 'deal' | null;
    }>(
      `select c.id, c.title, c.workspace_id, d.id as deal_id, d.name as deal_name, ws.id as workstream_id,
              ws.name as workstream_name, public.workspace_role(c.workspace_id)::text as role,
              case when c.archived_at is not null then 'checklist' when ws.archived_at is not null then 'workstream'
                   when d.archived_at is not null then 'deal' end as archived
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
      archived: row.archived,
    };
  });
}
