import { z } from 'zod';
import type { Database, JwtClaims, Sql } from './types.ts';
import { DataAccessError, type DataAccessKind } from './errors.ts';

/**
 * Workspaces as the signed-in user sees them. Every function runs as that user (`db.asUser`), so Row Level Security
 * decides; refusals come back as a TenancyError with a code the app can branch on.
 */
import { memberRoles, type MemberRole } from './roles.ts';

export { memberRoles, type MemberRole };

export type TenancyErrorCode =
  | 'forbidden'
  | 'not_found'
  | 'invalid_input'
  | 'conflict'
  | 'last_owner'
  | 'already_member'
  | 'invitation_invalid'
  | 'invitation_expired'
  | 'invitation_used'
  | 'invitation_email_mismatch';

const TENANCY_KINDS: Record<TenancyErrorCode, DataAccessKind> = {
  forbidden: 'forbidden',
  not_found: 'not_found',
  invalid_input: 'invalid',
  conflict: 'conflict',
  last_owner: 'conflict',
  already_member: 'conflict',
  invitation_invalid: 'not_found',
  invitation_expired: 'gone',
  invitation_used: 'gone',
  invitation_email_mismatch: 'forbidden',
};

/** A workspace, member or invitation refusal: a DataAccessError whose code says which (docs/decisions/015). */
export class TenancyError extends DataAccessError<TenancyErrorCode> {
  override name = 'TenancyError';
  constructor(code: TenancyErrorCode, message: string, options?: { cause?: unknown }) {
    super(TENANCY_KINDS[code], message, { ...options, code });
  }
}

/** Custom SQLSTATEs raised by supabase/migrations/20261122000300_tenancy.sql. */
const sqlStateCodes: Record<string, TenancyErrorCode> = {
  TO001: 'last_owner',
  TO002: 'invitation_invalid',
  TO003: 'invitation_expired',
  TO004: 'invitation_used',
  TO005: 'invitation_email_mismatch',
  TO006: 'already_member',
};

/** Turns a database refusal into a TenancyError; anything else (a lost connection, a bug) is rethrown as is. */
export function toTenancyError(error: unknown, refusal: string): unknown {
  if (error instanceof TenancyError) return error;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string') return error;
  const mapped = sqlStateCodes[code];
  if (mapped) return new TenancyError(mapped, String(message), { cause: error });
  switch (code) {
    case '42501': // insufficient_privilege: a missing grant or a row-level security policy
      return new TenancyError('forbidden', refusal, { cause: error });
    case '23514': // check_violation
    case '23502': // not_null_violation
    case '22001': // string_data_right_truncation
    case '22P02': // invalid_text_representation (a bad uuid or role)
      return new TenancyError('invalid_input', `Invalid input: ${String(message)}`, { cause: error });
    case '23505':
      return new TenancyError('conflict', `Already exists: ${String(message)}`, { cause: error });
    case '23503':
      return new TenancyError('not_found', 'A referenced workspace or user does not exist', { cause: error });
    default:
      return error;
  }
}

/** One transaction as `claims`' user, refusals translated. */
export async function runAsUser<T>(db: Database, claims: JwtClaims, refusal: string, work: (sql: Sql) => Promise<T>): Promise<T> {
  try {
    return await db.asUser(claims, work);
  } catch (error) {
    throw toTenancyError(error, refusal);
  }
}

export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new TenancyError('invalid_input', `Invalid input: ${where}${issue?.message ?? 'not valid'}`);
  }
  return parsed.data;
}

export const uuidSchema = z.uuid();
export const roleSchema = z.enum(memberRoles);
const nameSchema = z.string().trim().min(1, 'a name is required').max(120, 'at most 120 characters');

export function isoTimestamp(value: unknown): string {
  return new Date(value as string | Date).toISOString();
}

export interface Workspace {
  id: string;
  name: string;
  createdBy: string | null;
  createdAt: string;
}

/** A workspace with the caller's role in it. */
export interface MyWorkspace extends Workspace {
  role: MemberRole;
  memberCount: number;
}

type MyWorkspaceRow = {
  id: string;
  name: string;
  created_by: string | null;
  created_at: unknown;
  role: MemberRole;
  member_count: number;
};

const myWorkspaceSelect = `
  select w.id, w.name, w.created_by, w.created_at, m.role,
    (select count(*)::int from public.workspace_members all_members where all_members.workspace_id = w.id) as member_count
  from public.workspaces w
  join public.workspace_members m on m.workspace_id = w.id and m.user_id = auth.uid()`;

function toMyWorkspace(row: MyWorkspaceRow): MyWorkspace {
  return {
    id: row.id,
    name: row.name,
    createdBy: row.created_by,
    createdAt: isoTimestamp(row.created_at),
    role: row.role,
    memberCount: row.member_count,
  };
}

async function selectMyWorkspace(sql: Sql, workspaceId: string): Promise<MyWorkspace | undefined> {
  const { rows } = await sql.query<MyWorkspaceRow>(`${myWorkspaceSelect} where w.id = $1`, [workspaceId]);
  return rows[0] && toMyWorkspace(rows[0]);
}

const notFound = () => new TenancyError('not_found', 'Workspace not found (or you are not a member of it)');

/** Creates a workspace; the database makes its creator the owner (trigger on_workspace_created). */
export async function createWorkspace(db: Database, claims: JwtClaims, input: { name: string }): Promise<MyWorkspace> {
  const { name } = parseInput(z.object({ name: nameSchema }), input);
  return runAsUser(db, claims, 'Only signed-in users can create a workspace', async (sql) => {
    const { rows } = await sql.query<{ id: string }>(`insert into public.workspaces (name) values ($1) returning id`, [name]);
    const created = rows[0] && (await selectMyWorkspace(sql, rows[0].id));
    if (!created) throw new Error('The new workspace has no owner membership: is the on_workspace_created trigger missing?');
    return created;
  });
}

/** The caller's workspaces with the caller's role, by name. */
export async function listMyWorkspaces(db: Database, claims: JwtClaims): Promise<MyWorkspace[]> {
  return runAsUser(db, claims, 'Not allowed to list workspaces', async (sql) => {
    const { rows } = await sql.query<MyWorkspaceRow>(`${myWorkspaceSelect} order by lower(w.name), w.created_at`);
    return rows.map(toMyWorkspace);
  });
}

export async function getWorkspace(db: Database, claims: JwtClaims, workspaceId: string): Promise<MyWorkspace> {
  const id = parseInput(uuidSchema, workspaceId);
  return runAsUser(db, claims, 'Not allowed to read this workspace', async (sql) => {
    const workspace = await selectMyWorkspace(sql, id);
    if (!workspace) throw notFound();
    return workspace;
  });
}

/** Owners only. */
export async function renameWorkspace(db: Database, claims: JwtClaims, input: { workspaceId: string; name: string }): Promise<MyWorkspace> {
  const { workspaceId, name } = parseInput(z.object({ workspaceId: uuidSchema, name: nameSchema }), input);
  return runAsUser(db, claims, 'Only owners can rename a workspace', async (sql) => {
    const { rows } = await sql.query(`update public.workspaces set name = $2 where id = $1 returning id`, [workspaceId, name]);
    if (rows.length === 0) throw await explainRefusal(sql, workspaceId, 'Only owners can rename a workspace');
    return (await selectMyWorkspace(sql, workspaceId))!;
  });
}

/** Owners only; deletes everything in the workspace. */
export async function deleteWorkspace(db: Database, claims: JwtClaims, workspaceId: string): Promise<void> {
  const id = parseInput(uuidSchema, workspaceId);
  await runAsUser(db, claims, 'Only owners can delete a workspace', async (sql) => {
    const { rows } = await sql.query(`delete from public.workspaces where id = $1 returning id`, [id]);
    if (rows.length === 0) throw await explainRefusal(sql, id, 'Only owners can delete a workspace');
  });
}

/**
 * RLS hides rows instead of raising, so a statement that touched nothing is explained afterwards:
 * not a member → not_found (nothing is revealed); a member → forbidden.
 */
export async function explainRefusal(sql: Sql, workspaceId: string, forbidden: string): Promise<TenancyError> {
  const { rows } = await sql.query<{ role: MemberRole | null }>(`select public.workspace_role($1) as role`, [workspaceId]);
  return rows[0]?.role ? new TenancyError('forbidden', forbidden) : notFound();
}
