import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Database, JwtClaims, Sql } from './types.ts';
import { TenancyError, explainRefusal, isoTimestamp, parseInput, roleSchema, runAsUser, uuidSchema, type MemberRole } from './workspaces.ts';

/** Members and invitations of a workspace, as the signed-in user (RLS decides; see workspaces.ts). */
export interface Member {
  workspaceId: string;
  userId: string;
  role: MemberRole;
  email: string;
  displayName: string;
  joinedAt: string;
}

type MemberRow = {
  workspace_id: string;
  user_id: string;
  role: MemberRole;
  email: string;
  display_name: string;
  created_at: unknown;
};

const memberSelect = `
  select m.workspace_id, m.user_id, m.role, p.email, p.display_name, m.created_at
  from public.workspace_members m join public.profiles p on p.id = m.user_id`;

function toMember(row: MemberRow): Member {
  return {
    workspaceId: row.workspace_id,
    userId: row.user_id,
    role: row.role,
    email: row.email,
    displayName: row.display_name,
    joinedAt: isoTimestamp(row.created_at),
  };
}

const roleOrder = `array_position(array['owner','editor','reviewer','viewer']::public.member_role[], m.role)`;

async function requireMembership(sql: Sql, workspaceId: string): Promise<MemberRole> {
  const { rows } = await sql.query<{ role: MemberRole | null }>(`select public.workspace_role($1) as role`, [workspaceId]);
  const role = rows[0]?.role;
  if (!role) throw new TenancyError('not_found', 'Workspace not found (or you are not a member of it)');
  return role;
}

/** The signed-in user's own profile (display name and email), or null when it has none yet. */
export async function ownProfile(db: Database, claims: JwtClaims): Promise<{ displayName: string; email: string } | null> {
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{ display_name: string; email: string }>('select display_name, email from public.profiles where id = $1', [
      claims.sub,
    ]);
    const row = rows[0];
    return row ? { displayName: row.display_name, email: row.email } : null;
  });
}

/** Everyone in the workspace with their profile; members only. */
export async function listMembers(db: Database, claims: JwtClaims, workspaceId: string): Promise<Member[]> {
  const id = parseInput(uuidSchema, workspaceId);
  return runAsUser(db, claims, 'Not allowed to list members', async (sql) => {
    await requireMembership(sql, id);
    const { rows } = await sql.query<MemberRow>(`${memberSelect} where m.workspace_id = $1 order by ${roleOrder}, lower(p.display_name)`, [id]);
    return rows.map(toMember);
  });
}

const memberKey = z.object({ workspaceId: uuidSchema, userId: uuidSchema });

/** Owners only; the last owner cannot be demoted (enforced by the database). */
export async function changeMemberRole(
  db: Database,
  claims: JwtClaims,
  input: { workspaceId: string; userId: string; role: MemberRole },
): Promise<Member> {
  const { workspaceId, userId, role } = parseInput(memberKey.extend({ role: roleSchema }), input);
  const refusal = 'Only owners can change roles';
  return runAsUser(db, claims, refusal, async (sql) => {
    const { rows } = await sql.query(`update public.workspace_members set role = $3 where workspace_id = $1 and user_id = $2 returning user_id`, [
      workspaceId,
      userId,
      role,
    ]);
    if (rows.length === 0) throw await explainMemberRefusal(sql, workspaceId, userId, refusal);
    const updated = await sql.query<MemberRow>(`${memberSelect} where m.workspace_id = $1 and m.user_id = $2`, [workspaceId, userId]);
    return toMember(updated.rows[0]!);
  });
}

/** Owners only; the last owner cannot be removed (enforced by the database). */
export async function removeMember(db: Database, claims: JwtClaims, input: { workspaceId: string; userId: string }): Promise<void> {
  const { workspaceId, userId } = parseInput(memberKey, input);
  const refusal = 'Only owners can remove members';
  await runAsUser(db, claims, refusal, async (sql) => {
    const { rows } = await sql.query(`delete from public.workspace_members where workspace_id = $1 and user_id = $2 returning user_id`, [
      workspaceId,
      userId,
    ]);
    if (rows.length === 0) throw await explainMemberRefusal(sql, workspaceId, userId, refusal);
  });
}

/** Leaves a workspace; its last owner cannot (make someone else an owner first). */
export async function leaveWorkspace(db: Database, claims: JwtClaims, workspaceId: string): Promise<void> {
  await removeMember(db, claims, { workspaceId, userId: claims.sub });
}

async function explainMemberRefusal(sql: Sql, workspaceId: string, userId: string, forbidden: string): Promise<TenancyError> {
  const refusal = await explainRefusal(sql, workspaceId, forbidden);
  if (refusal.code !== 'forbidden') return refusal;
  const { rows } = await sql.query(`select 1 from public.workspace_members where workspace_id = $1 and user_id = $2`, [workspaceId, userId]);
  return rows.length === 0 ? new TenancyError('not_found', 'That user is not a member of this workspace') : refusal;
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface Invitation {
  id: string;
  workspaceId: string;
  email: string;
  role: MemberRole;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  acceptedBy: string | null;
  revokedAt: string | null;
  status: InvitationStatus;
}

type InvitationRow = {
  id: string;
  workspace_id: string;
  email: string;
  role: MemberRole;
  invited_by: string | null;
  created_at: unknown;
  expires_at: unknown;
  accepted_at: unknown;
  accepted_by: string | null;
  revoked_at: unknown;
  expired: boolean;
};

const invitationSelect = `
  select i.id, i.workspace_id, i.email, i.role, i.invited_by, i.created_at, i.expires_at, i.accepted_at, i.accepted_by,
    i.revoked_at, i.expires_at <= now() as expired
  from public.workspace_invitations i`;

function toInvitation(row: InvitationRow): Invitation {
  const optional = (value: unknown) => (value === null || value === undefined ? null : isoTimestamp(value));
  const status: InvitationStatus = row.accepted_at ? 'accepted' : row.revoked_at ? 'revoked' : row.expired ? 'expired' : 'pending';
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    email: row.email,
    role: row.role,
    invitedBy: row.invited_by,
    createdAt: isoTimestamp(row.created_at),
    expiresAt: isoTimestamp(row.expires_at),
    acceptedAt: optional(row.accepted_at),
    acceptedBy: row.accepted_by,
    revokedAt: optional(row.revoked_at),
    status,
  };
}

export const INVITATION_DEFAULT_TTL_SECONDS = 7 * 24 * 3600;
const INVITATION_MAX_TTL_SECONDS = 30 * 24 * 3600;

/** The link's secret is stored only as this hash (supabase/migrations/20261122000300_tenancy.sql). */
export function invitationTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Owners invite an email address to a role. Returns the invitation and its token, shown only now: the app builds the
 * link from it. Inviting an address again replaces its open invitation (the old link stops working).
 */
export async function createInvitation(
  db: Database,
  claims: JwtClaims,
  input: { workspaceId: string; email: string; role: MemberRole; expiresInSeconds?: number },
): Promise<{ invitation: Invitation; token: string }> {
  const { workspaceId, email, role, expiresInSeconds } = parseInput(
    z.object({
      workspaceId: uuidSchema,
      email: z.string().trim().toLowerCase().pipe(z.email('not an email address').max(254)),
      role: roleSchema,
      expiresInSeconds: z.number().int().min(60).max(INVITATION_MAX_TTL_SECONDS).default(INVITATION_DEFAULT_TTL_SECONDS),
    }),
    input,
  );
  const refusal = 'Only owners can invite people to this workspace';
  const token = randomBytes(32).toString('base64url');
  return runAsUser(db, claims, refusal, async (sql) => {
    if ((await requireMembership(sql, workspaceId)) !== 'owner') throw new TenancyError('forbidden', refusal);
    const existing = await sql.query(`${memberSelect} where m.workspace_id = $1 and lower(p.email) = $2`, [workspaceId, email]);
    if (existing.rows.length > 0) throw new TenancyError('already_member', `${email} is already a member of this workspace`);
    await sql.query(
      `update public.workspace_invitations set revoked_at = now()
       where workspace_id = $1 and email = $2 and accepted_at is null and revoked_at is null`,
      [workspaceId, email],
    );
    const { rows } = await sql.query<{ id: string }>(
      `insert into public.workspace_invitations (workspace_id, email, role, token_hash, expires_at)
       values ($1, $2, $3, $4, now() + make_interval(secs => $5)) returning id`,
      [workspaceId, email, role, invitationTokenHash(token), expiresInSeconds],
    );
    const created = await sql.query<InvitationRow>(`${invitationSelect} where i.id = $1`, [rows[0]!.id]);
    return { invitation: toInvitation(created.rows[0]!), token };
  });
}

/** Owners only: every invitation of the workspace, newest first, with its status. */
export async function listInvitations(db: Database, claims: JwtClaims, workspaceId: string): Promise<Invitation[]> {
  const id = parseInput(uuidSchema, workspaceId);
  const refusal = 'Only owners can see invitations';
  return runAsUser(db, claims, refusal, async (sql) => {
    if ((await requireMembership(sql, id)) !== 'owner') throw new TenancyError('forbidden', refusal);
    const { rows } = await sql.query<InvitationRow>(`${invitationSelect} where i.workspace_id = $1 order by i.created_at desc, i.id`, [id]);
    return rows.map(toInvitation);
  });
}

/** Owners only; the link stops working. Revoking an accepted invitation does not remove the member. */
export async function revokeInvitation(db: Database, claims: JwtClaims, input: { workspaceId: string; invitationId: string }): Promise<Invitation> {
  const { workspaceId, invitationId } = parseInput(z.object({ workspaceId: uuidSchema, invitationId: uuidSchema }), input);
  const refusal = 'Only owners can revoke invitations';
  return runAsUser(db, claims, refusal, async (sql) => {
    const found = await sql.query<InvitationRow>(`${invitationSelect} where i.id = $1 and i.workspace_id = $2`, [invitationId, workspaceId]);
    const invitation = found.rows[0];
    if (!invitation) {
      if ((await requireMembership(sql, workspaceId)) !== 'owner') throw new TenancyError('forbidden', refusal);
      throw new TenancyError('not_found', 'No such invitation in this workspace');
    }
    if (invitation.accepted_at) throw new TenancyError('invitation_used', 'This invitation has already been accepted');
    const { rows } = await sql.query<InvitationRow>(
      `update public.workspace_invitations i set revoked_at = coalesce(i.revoked_at, now())
       where i.id = $1 returning i.id, i.workspace_id, i.email, i.role, i.invited_by, i.created_at, i.expires_at,
         i.accepted_at, i.accepted_by, i.revoked_at, i.expires_at <= now() as expired`,
      [invitationId],
    );
    if (rows.length === 0) throw new TenancyError('forbidden', refusal);
    return toInvitation(rows[0]!);
  });
}

/**
 * The signed-in user accepts an invitation link. public.accept_invitation checks the email in the access token
 * against the invited one, expiry and single use, then adds the membership.
 */
export async function acceptInvitation(db: Database, claims: JwtClaims, token: string): Promise<{ workspaceId: string; role: MemberRole }> {
  const parsed = parseInput(z.string().min(1, 'the invitation token is missing').max(200), token);
  return runAsUser(db, claims, 'Sign in to accept an invitation', async (sql) => {
    const { rows } = await sql.query<{ workspace_id: string; role: MemberRole }>(`select workspace_id, role from public.accept_invitation($1)`, [
      parsed,
    ]);
    return { workspaceId: rows[0]!.workspace_id, role: rows[0]!.role };
  });
}

export type InvitationState = 'open' | 'used' | 'revoked' | 'expired';

export interface InvitationPreview {
  workspaceName: string;
  role: MemberRole;
  invitedByName: string | null;
  expiresAt: string;
  state: InvitationState;
  /** The invited address, hinted: first letter and domain ("o…@tieout.dev"). */
  emailHint: string;
  /** Whether the signed-in caller's email is the invited one; null for a signed-out caller. */
  forCaller: boolean | null;
}

/**
 * What an invitation link is for, before accepting it (public.invitation_preview): null for an unknown or malformed
 * token. `claims` null asks as a signed-out visitor.
 */
export async function previewInvitation(db: Database, claims: JwtClaims | null, token: string): Promise<InvitationPreview | null> {
  const parsed = z.string().min(1).max(200).safeParse(token);
  if (!parsed.success) return null;
  const read = async (sql: Sql) => {
    const { rows } = await sql.query<{
      workspace_name: string;
      role: MemberRole;
      invited_by_name: string | null;
      expires_at: unknown;
      state: InvitationState;
      email_hint: string;
      for_caller: boolean | null;
    }>(`select * from public.invitation_preview($1)`, [parsed.data]);
    const row = rows[0];
    if (!row) return null;
    return {
      workspaceName: row.workspace_name,
      role: row.role,
      invitedByName: row.invited_by_name,
      expiresAt: isoTimestamp(row.expires_at),
      state: row.state,
      emailHint: row.email_hint,
      forCaller: row.for_caller,
    };
  };
  return claims ? db.asUser(claims, read) : db.asAnon(read);
}
