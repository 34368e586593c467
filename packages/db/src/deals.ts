import { addProgress, emptyProgress, rollupFigures, todayIso, type FigureRollup, type Progress } from '@tieout/doc-model';
import { figuresBy, progressBy, rollupsByGroup } from './dashboard.ts';
import { canEdit, isMemberRole, type MemberRole } from './roles.ts';
import type { Database, JwtClaims, Sql } from './types.ts';
import { runAsUser, TenancyError } from './workspaces.ts';

export interface DealSummary {
  id: string;
  name: string;
  buyer: string | null;
  target: string | null;
  valueUsd: number | null;
  stage: string;
  progress: Progress;
  figures: FigureRollup[];
}

export interface WorkspaceWithDeals {
  id: string;
  name: string;
  role: MemberRole | null;
  deals: DealSummary[];
}

/**
 * The workspaces the user belongs to, each with its deals and their progress. RLS decides what is visible; the
 * numbers come from the pre-aggregated counts and indexed reads of the user's own workspaces (dashboard.ts), so a
 * huge checklist elsewhere costs this page nothing.
 */
export async function listWorkspacesWithDeals(db: Database, claims: JwtClaims, today: string = todayIso()): Promise<WorkspaceWithDeals[]> {
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{
      workspace_id: string;
      workspace_name: string;
      role: string | null;
      deal_id: string | null;
      deal_name: string | null;
      buyer: string | null;
      target: string | null;
      value_usd: string | number | null;
      stage: string | null;
    }>(`
      select w.id as workspace_id, w.name as workspace_name, public.workspace_role(w.id)::text as role,
             d.id as deal_id, d.name as deal_name, d.buyer, d.target, d.value_usd, d.stage
      from public.workspaces w
      left join public.deals d on d.workspace_id = w.id and d.archived_at is null
      where public.is_workspace_member(w.id)
      order by w.name, w.id, d.created_at, d.name`);
    const scope = { workspaceIds: [...new Set(rows.map((row) => row.workspace_id))] };
    const progress = await progressBy(sql, 'deal_id', scope, today);
    const byDeal = rollupsByGroup(await figuresBy(sql, 'deal_id', scope));
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
          progress: progress.get(row.deal_id) ?? emptyProgress,
          figures: byDeal.get(row.deal_id) ?? [],
        });
      }
    }
    return [...workspaces.values()];
  });
}

export interface ChecklistSummary {
  id: string;
  title: string;
  progress: Progress;
  figures: FigureRollup[];
}

export interface WorkstreamWithChecklists {
  id: string;
  name: string;
  kind: string;
  checklists: ChecklistSummary[];
  progress: Progress;
  figures: FigureRollup[];
}

export interface DealDetail {
  id: string;
  name: string;
  buyer: string | null;
  target: string | null;
  valueUsd: number | null;
  stage: string;
  /** When an owner archived the deal (it is then left out of lists; decision 153), else null. */
  archivedAt: string | null;
  /** The day the deal is meant to sign (the progress chart marks it). */
  targetSigningDate: string | null;
  workspace: { id: string; name: string };
  role: MemberRole | null;
  workstreams: WorkstreamWithChecklists[];
  progress: Progress;
  figures: FigureRollup[];
}

/** A deal with its workstreams and their checklists' progress, or null when the user cannot see it. */
export async function getDeal(db: Database, claims: JwtClaims, dealId: string, today: string = todayIso()): Promise<DealDetail | null> {
  return db.asUser(claims, async (sql) => {
    const { rows: deals } = await sql.query<{
      id: string;
      name: string;
      buyer: string | null;
      target: string | null;
      value_usd: string | number | null;
      stage: string;
      target_signing_date: string | null;
      archived_at: unknown;
      workspace_id: string;
      workspace_name: string;
      role: string | null;
    }>(
      `select d.id, d.name, d.buyer, d.target, d.value_usd, d.stage, d.target_signing_date::text, d.archived_at, w.id as workspace_id, w.name as workspace_name,
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
    }>(
      `select ws.id as workstream_id, ws.name as workstream_name, ws.kind, c.id as checklist_id, c.title as checklist_title
       from public.workstreams ws
       left join public.checklists c on c.workstream_id = ws.id and c.archived_at is null
       where ws.deal_id = $1 and ws.archived_at is null
       order by ws.position, ws.name, c.created_at, c.title`,
      [dealId],
    );
    const progress = await progressBy(sql, 'checklist_id', { dealId }, today);
    const figures = await figuresBy(sql, 'checklist_id', { dealId });
    const byChecklist = rollupsByGroup(figures);
    const workstreamOf = new Map(rows.flatMap((row) => (row.checklist_id ? [[row.checklist_id, row.workstream_id] as const] : [])));
    const byWorkstream = rollupsByGroup(figures, (row) => workstreamOf.get(row.group));
    const workstreams = new Map<string, WorkstreamWithChecklists>();
    for (const row of rows) {
      let workstream = workstreams.get(row.workstream_id);
      if (!workstream) {
        workstream = {
          id: row.workstream_id,
          name: row.workstream_name,
          kind: row.kind,
          checklists: [],
          progress: emptyProgress,
          figures: byWorkstream.get(row.workstream_id) ?? [],
        };
        workstreams.set(row.workstream_id, workstream);
      }
      if (row.checklist_id && row.checklist_title) {
        const checklistProgress = progress.get(row.checklist_id) ?? emptyProgress;
        workstream.checklists.push({
          id: row.checklist_id,
          title: row.checklist_title,
          progress: checklistProgress,
          figures: byChecklist.get(row.checklist_id) ?? [],
        });
        workstream.progress = addProgress(workstream.progress, checklistProgress);
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
      archivedAt: deal.archived_at ? new Date(deal.archived_at as string).toISOString() : null,
      targetSigningDate: deal.target_signing_date,
      workspace: { id: deal.workspace_id, name: deal.workspace_name },
      role: isMemberRole(deal.role) ? deal.role : null,
      workstreams: list,
      progress: list.reduce((sum, workstream) => addProgress(sum, workstream.progress), emptyProgress),
      figures: rollupFigures(figures),
    };
  });
}

async function roleIn(sql: Sql, workspaceId: string): Promise<MemberRole | null> {
  const { rows } = await sql.query<{ role: string | null }>(`select public.workspace_role($1)::text as role`, [workspaceId]);
  const role = rows[0]?.role;
  return isMemberRole(role) ? role : null;
}

export const CANNOT_EDIT = 'Only editors and owners of this workspace can do this. Ask an owner to change your role.';

/** Refuses unless the caller may edit the workspace: not_found for a non-member (nothing revealed), forbidden otherwise. */
export async function requireEditor(sql: Sql, workspaceId: string, notFoundMessage: string): Promise<MemberRole> {
  const role = await roleIn(sql, workspaceId);
  if (!role) throw new TenancyError('not_found', notFoundMessage);
  if (!canEdit(role)) throw new TenancyError('forbidden', CANNOT_EDIT);
  return role;
}

export interface NewDeal {
  workspaceId: string;
  name: string;
  buyer: string | null;
  target: string | null;
  valueUsd: number | null;
}

/** Creates a deal as the user: only editors and owners may (the database's policy decides; the check first gives a clear message). */
export async function createDeal(db: Database, claims: JwtClaims, input: NewDeal): Promise<{ id: string }> {
  return runAsUser(db, claims, CANNOT_EDIT, async (sql) => {
    await requireEditor(sql, input.workspaceId, 'This workspace does not exist or you are not a member of it.');
    const { rows } = await sql.query<{ id: string }>(
      `insert into public.deals (workspace_id, name, buyer, target, value_usd) values ($1, $2, $3, $4, $5) returning id`,
      [input.workspaceId, input.name, input.buyer, input.target, input.valueUsd],
    );
    return { id: rows[0]!.id };
  });
}

export interface NewWorkstream {
  dealId: string;
  kind: 'site_retrofits' | 'energy_contracts' | 'lease_exposure' | 'custom';
  name: string;
}

/** Adds a workstream at the end of the deal's list, as the user. */
export async function createWorkstream(db: Database, claims: JwtClaims, input: NewWorkstream): Promise<{ id: string }> {
  return runAsUser(db, claims, CANNOT_EDIT, async (sql) => {
    const { rows: deals } = await sql.query<{ workspace_id: string }>(`select workspace_id from public.deals where id = $1`, [input.dealId]);
    const deal = deals[0];
    const missing = 'This deal does not exist or you do not have access to it.';
    if (!deal) throw new TenancyError('not_found', missing);
    await requireEditor(sql, deal.workspace_id, missing);
    const { rows: existing } = await sql.query<{ id: string; archived: boolean }>(
      `select id, archived_at is not null as archived from public.workstreams where deal_id = $1 and lower(name) = lower($2)`,
      [input.dealId, input.name],
    );
    if (existing.length > 0) {
      const archived = existing[0]!.archived ? ' It is archived: an owner can unarchive it from the workspace’s Archived view.' : '';
      throw new TenancyError('conflict', `This deal already has a workstream named “${input.name}”.${archived}`);
    }
    const { rows } = await sql.query<{ id: string }>(
      `insert into public.workstreams (workspace_id, deal_id, kind, name, position)
       values ($1, $2, $3, $4, (select coalesce(max(position), -1) + 1 from public.workstreams where deal_id = $2))
       returning id`,
      [deal.workspace_id, input.dealId, input.kind, input.name],
    );
    return { id: rows[0]!.id };
  });
}

/** The user's role in a workspace (null when not a member), for pages that offer creation. */
export async function workspaceRole(db: Database, claims: JwtClaims, workspaceId: string): Promise<{ name: string; role: MemberRole } | null> {
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{ name: string; role: string | null }>(
      `select name, public.workspace_role(id)::text as role from public.workspaces where id = $1`,
      [workspaceId],
    );
    const row = rows[0];
    return row && isMemberRole(row.role) ? { name: row.name, role: row.role } : null;
  });
}
