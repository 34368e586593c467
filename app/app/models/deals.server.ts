import type { Database, JwtClaims } from '@tieout/db';
import { addProgress, emptyProgress, progressColumns, progressFromRow, type Progress } from './progress.ts';
import { isMemberRole, type MemberRole } from './roles.ts';

export interface DealSummary {
  id: string;
  name: string;
  buyer: string | null;
  target: string | null;
  valueUsd: number | null;
  stage: string;
  progress: Progress;
}

export interface WorkspaceWithDeals {
  id: string;
  name: string;
  role: MemberRole | null;
  deals: DealSummary[];
}

type DealRow = {
  workspace_id: string;
  workspace_name: string;
  role: string | null;
  deal_id: string | null;
  deal_name: string | null;
  buyer: string | null;
  target: string | null;
  value_usd: string | number | null;
  stage: string | null;
  total: number;
  done: number;
  blocked: number;
  overdue: number;
  needs_review: number;
};

/** The workspaces the user belongs to, each with its deals and their progress. RLS decides what is visible. */
export async function listWorkspacesWithDeals(db: Database, claims: JwtClaims): Promise<WorkspaceWithDeals[]> {
  const rows = await db.asUser(claims, async (sql) =>
    (
      await sql.query<DealRow>(`
        select w.id as workspace_id, w.name as workspace_name, public.workspace_role(w.id)::text as role,
               d.id as deal_id, d.name as deal_name, d.buyer, d.target, d.value_usd, d.stage,
               ${progressColumns}
        from public.workspaces w
        left join public.deals d on d.workspace_id = w.id
        left join public.checklist_items ci on ci.deal_id = d.id
        group by w.id, w.name, d.id, d.name, d.buyer, d.target, d.value_usd, d.stage, d.created_at
        order by w.name, w.id, d.created_at, d.name`)
    ).rows,
  );
  const workspaces = new Map<string, WorkspaceWithDeals>();
  for (const row of rows) {
    let workspace = workspaces.get(row.workspace_id);
    if (!workspace) {
      workspace = { id: row.workspace_id, name: row.workspace_name, role: isMemberRole(row.role) ? row.role : null, deals: [] };
      workspaces.set(row.workspace_id, workspace);
    }
    if (row.deal_id && row.deal_name) {
      workspace.deals.push({
        id: row.deal_id,
        name: row.deal_name,
        buyer: row.buyer,
        target: row.target,
        valueUsd: row.value_usd === null ? null : Number(row.value_usd),
        stage: row.stage ?? 'diligence',
        progress: progressFromRow(row),
      });
    }
  }
  return [...workspaces.values()];
}

export interface ChecklistSummary {
  id: string;
  title: string;
  progress: Progress;
}

export interface WorkstreamWithChecklists {
  id: string;
  name: string;
  kind: string;
  checklists: ChecklistSummary[];
  progress: Progress;
}

export interface DealDetail {
  id: string;
  name: string;
  buyer: string | null;
  target: string | null;
  valueUsd: number | null;
  stage: string;
  workspace: { id: string; name: string };
  role: MemberRole | null;
  workstreams: WorkstreamWithChecklists[];
  progress: Progress;
}

/** A deal with its workstreams and their checklists' progress, or null when the user cannot see it. */
export async function getDeal(db: Database, claims: JwtClaims, dealId: string): Promise<DealDetail | null> {
  return db.asUser(claims, async (sql) => {
    const { rows: deals } = await sql.query<{
      id: string;
      name: string;
      buyer: string | null;
      target: string | null;
      value_usd: string | number | null;
      stage: string;
      workspace_id: string;
      workspace_name: string;
      role: string | null;
    }>(
      `select d.id, d.name, d.buyer, d.target, d.value_usd, d.stage, w.id as workspace_id, w.name as workspace_name,
              public.workspace_role(d.workspace_id)::text as role
       from public.deals d join public.workspaces w on w.id = d.workspace_id
       where d.id = $1`,
      [dealId],
    );
    const deal = deals[0];
    if (!deal) return null;
    const { rows } = await sql.query<{
      workstream_id: string;
      workstream_name: string;
      kind: string;
      checklist_id: string | null;
      checklist_title: string | null;
      total: number;
      done: number;
      blocked: number;
      overdue: number;
      needs_review: number;
    }>(
      `select ws.id as workstream_id, ws.name as workstream_name, ws.kind, c.id as checklist_id, c.title as checklist_title,
              ${progressColumns}
       from public.workstreams ws
       left join public.checklists c on c.workstream_id = ws.id
       left join public.checklist_items ci on ci.checklist_id = c.id
       where ws.deal_id = $1
       group by ws.id, ws.name, ws.kind, ws.position, c.id, c.title, c.created_at
       order by ws.position, ws.name, c.created_at, c.title`,
      [dealId],
    );
    const workstreams = new Map<string, WorkstreamWithChecklists>();
    for (const row of rows) {
      let workstream = workstreams.get(row.workstream_id);
      if (!workstream) {
        workstream = { id: row.workstream_id, name: row.workstream_name, kind: row.kind, checklists: [], progress: emptyProgress };
        workstreams.set(row.workstream_id, workstream);
      }
      if (row.checklist_id && row.checklist_title) {
        const progress = progressFromRow(row);
        workstream.checklists.push({ id: row.checklist_id, title: row.checklist_title, progress });
        workstream.progress = addProgress(workstream.progress, progress);
      }
    }
    const list = [...workstreams.values()];
    return {
      id: deal.id,
      name: deal.name,
      buyer: deal.buyer,
      target: deal.target,
      valueUsd: deal.value_usd === null ? null : Number(deal.value_usd),
      stage: deal.stage,
      workspace: { id: deal.workspace_id, name: deal.workspace_name },
      role: isMemberRole(deal.role) ? deal.role : null,
      workstreams: list,
      progress: list.reduce((sum, workstream) => addProgress(sum, workstream.progress), emptyProgress),
    };
  });
}
