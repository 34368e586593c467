import { z } from 'zod';
import { isMemberRole, type MemberRole } from './roles.ts';
import { DEAL_STAGES, STRUCTURE_KINDS, type DealStage, type StructureKind } from './structure-kinds.ts';
import type { Database, JwtClaims, Sql } from './types.ts';
import { parseInput, runAsUser, TenancyError, uuidSchema } from './workspaces.ts';

/**
 * Renaming, archiving and deleting deals, workstreams and checklists, and a deal's stage
 * (docs/decisions/153-archive-rename-delete.md). The database decides: deletes are owner-only policies, renames and
 * archiving an owner-only trigger (supabase/migrations/20261202000600_archive_rename_delete.sql), a stage change the
 * editors' update policy. These functions run as the user and give each refusal a clear message first.
 */

/**
 * SQL condition: the checklist in `column` is listed (lists, dashboards, search). Archived checklists and those of an
 * archived workstream never are; those of an archived deal are not, except on that deal's own pages (`withinDeal`),
 * which are opened from the Archived view. Reads public.checklist_listing with the caller's rights.
 */
export function listedChecklists(column: string, withinDeal: boolean): string {
  return `${column} in (select l.id from public.checklist_listing l where not l.hidden${withinDeal ? '' : ' and not l.deal_archived'})`;
}

export { DEAL_STAGE_LABELS, DEAL_STAGES, isDealStage, STRUCTURE_KINDS, type DealStage, type StructureKind } from './structure-kinds.ts';

const TABLES: Record<StructureKind, { table: string; name: string }> = {
  deal: { table: 'public.deals', name: 'name' },
  workstream: { table: 'public.workstreams', name: 'name' },
  checklist: { table: 'public.checklists', name: 'title' },
};

const NOUN: Record<StructureKind, string> = { deal: 'deal', workstream: 'workstream', checklist: 'checklist' };

export const ONLY_OWNERS = (kind: StructureKind, verb: string) =>
  `Only owners of this workspace can ${verb} a ${NOUN[kind]}. Ask an owner to do it, or to make you an owner.`;

const missing = (kind: StructureKind) => `This ${NOUN[kind]} does not exist or you do not have access to it.`;

const kindSchema = z.enum(STRUCTURE_KINDS);
/** The database allows 1 to 200 characters for each of the three names. */
export const structureNameSchema = z.string().trim().min(1, 'Enter a name').max(200, 'Use at most 200 characters');

interface Located {
  workspaceId: string;
  dealId: string;
  name: string;
  archived: boolean;
  role: MemberRole | null;
}

/** The row as the caller sees it (RLS), with their role; not_found when it does not exist for them. */
async function locate(sql: Sql, kind: StructureKind, id: string): Promise<Located> {
  const { table, name } = TABLES[kind];
  const deal = kind === 'deal' ? 't.id' : 't.deal_id';
  const { rows } = await sql.query<{ workspace_id: string; deal_id: string; name: string; archived: boolean; role: string | null }>(
    `select t.workspace_id, ${deal} as deal_id, t.${name} as name, t.archived_at is not null as archived,
            public.workspace_role(t.workspace_id)::text as role
       from ${table} t where t.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row || !isMemberRole(row.role)) throw new TenancyError('not_found', missing(kind));
  return { workspaceId: row.workspace_id, dealId: row.deal_id, name: row.name, archived: row.archived, role: row.role };
}

function requireOwner(kind: StructureKind, found: Located, verb: string): void {
  if (found.role !== 'owner') throw new TenancyError('forbidden', ONLY_OWNERS(kind, verb));
}

export interface StructureRef {
  kind: StructureKind;
  id: string;
}

const refSchema = z.object({ kind: kindSchema, id: uuidSchema });

/** Owners rename a deal, workstream or checklist. A workstream's name stays unique in its deal (any case). */
export async function renameStructure(db: Database, claims: JwtClaims, input: StructureRef & { name: string }): Promise<{ name: string }> {
  const { kind, id, name } = parseInput(refSchema.extend({ name: structureNameSchema }), input);
  return runAsUser(db, claims, ONLY_OWNERS(kind, 'rename'), async (sql) => {
    const found = await locate(sql, kind, id);
    requireOwner(kind, found, 'rename');
    if (kind === 'workstream') {
      const { rows } = await sql.query(`select 1 from public.workstreams where deal_id = $1 and lower(name) = lower($2) and id <> $3`, [
        found.dealId,
        name,
        id,
      ]);
      if (rows.length > 0) throw new TenancyError('conflict', `This deal already has a workstream named “${name}”.`);
    }
    const { table, name: column } = TABLES[kind];
    const { rows } = await sql.query(`update ${table} set ${column} = $2 where id = $1 returning id`, [id, name]);
    if (rows.length === 0) throw new TenancyError('forbidden', ONLY_OWNERS(kind, 'rename'));
    return { name };
  });
}

/** Owners archive (hide from lists, dashboards and search, keeping everything) or unarchive. */
export async function setStructureArchived(db: Database, claims: JwtClaims, input: StructureRef & { archived: boolean }): Promise<{ name: string }> {
  const { kind, id, archived } = parseInput(refSchema.extend({ archived: z.boolean() }), input);
  const verb = archived ? 'archive' : 'unarchive';
  return runAsUser(db, claims, ONLY_OWNERS(kind, verb), async (sql) => {
    const found = await locate(sql, kind, id);
    requireOwner(kind, found, verb);
    if (found.archived === archived) return { name: found.name };
    const { rows } = await sql.query(`update ${TABLES[kind].table} set archived_at = ${archived ? 'now()' : 'null'} where id = $1 returning id`, [
      id,
    ]);
    if (rows.length === 0) throw new TenancyError('forbidden', ONLY_OWNERS(kind, verb));
    return { name: found.name };
  });
}

/** What deleting a deal, workstream or checklist takes with it, for the confirmation step. */
export interface DeletionImpact {
  kind: StructureKind;
  id: string;
  name: string;
  workstreams: number;
  checklists: number;
  items: number;
}

async function impactOf(sql: Sql, kind: StructureKind, id: string, name: string): Promise<DeletionImpact> {
  const where = kind === 'deal' ? 'c.deal_id = $1' : kind === 'workstream' ? 'c.workstream_id = $1' : 'c.id = $1';
  const { rows } = await sql.query<{ checklists: number; items: number; workstreams: number }>(
    `select count(*)::int as checklists,
            coalesce(sum((select count(*) from public.checklist_items i where i.checklist_id = c.id)), 0)::int as items,
            ${kind === 'deal' ? '(select count(*)::int from public.workstreams w where w.deal_id = $1)' : kind === 'workstream' ? '1' : '0'} as workstreams
       from public.checklists c where ${where}`,
    [id],
  );
  const row = rows[0] ?? { checklists: 0, items: 0, workstreams: 0 };
  return { kind, id, name, workstreams: row.workstreams, checklists: row.checklists, items: row.items };
}

export async function deletionImpact(db: Database, claims: JwtClaims, input: StructureRef): Promise<DeletionImpact> {
  const { kind, id } = parseInput(refSchema, input);
  return runAsUser(db, claims, ONLY_OWNERS(kind, 'delete'), async (sql) => {
    const found = await locate(sql, kind, id);
    return impactOf(sql, kind, id, found.name);
  });
}

/** The sentence a confirmation shows: what is lost for good. */
export function describeDeletion(impact: DeletionImpact): string {
  const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (impact.kind === 'deal') parts.push(count(impact.workstreams, 'workstream'));
  if (impact.kind !== 'checklist') parts.push(count(impact.checklists, 'checklist'));
  parts.push(count(impact.items, 'item'));
  return (
    `Deleting the ${NOUN[impact.kind]} “${impact.name}” removes it with ${parts.join(', ')} and their comments, files, versions and ` +
    `sign-offs, for everyone, and cannot be undone. The audit trail keeps a record of the deletion. To keep it but hide it, archive it instead.`
  );
}

/** Owners delete for good (the audit trail records it, decision 121). Returns what was deleted. */
export async function deleteStructure(db: Database, claims: JwtClaims, input: StructureRef): Promise<DeletionImpact> {
  const { kind, id } = parseInput(refSchema, input);
  return runAsUser(db, claims, ONLY_OWNERS(kind, 'delete'), async (sql) => {
    const found = await locate(sql, kind, id);
    requireOwner(kind, found, 'delete');
    const impact = await impactOf(sql, kind, id, found.name);
    const { rows } = await sql.query(`delete from ${TABLES[kind].table} where id = $1 returning id`, [id]);
    if (rows.length === 0) throw new TenancyError('forbidden', ONLY_OWNERS(kind, 'delete'));
    return impact;
  });
}

/** Owners and editors move a deal to another stage. */
export async function setDealStage(db: Database, claims: JwtClaims, input: { dealId: string; stage: DealStage }): Promise<void> {
  const { dealId, stage } = parseInput(z.object({ dealId: uuidSchema, stage: z.enum(DEAL_STAGES) }), input);
  const refusal = 'Only editors and owners of this workspace can change a deal’s stage. Ask an owner to change your role.';
  await runAsUser(db, claims, refusal, async (sql) => {
    const found = await locate(sql, 'deal', dealId);
    if (found.role !== 'owner' && found.role !== 'editor') throw new TenancyError('forbidden', refusal);
    const { rows } = await sql.query(`update public.deals set stage = $2 where id = $1 returning id`, [dealId, stage]);
    if (rows.length === 0) throw new TenancyError('forbidden', refusal);
  });
}

export interface ArchivedEntry {
  kind: StructureKind;
  id: string;
  name: string;
  archivedAt: string;
  /** The deal it belongs to (for workstreams and checklists), and the workstream (for checklists). */
  deal: { id: string; name: string } | null;
  workstream: { id: string; name: string } | null;
}

/** Everything archived in a workspace, newest first (members see it; owners may unarchive or delete). */
export async function listArchived(
  db: Database,
  claims: JwtClaims,
  workspaceId: string,
): Promise<{ role: MemberRole; workspaceName: string; entries: ArchivedEntry[] }> {
  const id = parseInput(uuidSchema, workspaceId);
  return runAsUser(db, claims, 'Not allowed to read this workspace', async (sql) => {
    const { rows: workspaces } = await sql.query<{ name: string; role: string | null }>(
      `select name, public.workspace_role(id)::text as role from public.workspaces where id = $1`,
      [id],
    );
    const workspace = workspaces[0];
    if (!workspace || !isMemberRole(workspace.role))
      throw new TenancyError('not_found', 'This workspace does not exist or you are not a member of it.');
    const { rows } = await sql.query<{
      kind: StructureKind;
      id: string;
      name: string;
      archived_at: unknown;
      deal_id: string | null;
      deal_name: string | null;
      workstream_id: string | null;
      workstream_name: string | null;
    }>(
      `select 'deal' as kind, d.id, d.name, d.archived_at, null::uuid as deal_id, null as deal_name, null::uuid as workstream_id, null as workstream_name
         from public.deals d where d.workspace_id = $1 and d.archived_at is not null
       union all
       select 'workstream', w.id, w.name, w.archived_at, d.id, d.name, null, null
         from public.workstreams w join public.deals d on d.id = w.deal_id where w.workspace_id = $1 and w.archived_at is not null
       union all
       select 'checklist', c.id, c.title, c.archived_at, d.id, d.name, w.id, w.name
         from public.checklists c join public.deals d on d.id = c.deal_id join public.workstreams w on w.id = c.workstream_id
        where c.workspace_id = $1 and c.archived_at is not null
       order by 4 desc, 3`,
      [id],
    );
    return {
      role: workspace.role,
      workspaceName: workspace.name,
      entries: rows.map((row) => ({
        kind: row.kind,
        id: row.id,
        name: row.name,
        archivedAt: new Date(row.archived_at as string).toISOString(),
        deal: row.deal_id && row.deal_name ? { id: row.deal_id, name: row.deal_name } : null,
        workstream: row.workstream_id && row.workstream_name ? { id: row.workstream_id, name: row.workstream_name } : null,
      })),
    };
  });
}
