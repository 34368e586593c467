import {
  DEFAULT_ITEM_SORT,
  ITEM_SORTS,
  ITEM_STATUSES,
  itemSortSchema,
  type ItemSort,
  RISK_LEVELS,
  addDays,
  exposureOf,
  isoDay,
  itemFilterSchema,
  RISK_KEYS,
  type ItemFilter,
  type RiskKey,
  figureIssues,
  rollupFigures,
  storedFigureSchema,
  weekEnd,
  type ExposureGroup,
  type Figure,
  type FigureRollup,
  type ItemStatus,
  type Progress,
  type RiskLevel,
} from '@tieout/doc-model';
import { z } from 'zod';
import { recordAuditEvent } from './audit.ts';
import { DataAccessError } from './errors.ts';
import { listedChecklists } from './structure.ts';
import type { Database, JwtClaims, Sql } from './types.ts';

export { ITEM_FILTER_KEYS, ITEM_SORTS, RISK_KEYS, itemFilterSchema, type ItemFilter, type ItemSort, type RiskKey } from '@tieout/doc-model';

/*
 * The managers' numbers (issue 14): read from the pre-aggregated counts (public.checklist_item_counts, maintained
 * by triggers on the projection) and from indexed reads of public.checklist_items that start with the workspace
 * or deal, always under the caller's RLS. Nothing here opens a Yjs document. "Today" is a parameter (doc-model
 * dates.ts), never the database's current_date. docs/decisions/140, 141.
 */

export type StatusCounts = Record<ItemStatus, number> & { total: number };

export const emptyCounts = (): StatusCounts => ({ total: 0, not_started: 0, in_progress: 0, needs_review: 0, blocked: 0, done: 0 });

function addCount(counts: StatusCounts, status: string, items: number): void {
  if ((ITEM_STATUSES as readonly string[]).includes(status)) counts[status as ItemStatus] += items;
  counts.total += items;
}

/** A dashboard or item-list refusal: `invalid` for a bad filter or sort, `not_found` for a scope the caller cannot see. */
export class DashboardError extends DataAccessError {
  override name = 'DashboardError';
}

export const NOT_FOUND_MESSAGE = 'This deal or workspace does not exist or you do not have access to it.';

export type DashboardScope = { kind: 'workspace'; workspaceId: string } | { kind: 'deal'; dealId: string };

export interface ScopeInfo {
  kind: 'workspace' | 'deal';
  workspace: { id: string; name: string };
  role: string | null;
  deal: { id: string; name: string; buyer: string | null; target: string | null; targetSigningDate: string | null } | null;
  /** The deals of the workspace (for filters and the per-deal exposure tables). */
  deals: { id: string; name: string; targetSigningDate: string | null }[];
  workstreams: { id: string; name: string; kind: string; dealId: string; position: number }[];
  /** The scope's listed checklists (not archived), in checklist order: created first, first. */
  checklists: ScopeChecklist[];
  members: { id: string; name: string }[];
}

export interface ScopeChecklist {
  id: string;
  title: string;
  workstreamId: string;
  dealId: string;
}

const uuid = z.uuid();

/** The workspace or deal, as the caller sees it; a DashboardError (not_found) when it does not exist for them. */
export async function readScope(sql: Sql, scope: DashboardScope): Promise<ScopeInfo> {
  const id = scope.kind === 'workspace' ? scope.workspaceId : scope.dealId;
  if (!uuid.safeParse(id).success) throw new DashboardError('not_found', NOT_FOUND_MESSAGE);
  let workspaceId: string;
  let deal: ScopeInfo['deal'] = null;
  if (scope.kind === 'deal') {
    const { rows } = await sql.query<{
      id: string;
      name: string;
      buyer: string | null;
      target: string | null;
      target_signing_date: string | null;
      workspace_id: string;
    }>(`select id, name, buyer, target, target_signing_date::text, workspace_id from public.deals where id = $1`, [scope.dealId]);
    const row = rows[0];
    if (!row) throw new DashboardError('not_found', NOT_FOUND_MESSAGE);
    workspaceId = row.workspace_id;
    deal = { id: row.id, name: row.name, buyer: row.buyer, target: row.target, targetSigningDate: row.target_signing_date };
  } else {
    workspaceId = scope.workspaceId;
  }
  const { rows: workspaces } = await sql.query<{ id: string; name: string; role: string | null }>(
    `select id, name, public.workspace_role(id)::text as role from public.workspaces where id = $1 and public.is_workspace_member(id)`,
    [workspaceId],
  );
  const workspace = workspaces[0];
  if (!workspace) throw new DashboardError('not_found', NOT_FOUND_MESSAGE);
  const { rows: deals } = await sql.query<{ id: string; name: string; target_signing_date: string | null }>(
    // Archived deals are left out (decision 153), except the deal this scope is.
    `select id, name, target_signing_date::text from public.deals where workspace_id = $1 and (archived_at is null or id = $2)
      order by created_at, name`,
    [workspaceId, deal?.id ?? null],
  );
  const { rows: workstreams } = await sql.query<{ id: string; name: string; kind: string; deal_id: string; position: number }>(
    `select id, name, kind, deal_id, position from public.workstreams where workspace_id = $1 and archived_at is null
      ${deal ? 'and deal_id = $2' : `and deal_id in (select d.id from public.deals d where d.workspace_id = $1 and d.archived_at is null)`}
      order by position, name`,
    deal ? [workspaceId, deal.id] : [workspaceId],
  );
  const listed = deal ? `c.workspace_id = $1 and c.deal_id = $2` : `c.workspace_id = $1`;
  const { rows: checklists } = await sql.query<{ id: string; title: string; workstream_id: string; deal_id: string }>(
    `select c.id, c.title, c.workstream_id, c.deal_id from public.checklists c
      where ${listed} and ${listedChecklists('c.id', deal !== null)} order by c.created_at, c.title, c.id`,
    deal ? [workspaceId, deal.id] : [workspaceId],
  );
  const { rows: members } = await sql.query<{ id: string; name: string }>(
    `select p.id, p.display_name as name from public.workspace_members m join public.profiles p on p.id = m.user_id
      where m.workspace_id = $1 order by p.display_name, p.id`,
    [workspaceId],
  );
  return {
    kind: scope.kind,
    workspace: { id: workspace.id, name: workspace.name },
    role: workspace.role,
    deal,
    deals: deals.map((row) => ({ id: row.id, name: row.name, targetSigningDate: row.target_signing_date })),
    workstreams: workstreams.map((row) => ({ id: row.id, name: row.name, kind: row.kind, dealId: row.deal_id, position: Number(row.position) })),
    checklists: checklists.map((row) => ({ id: row.id, title: row.title, workstreamId: row.workstream_id, dealId: row.deal_id })),
    members,
  };
}

/**
 * `where` of a scope over a table aliased `alias` with workspace_id, deal_id and checklist_id columns, and its
 * parameters from $start. Only listed checklists (not archived, decision 153): the scope's, read once by readScope and
 * passed as an array, so no row meets a per-row listing lookup (docs/decisions/143).
 */
function scopeWhere(info: ScopeInfo, alias: string, start = 1): { clause: string; params: unknown[] } {
  const ids = info.checklists.map((checklist) => checklist.id);
  return info.deal
    ? {
        clause: `${alias}.workspace_id = $${start} and ${alias}.deal_id = $${start + 1} and ${alias}.checklist_id = any($${start + 2}::uuid[])`,
        params: [info.workspace.id, info.deal.id, ids],
      }
    : { clause: `${alias}.workspace_id = $${start} and ${alias}.checklist_id = any($${start + 1}::uuid[])`, params: [info.workspace.id, ids] };
}

export interface ChecklistCounts {
  id: string;
  title: string;
  workstreamId: string;
  dealId: string;
  counts: StatusCounts;
}

export interface WorkstreamProgress {
  id: string;
  name: string;
  kind: string;
  dealId: string;
  dealName: string;
  counts: StatusCounts;
  checklists: ChecklistCounts[];
}

export interface OwnerLoad {
  /** Null: not assigned. */
  ownerId: string | null;
  name: string;
  open: number;
  overdue: number;
  blocked: number;
}

export interface HeatmapRow {
  workstreamId: string;
  name: string;
  dealName: string;
  /** Open items per risk level. */
  cells: Record<RiskKey, number>;
}

export interface ProgressPoint {
  day: string;
  done: number;
  open: number;
}

export interface DealExposure {
  dealId: string;
  dealName: string;
  groups: ExposureGroup[];
}

export interface Dashboard {
  scope: ScopeInfo;
  today: string;
  weekEnd: string;
  counts: StatusCounts;
  workstreams: WorkstreamProgress[];
  overdue: number;
  dueThisWeek: number;
  blocked: number;
  waitingForReview: number;
  workload: OwnerLoad[];
  heatmap: HeatmapRow[];
  /** All figures of the scope, verified and unverified apart. */
  figures: FigureRollup[];
  exposure: DealExposure[];
  /** Deal scope only: done and open items per day. */
  history: ProgressPoint[];
  /**
   * Where the history comes from: the audit trail's status rows when it has the creation of every item of the deal,
   * else the projection's own day-by-day record (which starts when the counts did).
   */
  historySource: 'audit_trail' | 'progress_days';
}

type CountRow = { checklist_id: string; status: string; risk: string | null; owner_id: string | null; items: number | string };

/** The dashboard of a workspace or a deal, as the caller may see it. */
export async function getDashboard(db: Database, claims: JwtClaims, scope: DashboardScope, today: string): Promise<Dashboard> {
  return db.asUser(claims, async (sql) => {
    const info = await readScope(sql, scope);
    const where = scopeWhere(info, 'c');
    const checklists = info.checklists.map((checklist) => ({
      id: checklist.id,
      title: checklist.title,
      workstream_id: checklist.workstreamId,
      deal_id: checklist.dealId,
    }));
    const { rows: counts } = await sql.query<CountRow>(
      `select c.checklist_id, c.status, c.risk, c.owner_id, c.items from public.checklist_item_counts c where ${where.clause}`,
      where.params,
    );
    const dated = scopeWhere(info, 'ci', 2);
    const { rows: due } = await sql.query<{ owner_id: string | null; overdue: number | string; this_week: number | string }>(
      `select ci.owner_id,
              count(*) filter (where ci.due_date < $1::date) as overdue,
              count(*) filter (where ci.due_date >= $1::date and ci.due_date <= $${dated.params.length + 2}::date) as this_week
         from public.checklist_items ci
        where ${dated.clause} and ci.status <> 'done' and ci.due_date is not null and ci.due_date <= $${dated.params.length + 2}::date
        group by ci.owner_id`,
      [today, ...dated.params, weekEnd(today)],
    );
    const figures = await scopeFigures(sql, info);
    const audited = info.deal ? await auditedHistory(sql, info, today) : null;
    const history = audited ?? (info.deal ? await progressHistory(sql, info, today) : []);

    const deals = new Map(info.deals.map((deal) => [deal.id, deal.name]));
    const names = new Map(info.members.map((member) => [member.id, member.name]));
    const total = emptyCounts();
    const byChecklist = new Map<string, StatusCounts>();
    const workload = new Map<string | null, OwnerLoad>();
    const loadOf = (ownerId: string | null) => {
      let load = workload.get(ownerId);
      if (!load) {
        load = { ownerId, name: ownerId === null ? 'Unassigned' : (names.get(ownerId) ?? 'Former member'), open: 0, overdue: 0, blocked: 0 };
        workload.set(ownerId, load);
      }
      return load;
    };
    const checklistById = new Map(checklists.map((row) => [row.id, row]));
    const riskByWorkstream = new Map<string, Record<RiskKey, number>>();
    for (const row of counts) {
      const items = Number(row.items);
      addCount(total, row.status, items);
      const list = byChecklist.get(row.checklist_id) ?? emptyCounts();
      addCount(list, row.status, items);
      byChecklist.set(row.checklist_id, list);
      if (row.status !== 'done') {
        const load = loadOf(row.owner_id);
        load.open += items;
        if (row.status === 'blocked') load.blocked += items;
        const workstreamId = checklistById.get(row.checklist_id)?.workstream_id;
        if (workstreamId) {
          const cells = riskByWorkstream.get(workstreamId) ?? emptyRiskCells();
          const risk = (RISK_KEYS as readonly string[]).includes(row.risk ?? 'none') ? ((row.risk ?? 'none') as RiskKey) : 'none';
          cells[risk] += items;
          riskByWorkstream.set(workstreamId, cells);
        }
      }
    }
    let overdue = 0;
    let dueThisWeek = 0;
    for (const row of due) {
      overdue += Number(row.overdue);
      dueThisWeek += Number(row.this_week);
      if (Number(row.overdue) > 0) loadOf(row.owner_id).overdue += Number(row.overdue);
    }
    const workstreams: WorkstreamProgress[] = info.workstreams.map((workstream) => {
      const lists = checklists
        .filter((row) => row.workstream_id === workstream.id)
        .map((row) => ({
          id: row.id,
          title: row.title,
          workstreamId: row.workstream_id,
          dealId: row.deal_id,
          counts: byChecklist.get(row.id) ?? emptyCounts(),
        }));
      const sum = emptyCounts();
      for (const list of lists) for (const status of ITEM_STATUSES) addCount(sum, status, list.counts[status]);
      return {
        id: workstream.id,
        name: workstream.name,
        kind: workstream.kind,
        dealId: workstream.dealId,
        dealName: deals.get(workstream.dealId) ?? '',
        counts: sum,
        checklists: lists,
      };
    });
    const heatmap = info.workstreams.map((workstream) => ({
      workstreamId: workstream.id,
      name: workstream.name,
      dealName: deals.get(workstream.dealId) ?? '',
      cells: riskByWorkstream.get(workstream.id) ?? emptyRiskCells(),
    }));
    const exposureDeals = info.deal ? [info.deal] : info.deals;
    return {
      scope: info,
      today,
      weekEnd: weekEnd(today),
      counts: total,
      workstreams,
      overdue,
      dueThisWeek,
      blocked: total.blocked,
      waitingForReview: total.needs_review,
      workload: [...workload.values()].filter((load) => load.open > 0).sort((a, b) => b.open - a.open || a.name.localeCompare(b.name)),
      heatmap,
      figures: rollupFigures(figures),
      exposure: exposureDeals.map((deal) => ({
        dealId: deal.id,
        dealName: deal.name,
        groups: exposureOf(figures.filter((item) => item.dealId === deal.id)),
      })),
      history,
      historySource: audited ? 'audit_trail' : 'progress_days',
    };
  });
}

const emptyRiskCells = (): Record<RiskKey, number> => ({ critical: 0, high: 0, medium: 0, low: 0, none: 0 });

/** Stored figures as the projection holds them (jsonb); entries that are not figures are skipped, bad values kept (and flagged by the roll-up). */
export function storedFigures(value: unknown): Figure[] {
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    const parsed = storedFigureSchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

export interface ItemFigures {
  key: string;
  dealId: string;
  checklistId: string;
  workstreamId: string;
  figures: Figure[];
  verified: boolean;
}

/**
 * The latest review decision of the item aliased `ci`, as a lateral join: `approved` is true when it is an approval of
 * the item as it is now (item_review_states' rule, decision 133), read per item through item_approvals' index rather
 * than through the view, which would read the whole projection under RLS first.
 */
const latestDecision = `left join lateral (
    select ap.decision, ap.fingerprint, ap.decided_by, ap.decided_at from public.item_approvals ap
     where ap.checklist_id = ci.checklist_id and ap.item_id = ci.item_id
     order by ap.id desc limit 1
  ) a on true`;
const approvedSql = `(a.decision = 'approved' and a.fingerprint is not distinct from ci.content_fingerprint)`;

/** The items with figures in a scope (an index on deal_id where figures <> '[]'), each with whether it is approved. */
async function scopeFigures(sql: Sql, info: ScopeInfo): Promise<ItemFigures[]> {
  const where = scopeWhere(info, 'ci');
  const { rows } = await sql.query<{ checklist_id: string; item_id: string; deal_id: string; figures: unknown; state: string | null }>(
    `select ci.checklist_id, ci.item_id, ci.deal_id, ci.figures, case when ${approvedSql} then 'approved' end as state
       from public.checklist_items ci
       ${latestDecision}
      where ${where.clause} and ci.figures <> '[]'::jsonb`,
    where.params,
  );
  const workstreamOf = new Map(info.checklists.map((checklist) => [checklist.id, checklist.workstreamId]));
  return rows.map((row) => ({
    key: `${row.checklist_id}/${row.item_id}`,
    dealId: row.deal_id,
    checklistId: row.checklist_id,
    workstreamId: workstreamOf.get(row.checklist_id) ?? '',
    figures: storedFigures(row.figures),
    verified: row.state === 'approved',
  }));
}

/**
 * Done and open items per day, replayed from the audit trail (item created and deleted, status changed), or null
 * when the trail does not have the creation of every item the deal holds now (items older than the trail).
 */
async function auditedHistory(sql: Sql, info: ScopeInfo, today: string): Promise<ProgressPoint[] | null> {
  const { rows } = await sql.query<{ checklist_id: string; item_id: string; kind: string; status: string | null; day: string }>(
    `select a.checklist_id, a.item_id, a.kind,
            case when a.kind = 'item_field' then a.new_value #>> '{}' else a.new_value ->> 'status' end as status, (a.created_at at time zone 'utc')::date::text as day
       from public.audit_trail a
      where a.workspace_id = $1 and a.deal_id = $2 and a.checklist_id is not null and a.item_id is not null
        and (a.kind in ('item_created', 'item_deleted') or (a.kind = 'item_field' and a.field = 'status'))
        and a.created_at < ($3::date + 1) and ${listedChecklists('a.checklist_id', true)}
      order by a.created_at, a.id`,
    [info.workspace.id, info.deal!.id, today],
  );
  const { rows: current } = await sql.query<{ n: number | string }>(
    `select coalesce(sum(c.items), 0) as n from public.checklist_item_counts c
      where c.workspace_id = $1 and c.deal_id = $2 and ${listedChecklists('c.checklist_id', true)}`,
    [info.workspace.id, info.deal!.id],
  );
  const created = new Set(rows.filter((row) => row.kind === 'item_created').map((row) => `${row.checklist_id}/${row.item_id}`));
  if (rows.length === 0 || created.size < Number(current[0]!.n)) return null;
  const status = new Map<string, string>();
  const points: ProgressPoint[] = [];
  let index = 0;
  for (let day = rows[0]!.day; day <= today && points.length <= 3660; day = addDays(day, 1)) {
    for (; index < rows.length && rows[index]!.day === day; index += 1) {
      const row = rows[index]!;
      const key = `${row.checklist_id}/${row.item_id}`;
      if (row.kind === 'item_deleted') status.delete(key);
      else if (row.kind === 'item_created') status.set(key, row.status ?? 'not_started');
      else if (status.has(key) && row.status) status.set(key, row.status);
    }
    let done = 0;
    for (const value of status.values()) if (value === 'done') done += 1;
    points.push({ day, done, open: status.size - done });
  }
  return points;
}

/** Done and open items per day, from the projection's own day-by-day record, carried forward over quiet days. */
async function progressHistory(sql: Sql, info: ScopeInfo, today: string): Promise<ProgressPoint[]> {
  const { rows } = await sql.query<{ checklist_id: string; day: string; total: number | string; done: number | string }>(
    `select p.checklist_id, p.day::text as day, p.total, p.done from public.checklist_progress_days p
      where p.workspace_id = $1 and p.deal_id = $2 and p.day <= $3::date and ${listedChecklists('p.checklist_id', true)} order by p.day`,
    [info.workspace.id, info.deal!.id, today],
  );
  if (rows.length === 0) return [];
  const first = rows[0]!.day;
  const latest = new Map<string, { total: number; done: number }>();
  const points: ProgressPoint[] = [];
  let index = 0;
  for (let day = first; day <= today; day = addDays(day, 1)) {
    while (index < rows.length && rows[index]!.day === day) {
      const row = rows[index]!;
      latest.set(row.checklist_id, { total: Number(row.total), done: Number(row.done) });
      index += 1;
    }
    let done = 0;
    let total = 0;
    for (const value of latest.values()) {
      done += value.done;
      total += value.total;
    }
    points.push({ day, done, open: total - done });
    if (points.length > 3660) break;
  }
  return points;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* The cross-checklist item list                                                                                 */
/* ------------------------------------------------------------------------------------------------------------ */

/** Reads filters from URL search parameters; unknown parameters and bad values are a DashboardError (invalid) naming them. */
export function parseItemFilter(params: URLSearchParams): ItemFilter {
  const raw: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key === 'page' || key === 'sort') continue;
    if (value === '') continue;
    if (key in raw) throw new DashboardError('invalid', `The filter “${key}” is given twice`);
    raw[key] = value;
  }
  const parsed = itemFilterSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') throw new DashboardError('invalid', `There is no filter called “${issue.keys[0]}”`);
    const field = String(issue.path[0] ?? '');
    const message = field === 'dueFrom' || field === 'dueTo' ? 'Use a date like 2026-12-31' : issue.message;
    throw new DashboardError('invalid', `Filter “${field}”: ${message} (got “${raw[field]}”)`);
  }
  if (parsed.data.dueFrom && parsed.data.dueTo && parsed.data.dueFrom > parsed.data.dueTo) {
    throw new DashboardError('invalid', 'The due range ends before it starts');
  }
  return parsed.data;
}

/** The list's order from `?sort=` (the default when absent); a value that is not a sort is a DashboardError (invalid). */
export function parseItemSort(params: URLSearchParams): ItemSort {
  const values = params.getAll('sort').filter((value) => value !== '');
  if (values.length > 1) throw new DashboardError('invalid', 'The sort “sort” is given twice');
  if (values.length === 0) return DEFAULT_ITEM_SORT;
  const parsed = itemSortSchema.safeParse(values[0]);
  if (!parsed.success) throw new DashboardError('invalid', `${parsed.error.issues[0]!.message} (got “${values[0]}”)`);
  return parsed.data;
}

/** Each sort's column in the page's query and whether it runs downwards. */
const SORTS: Record<ItemSort, [column: 'due_date' | 'reference_key', descending: boolean]> = {
  due: ['due_date', false],
  '-due': ['due_date', true],
  ref: ['reference_key', false],
  '-ref': ['reference_key', true],
};

export interface ListedItem {
  checklistId: string;
  itemId: string;
  checklistTitle: string;
  dealId: string;
  dealName: string;
  workstreamId: string;
  workstreamName: string;
  sectionTitle: string | null;
  title: string;
  /** The item's request-list number ("1.2.3"), or null. */
  reference: string | null;
  status: ItemStatus;
  ownerId: string | null;
  ownerName: string | null;
  dueDate: string | null;
  risk: RiskLevel | null;
  figures: Figure[];
  /** Figures whose value cannot be right (old data), by figure id. */
  figureIssues: Record<string, string>;
  review: { state: string; decidedBy: string | null; decidedAt: string | null };
  updatedAt: string;
  updatedBy: string | null;
}

export interface ItemList {
  scope: ScopeInfo;
  filter: ItemFilter;
  sort: ItemSort;
  items: ListedItem[];
  /** All matching items (the list shows at most `limit`). */
  total: number;
  limit: number;
  offset: number;
}

type ListRow = {
  checklist_id: string;
  item_id: string;
  section_title: string | null;
  position: string;
  title: string;
  reference: string | null;
  status: string;
  owner_id: string | null;
  due_date: string | null;
  risk: string | null;
  figures: unknown;
  updated_at: string;
  updated_by: string | null;
  state: string | null;
  decided_by: string | null;
  decided_at: string | null;
  total: number | string;
};

/**
 * Items of a workspace or deal that pass the filter. Ids in the filter must belong to the scope: a deal, workstream,
 * checklist or owner the caller cannot see there is a DashboardError (invalid), which names the filter and says nothing
 * about whether the thing exists elsewhere.
 */
export async function listItems(
  db: Database,
  claims: JwtClaims,
  scope: DashboardScope,
  filter: ItemFilter,
  today: string,
  page: { limit?: number; offset?: number; sort?: ItemSort } = {},
): Promise<ItemList> {
  const limit = Math.min(Math.max(page.limit ?? 200, 1), 100_000);
  const sort = page.sort ?? DEFAULT_ITEM_SORT;
  if (!Object.hasOwn(SORTS, sort)) throw new DashboardError('invalid', `Sort “${String(sort)}”: use one of ${ITEM_SORTS.join(', ')}`);
  const offset = Math.max(page.offset ?? 0, 0);
  return db.asUser(claims, async (sql) => {
    const info = await readScope(sql, scope);
    if (filter.deal && !info.deals.some((deal) => deal.id === filter.deal))
      throw new DashboardError('invalid', 'Filter “deal”: not a deal of this workspace');
    if (filter.deal && info.deal && filter.deal !== info.deal.id) throw new DashboardError('invalid', 'Filter “deal”: not this deal');
    if (filter.workstream && !info.workstreams.some((workstream) => workstream.id === filter.workstream)) {
      throw new DashboardError('invalid', `Filter “workstream”: not a workstream of this ${info.deal ? 'deal' : 'workspace'}`);
    }
    if (filter.owner && filter.owner !== 'unassigned' && !info.members.some((member) => member.id === filter.owner)) {
      throw new DashboardError('invalid', 'Filter “owner”: not a member of this workspace');
    }
    // The checklists listed in the scope that the filters keep, in checklist order: the items are read by these ids
    // (their titles and workstreams come from here), so no listed item is joined to a checklist row, and the list's
    // order follows the checklist's place here (docs/decisions/143).
    if (filter.checklist && !info.checklists.some((checklist) => checklist.id === filter.checklist)) {
      throw new DashboardError('invalid', `Filter “checklist”: not a checklist of this ${info.deal ? 'deal' : 'workspace'}`);
    }
    const checklists = info.checklists.filter(
      (checklist) =>
        (!filter.deal || checklist.dealId === filter.deal) &&
        (!filter.workstream || checklist.workstreamId === filter.workstream) &&
        (!filter.checklist || checklist.id === filter.checklist),
    );
    const params: unknown[] = [info.workspace.id, checklists.map((checklist) => checklist.id)];
    const add = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    // Conditions on the item's own columns; the same on the counts table where they exist there.
    const conditions: string[] = [];
    if (filter.owner === 'unassigned') conditions.push(`ci.owner_id is null`);
    else if (filter.owner) conditions.push(`ci.owner_id = ${add(filter.owner)}`);
    if (filter.risk === 'none') conditions.push(`ci.risk is null`);
    else if (filter.risk) conditions.push(`ci.risk = ${add(filter.risk)}`);
    if (filter.status === 'open') conditions.push(`ci.status <> 'done'`);
    else if (filter.status) conditions.push(`ci.status = ${add(filter.status)}`);
    const countConditions = [...conditions];
    if (filter.due === 'overdue') conditions.push(`ci.status <> 'done' and ci.due_date < ${add(today)}::date`);
    if (filter.due === 'this-week') {
      conditions.push(`ci.status <> 'done' and ci.due_date >= ${add(today)}::date and ci.due_date <= ${add(weekEnd(today))}::date`);
    }
    if (filter.due === 'none') conditions.push(`ci.due_date is null`);
    if (filter.dueFrom) conditions.push(`ci.due_date >= ${add(filter.dueFrom)}::date`);
    if (filter.dueTo) conditions.push(`ci.due_date <= ${add(filter.dueTo)}::date`);
    const countable = conditions.length === countConditions.length;
    const where = [`ci.workspace_id = $1`, ...conditions].join(' and ');
    // The listed checklists with their place in checklist order; items are joined to these, never to public.checklists.
    const inListed = `join unnest($2::uuid[]) with ordinality as l(id, place) on l.id = ci.checklist_id`;
    const columns = (
      alias: string,
    ) => `${alias}.checklist_id, ${alias}.item_id, ${alias}.section_title, ${alias}.position, ${alias}.title, ${alias}.reference,
                ${alias}.status, ${alias}.owner_id, ${alias}.due_date::text as due_date, ${alias}.risk, ${alias}.figures,
                to_char(${alias}.updated_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as updated_at, ${alias}.updated_by, ${alias}.content_fingerprint`;
    // The sorted column (undated or unnumbered items last either way), then checklist order and the item's place.
    const [column, descending] = SORTS[sort];
    const order = (sorted: string, place: string, alias: string) =>
      `${sorted}${descending ? ' desc' : ''} nulls last, ${place}, ${alias}.position, ${alias}.item_id`;
    const review = (alias: string) => `left join lateral (
             select case when ap.decision = 'sent_back' then 'sent_back'
                         when ap.fingerprint is distinct from ${alias}.content_fingerprint then 'changed_since_approval'
                         else 'approved' end as state,
                    ap.decided_by, to_char(ap.decided_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as decided_at
               from public.item_approvals ap
              where ap.checklist_id = ${alias}.checklist_id and ap.item_id = ${alias}.item_id
              order by ap.id desc limit 1
           ) a on true`;
    let rows: ListRow[];
    let total: number;
    if (filter.verified) {
      // Whether an item is verified is known only once its review state is read: read for every match, counted with them.
      const verified = filter.verified === 'yes' ? `a.state = 'approved'` : `a.state is distinct from 'approved'`;
      const text = `select ${columns('ci')}, a.state, a.decided_by, a.decided_at, count(*) over () as total
           from public.checklist_items ci ${inListed} ${review('ci')}
          where ${where} and ${verified}
          order by ${order(`ci.${column}`, 'l.place', 'ci')} limit ${add(limit)} offset ${add(offset)}`;
      rows = (await sql.query<ListRow>(text, params)).rows;
      total = rows.length ? Number(rows[0]!.total) : 0;
    } else {
      // Otherwise the page is picked by its keys alone (a top-N sort of narrow rows), then only its rows are read
      // whole, with their review states; the matches are counted on their own, from the pre-aggregated counts when
      // every filter is a column of those. A count(*) over () in the page's query would carry every match, figures
      // and all, through the sort (docs/decisions/143).
      const countParams = [...params];
      const text = `with page as (
           select ci.checklist_id, ci.item_id, ci.${column} as sorted, l.place, ci.position
             from public.checklist_items ci ${inListed}
            where ${where}
            order by ${order(`ci.${column}`, 'l.place', 'ci')} limit ${add(limit)} offset ${add(offset)}
         )
         select ${columns('m')}, a.state, a.decided_by, a.decided_at
           from page p join public.checklist_items m on m.checklist_id = p.checklist_id and m.item_id = p.item_id ${review('m')}
          order by ${order('p.sorted', 'p.place', 'p')}`;
      rows = (await sql.query<ListRow>(text, params)).rows;
      const { rows: counted } = countable
        ? await sql.query<{ total: number }>(
            `select coalesce(sum(ci.items), 0)::int as total from public.checklist_item_counts ci
              where ${[`ci.workspace_id = $1`, `ci.checklist_id = any($2::uuid[])`, ...countConditions].join(' and ')}`,
            countParams,
          )
        : await sql.query<{ total: number }>(
            `select count(*)::int as total from public.checklist_items ci where ${where} and ci.checklist_id = any($2::uuid[])`,
            countParams,
          );
      total = counted[0]?.total ?? 0;
    }
    const byId = new Map(info.checklists.map((checklist) => [checklist.id, checklist]));
    const deals = new Map(info.deals.map((deal) => [deal.id, deal.name]));
    const workstreams = new Map(info.workstreams.map((workstream) => [workstream.id, workstream.name]));
    const names = new Map(info.members.map((member) => [member.id, member.name]));
    return {
      scope: info,
      filter,
      sort,
      total,
      limit,
      offset,
      items: rows.map((row) => listed(row, byId, deals, workstreams, names)),
    };
  });
}

function listed(
  row: ListRow,
  checklists: Map<string, ScopeChecklist>,
  deals: Map<string, string>,
  workstreams: Map<string, string>,
  names: Map<string, string>,
): ListedItem {
  const figures = storedFigures(row.figures);
  const checklist = checklists.get(row.checklist_id)!;
  return {
    checklistId: row.checklist_id,
    itemId: row.item_id,
    checklistTitle: checklist.title,
    dealId: checklist.dealId,
    dealName: deals.get(checklist.dealId) ?? '',
    workstreamId: checklist.workstreamId,
    workstreamName: workstreams.get(checklist.workstreamId) ?? '',
    sectionTitle: row.section_title,
    title: row.title,
    reference: row.reference,
    status: ((ITEM_STATUSES as readonly string[]).includes(row.status) ? row.status : 'not_started') as ItemStatus,
    ownerId: row.owner_id,
    ownerName: row.owner_id ? (names.get(row.owner_id) ?? 'Former member') : null,
    dueDate: row.due_date,
    risk: (RISK_LEVELS as readonly string[]).includes(row.risk ?? '') ? (row.risk as RiskLevel) : null,
    figures,
    figureIssues: Object.fromEntries(figureIssues(figures)),
    review: {
      state: row.state ?? 'none',
      decidedBy: row.decided_by ? (names.get(row.decided_by) ?? 'Former member') : null,
      decidedAt: row.decided_at,
    },
    updatedAt: row.updated_at,
    updatedBy: row.updated_by ? (names.get(row.updated_by) ?? 'Former member') : null,
  };
}

/** Sets or clears a deal's target signing date, as the user (editors and owners, by the deals policy). */
export async function setTargetSigningDate(db: Database, claims: JwtClaims, dealId: string, date: string | null): Promise<boolean> {
  if (date !== null && !isoDay.safeParse(date).success) throw new DashboardError('invalid', 'Use a date like 2026-12-31');
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{ id: string }>(
      `update public.deals set target_signing_date = $2::date where id = $1 and public.can_edit_workspace(workspace_id) returning id`,
      [dealId, date],
    );
    return rows.length === 1;
  });
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Progress and figures for the home and deal pages                                                              */
/* ------------------------------------------------------------------------------------------------------------ */

/** Which rows: the deals of some workspaces (the home page), or one deal (the deal page). */
export type ProgressScope = { workspaceIds: readonly string[] } | { dealId: string };

/** The listed (not archived, decision 153) checklists of a scope: read once, then passed to each read as an array. */
async function listedChecklistIds(sql: Sql, scope: ProgressScope): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(
    `select c.id from public.checklists c
      where ${'dealId' in scope ? 'c.deal_id = $1' : 'c.workspace_id = any($1::uuid[])'} and ${listedChecklists('c.id', 'dealId' in scope)}`,
    ['dealId' in scope ? scope.dealId : [...scope.workspaceIds]],
  );
  return rows.map((row) => row.id);
}

function progressScopeWhere(scope: ProgressScope, alias: string, start: number, listed: string[]): { clause: string; params: unknown[] } {
  const checklists = `${alias}.checklist_id = any($${start + 1}::uuid[])`;
  return 'dealId' in scope
    ? { clause: `${alias}.deal_id = $${start} and ${checklists}`, params: [scope.dealId, listed] }
    : { clause: `${alias}.workspace_id = any($${start}::uuid[]) and ${checklists}`, params: [[...scope.workspaceIds], listed] };
}

/**
 * Progress per deal or checklist from the pre-aggregated counts; overdue from the partial index on open items'
 * due dates. Costs what the scope holds, whatever other workspaces hold.
 */
export async function progressBy(sql: Sql, key: 'deal_id' | 'checklist_id', scope: ProgressScope, today: string): Promise<Map<string, Progress>> {
  const listed = await listedChecklistIds(sql, scope);
  const where = progressScopeWhere(scope, 'c', 1, listed);
  const { rows } = await sql.query<{ key: string; status: string; items: number | string }>(
    `select c.${key} as key, c.status, sum(c.items) as items from public.checklist_item_counts c where ${where.clause} group by 1, 2`,
    where.params,
  );
  const dated = progressScopeWhere(scope, 'ci', 2, listed);
  const { rows: late } = await sql.query<{ key: string; overdue: number | string }>(
    `select ci.${key} as key, count(*) as overdue from public.checklist_items ci
      where ${'dealId' in scope ? `ci.workspace_id = (select d.workspace_id from public.deals d where d.id = $2) and ${dated.clause}` : dated.clause}
        and ci.status <> 'done' and ci.due_date is not null and ci.due_date < $1::date
      group by 1`,
    [today, ...dated.params],
  );
  const result = new Map<string, Progress>();
  const of = (id: string) => {
    let progress = result.get(id);
    if (!progress) {
      progress = { total: 0, done: 0, blocked: 0, overdue: 0, needsReview: 0 };
      result.set(id, progress);
    }
    return progress;
  };
  for (const row of rows) {
    const progress = of(row.key);
    const items = Number(row.items);
    progress.total += items;
    if (row.status === 'done') progress.done += items;
    if (row.status === 'blocked') progress.blocked += items;
    if (row.status === 'needs_review') progress.needsReview += items;
  }
  for (const row of late) of(row.key).overdue += Number(row.overdue);
  return result;
}

/** An item's figures (a roll-up input: `key` names the item) and the deal or checklist it counts for. */
export interface GroupedFigures {
  group: string;
  key: string;
  figures: Figure[];
  verified: boolean;
}

/** Per group (deal, checklist, ...), the roll-ups of its items' figures. */
export function rollupsByGroup(
  rows: readonly GroupedFigures[],
  groupOf: (row: GroupedFigures) => string | undefined = (row) => row.group,
): Map<string, FigureRollup[]> {
  const grouped = new Map<string, GroupedFigures[]>();
  for (const row of rows) {
    const group = groupOf(row);
    if (group === undefined) continue;
    grouped.set(group, [...(grouped.get(group) ?? []), row]);
  }
  return new Map([...grouped].map(([group, items]) => [group, rollupFigures(items)]));
}

/** The items with figures of the scope (partial index on deal_id), with the key column and whether each is approved. */
export async function figuresBy(sql: Sql, key: 'deal_id' | 'checklist_id', scope: ProgressScope): Promise<GroupedFigures[]> {
  const deals = 'dealId' in scope ? 'ci.deal_id = $1' : `ci.deal_id in (select d.id from public.deals d where d.workspace_id = any($1::uuid[]))`;
  const { rows } = await sql.query<{ group_key: string; checklist_id: string; item_id: string; figures: unknown; state: string | null }>(
    `select ci.${key} as group_key, ci.checklist_id, ci.item_id, ci.figures, case when ${approvedSql} then 'approved' end as state
       from public.checklist_items ci
       ${latestDecision}
      where ${deals} and ci.figures <> '[]'::jsonb and ci.checklist_id = any($2::uuid[])`,
    ['dealId' in scope ? scope.dealId : [...scope.workspaceIds], await listedChecklistIds(sql, scope)],
  );
  return rows.map((row) => ({
    group: row.group_key,
    key: `${row.checklist_id}/${row.item_id}`,
    figures: storedFigures(row.figures),
    verified: row.state === 'approved',
  }));
}

/* ------------------------------------------------------------------------------------------------------------ */
/* A deal's report: what the CSV, XLSX and printable status report hold                                          */
/* ------------------------------------------------------------------------------------------------------------ */

export interface ReportSignoff {
  checklistId: string;
  checklistTitle: string;
  signedBy: string | null;
  signedAt: string;
  itemCount: number;
}

export interface DealReport {
  dashboard: Dashboard;
  /** Every item of the deal, in workstream, checklist and document order. */
  items: ListedItem[];
  signoffs: ReportSignoff[];
  generatedAt: string;
}

/** Everything a deal's exports show, read as the caller (404 DashboardError for a deal they cannot see). */
export async function getDealReport(db: Database, claims: JwtClaims, dealId: string, today: string, now: Date = new Date()): Promise<DealReport> {
  const dashboard = await getDashboard(db, claims, { kind: 'deal', dealId }, today);
  const list = await listItems(db, claims, { kind: 'deal', dealId }, {}, today, { limit: 100_000 });
  const order = new Map(
    dashboard.workstreams.flatMap((workstream, w) => workstream.checklists.map((checklist, c) => [checklist.id, w * 10_000 + c] as const)),
  );
  const position = new Map(list.items.map((item, index) => [item, index]));
  const items = [...list.items].sort((a, b) => (order.get(a.checklistId) ?? 0) - (order.get(b.checklistId) ?? 0) || 0);
  // listItems orders by due date for people; a report reads in checklist order.
  const byDocument = await db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{ checklist_id: string; item_id: string; position: string }>(
      `select ci.checklist_id, ci.item_id, ci.position from public.checklist_items ci where ci.workspace_id = $1 and ci.deal_id = $2`,
      [dashboard.scope.workspace.id, dealId],
    );
    return new Map(rows.map((row) => [`${row.checklist_id}/${row.item_id}`, row.position]));
  });
  items.sort((a, b) => {
    const byChecklist = (order.get(a.checklistId) ?? 0) - (order.get(b.checklistId) ?? 0);
    if (byChecklist !== 0) return byChecklist;
    const pa = byDocument.get(`${a.checklistId}/${a.itemId}`) ?? '';
    const pb = byDocument.get(`${b.checklistId}/${b.itemId}`) ?? '';
    return pa < pb ? -1 : pa > pb ? 1 : (position.get(a) ?? 0) - (position.get(b) ?? 0);
  });
  const signoffs = await db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{
      checklist_id: string;
      title: string;
      signed_by: string | null;
      signed_at: string;
      item_count: number | string;
    }>(
      `select s.checklist_id, c.title, s.signed_by,
              to_char(s.signed_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as signed_at, s.item_count
         from public.checklist_signoffs s join public.checklists c on c.id = s.checklist_id
        where s.workspace_id = $1 and c.deal_id = $2
        order by s.signed_at, s.id`,
      [dashboard.scope.workspace.id, dealId],
    );
    const names = new Map(dashboard.scope.members.map((member) => [member.id, member.name]));
    return rows.map((row) => ({
      checklistId: row.checklist_id,
      checklistTitle: row.title,
      signedBy: row.signed_by ? (names.get(row.signed_by) ?? 'Former member') : null,
      signedAt: row.signed_at,
      itemCount: Number(row.item_count),
    }));
  });
  return { dashboard, items, signoffs, generatedAt: now.toISOString() };
}

/** Records that the caller exported a deal (audit trail, as themselves); refused for a deal they cannot see. */
export async function recordDealExport(
  db: Database,
  claims: JwtClaims,
  input: { workspaceId: string; dealId: string; format: 'csv' | 'xlsx' | 'html' | 'pdf'; items: number },
): Promise<void> {
  await db.asUser(claims, (sql) =>
    recordAuditEvent(sql, {
      workspaceId: input.workspaceId,
      dealId: input.dealId,
      kind: 'deal_exported',
      field: 'format',
      newValue: { format: input.format, items: input.items },
    }),
  );
}
