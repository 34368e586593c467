import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  acceptInvitation,
  changeMemberRole,
  createInvitation,
  createWorkspace,
  deleteWorkspace,
  leaveWorkspace,
  listInvitations,
  listMembers,
  previewInvitation,
  removeMember,
  revokeInvitation,
  TenancyError,
  type Database,
  type MemberRole,
} from '../src/index.ts';
import { createUser, migratedDatabase, type TestUser } from './tenancy.fixtures.ts';

let db: Database;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ db, dispose } = await migratedDatabase('members'));
}, 120_000);
afterAll(async () => dispose(), 60_000);

async function refusal(promise: Promise<unknown>): Promise<TenancyError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TenancyError);
  return error as TenancyError;
}

/** A fresh workspace per test: an owner, an editor, a viewer, and an outsider who owns another workspace. */
let owner: TestUser;
let editor: TestUser;
let viewer: TestUser;
let outsider: TestUser;
let workspaceId: string;

async function join(user: TestUser, role: MemberRole) {
  const { token } = await createInvitation(db, owner.claims, { workspaceId, email: user.email, role });
  return acceptInvitation(db, user.claims, token);
}

beforeEach(async () => {
  owner = await createUser(db, 'Olivia Owens');
  editor = await createUser(db, 'Eddie Ng');
  viewer = await createUser(db, 'Victor Osei');
  outsider = await createUser(db, 'Oscar Ruiz');
  workspaceId = (await createWorkspace(db, owner.claims, { name: 'Infrastructure M&A' })).id;
  await createWorkspace(db, outsider.claims, { name: 'Other Capital' });
  await join(editor, 'editor');
  await join(viewer, 'viewer');
});

describe('members', () => {
  it('lists members with their profiles, owners first, to members only', async () => {
    const members = await listMembers(db, viewer.claims, workspaceId);
    expect(members.map((m) => [m.displayName, m.role, m.email])).toEqual([
      ['Olivia Owens', 'owner', owner.email],
      ['Eddie Ng', 'editor', editor.email],
      ['Victor Osei', 'viewer', viewer.email],
    ]);
    expect((await refusal(listMembers(db, outsider.claims, workspaceId))).code).toBe('not_found');
  });

  it('lets owners change roles; others are refused and nothing changes', async () => {
    const changed = await changeMemberRole(db, owner.claims, { workspaceId, userId: viewer.id, role: 'reviewer' });
    expect(changed).toMatchObject({ userId: viewer.id, role: 'reviewer', displayName: 'Victor Osei' });
    expect((await refusal(changeMemberRole(db, editor.claims, { workspaceId, userId: viewer.id, role: 'owner' }))).code).toBe('forbidden');
    expect((await refusal(changeMemberRole(db, editor.claims, { workspaceId, userId: editor.id, role: 'owner' }))).code).toBe('forbidden');
    expect((await refusal(changeMemberRole(db, outsider.claims, { workspaceId, userId: viewer.id, role: 'owner' }))).code).toBe('not_found');
    expect((await refusal(changeMemberRole(db, owner.claims, { workspaceId, userId: outsider.id, role: 'editor' }))).code).toBe('not_found');
    expect((await refusal(changeMemberRole(db, owner.claims, { workspaceId, userId: viewer.id, role: 'admin' as MemberRole }))).code).toBe(
      'invalid_input',
    );
    const roles = Object.fromEntries((await listMembers(db, owner.claims, workspaceId)).map((m) => [m.userId, m.role]));
    expect(roles).toEqual({ [owner.id]: 'owner', [editor.id]: 'editor', [viewer.id]: 'reviewer' });
  });

  it('lets owners remove members and anyone leave; editors cannot remove others', async () => {
    expect((await refusal(removeMember(db, editor.claims, { workspaceId, userId: viewer.id }))).code).toBe('forbidden');
    expect((await refusal(removeMember(db, outsider.claims, { workspaceId, userId: viewer.id }))).code).toBe('not_found');
    await removeMember(db, owner.claims, { workspaceId, userId: viewer.id });
    await leaveWorkspace(db, editor.claims, workspaceId);
    expect((await listMembers(db, owner.claims, workspaceId)).map((m) => m.userId)).toEqual([owner.id]);
    expect((await refusal(leaveWorkspace(db, editor.claims, workspaceId))).code).toBe('not_found');
  });

  it('keeps the last owner: no leaving, no demotion, no removal — enforced by the database itself', async () => {
    expect((await refusal(leaveWorkspace(db, owner.claims, workspaceId))).code).toBe('last_owner');
    expect((await refusal(changeMemberRole(db, owner.claims, { workspaceId, userId: owner.id, role: 'editor' }))).code).toBe('last_owner');
    // Below the app code: raw SQL as the owner, and even as service_role, is refused by the trigger.
    await expect(
      db.asUser(owner.claims, (sql) => sql.query(`delete from public.workspace_members where user_id = $1`, [owner.id])),
    ).rejects.toMatchObject({ code: 'TO001' });
    await expect(
      db.asService((sql) => sql.query(`update public.workspace_members set role = 'viewer' where user_id = $1`, [owner.id])),
    ).rejects.toMatchObject({ code: 'TO001' });

    await changeMemberRole(db, owner.claims, { workspaceId, userId: editor.id, role: 'owner' });
    await changeMemberRole(db, editor.claims, { workspaceId, userId: owner.id, role: 'viewer' });
    expect((await refusal(leaveWorkspace(db, editor.claims, workspaceId))).code).toBe('last_owner');
    await changeMemberRole(db, editor.claims, { workspaceId, userId: owner.id, role: 'owner' });
    await leaveWorkspace(db, editor.claims, workspaceId);
    expect((await listMembers(db, owner.claims, workspaceId)).find((m) => m.role === 'owner')?.userId).toBe(owner.id);
  });

  it('still lets the last owner delete the workspace, and an owner’s account be deleted', async () => {
    await deleteWorkspace(db, owner.claims, workspaceId);
    const soloWorkspace = await createWorkspace(db, outsider.claims, { name: 'Solo' });
    await db.asService((sql) => sql.query(`delete from auth.users where id = $1`, [outsider.id]));
    const rows = await db.asService((sql) => sql.query(`select 1 from public.workspace_members where workspace_id = $1`, [soloWorkspace.id]));
    expect(rows.rows).toHaveLength(0);
  });

  it('keeps one owner when two owners demote each other at the same time', async () => {
    await changeMemberRole(db, owner.claims, { workspaceId, userId: editor.id, role: 'owner' });
    const results = await Promise.allSettled([
      changeMemberRole(db, owner.claims, { workspaceId, userId: editor.id, role: 'editor' }),
      changeMemberRole(db, editor.claims, { workspaceId, userId: owner.id, role: 'editor' }),
    ]);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    // Postgres runs both at once and the trigger refuses the second (last_owner); PGlite runs them one after the
    // other, so the second caller is no longer an owner (forbidden). Either way one owner remains.
    expect(['last_owner', 'forbidden']).toContain((refused[0]!.reason as TenancyError).code);
    const owners = (await listMembers(db, viewer.claims, workspaceId)).filter((m) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  });

  it('refuses to change a membership’s user or workspace, even for an owner', async () => {
    await expect(
      db.asUser(owner.claims, (sql) =>
        sql.query(`update public.workspace_members set user_id = $2 where user_id = $1 and workspace_id = $3`, [viewer.id, outsider.id, workspaceId]),
      ),
    ).rejects.toMatchObject({ code: '42501' });
  });
});

describe('invitations', () => {
  it('invites by email; the invitee accepts with the link’s token and joins with the invited role', async () => {
    const invitee = await createUser(db, 'Rita Chen');
    const { invitation, token } = await createInvitation(db, owner.claims, {
      workspaceId,
      email: ` ${invitee.email.toUpperCase()} `,
      role: 'reviewer',
    });
    expect(invitation).toMatchObject({ email: invitee.email, role: 'reviewer', status: 'pending', invitedBy: owner.id });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt)).toBe(7 * 24 * 3600 * 1000);
    const stored = await db.asService((sql) =>
      sql.query<{ token_hash: string }>(`select token_hash from public.workspace_invitations where id = $1`, [invitation.id]),
    );
    expect(stored.rows[0]?.token_hash).not.toContain(token);

    expect(await acceptInvitation(db, invitee.claims, token)).toEqual({ workspaceId, role: 'reviewer' });
    expect((await listMembers(db, invitee.claims, workspaceId)).find((m) => m.userId === invitee.id)?.role).toBe('reviewer');
    const listed = (await listInvitations(db, owner.claims, workspaceId)).find((i) => i.id === invitation.id);
    expect(listed).toMatchObject({ id: invitation.id, status: 'accepted', acceptedBy: invitee.id });
  });

  it('refuses a signed-in user whose email is not the invited one, and keeps the invitation usable', async () => {
    const invitee = await createUser(db, 'Raj Patel');
    const { token } = await createInvitation(db, owner.claims, { workspaceId, email: invitee.email, role: 'editor' });
    const wrong = await refusal(acceptInvitation(db, outsider.claims, token));
    expect(wrong.code).toBe('invitation_email_mismatch');
    expect(wrong.message).toMatch(/another email/);
    expect((await listMembers(db, owner.claims, workspaceId)).map((m) => m.userId)).not.toContain(outsider.id);
    expect((await acceptInvitation(db, invitee.claims, token)).role).toBe('editor');
  });

  it('is single use', async () => {
    const invitee = await createUser(db, 'Erin Alvarez');
    const { token } = await createInvitation(db, owner.claims, { workspaceId, email: invitee.email, role: 'editor' });
    await acceptInvitation(db, invitee.claims, token);
    expect((await refusal(acceptInvitation(db, invitee.claims, token))).code).toBe('invitation_used');
  });

  it('expires', async () => {
    const invitee = await createUser(db, 'Maya Brooks');
    const { invitation, token } = await createInvitation(db, owner.claims, {
      workspaceId,
      email: invitee.email,
      role: 'viewer',
      expiresInSeconds: 60,
    });
    await db.asService((sql) =>
      sql.query(
        `update public.workspace_invitations set created_at = now() - interval '2 minutes', expires_at = now() - interval '1 second' where id = $1`,
        [invitation.id],
      ),
    );
    const expired = await refusal(acceptInvitation(db, invitee.claims, token));
    expect(expired.code).toBe('invitation_expired');
    expect((await listInvitations(db, owner.claims, workspaceId)).find((i) => i.id === invitation.id)?.status).toBe('expired');
    expect(
      (
        await refusal(
          createInvitation(db, owner.claims, {
            workspaceId,
            email: invitee.email,
            role: 'viewer',
            expiresInSeconds: 31 * 24 * 3600,
          }),
        )
      ).code,
    ).toBe('invalid_input');
  });

  it('stops working when revoked or replaced, and refuses unknown tokens', async () => {
    const invitee = await createUser(db, 'Rita Chen');
    const first = await createInvitation(db, owner.claims, { workspaceId, email: invitee.email, role: 'viewer' });
    const second = await createInvitation(db, owner.claims, { workspaceId, email: invitee.email, role: 'editor' });
    expect((await refusal(acceptInvitation(db, invitee.claims, first.token))).code).toBe('invitation_invalid');
    const revoked = await revokeInvitation(db, owner.claims, { workspaceId, invitationId: second.invitation.id });
    expect(revoked.status).toBe('revoked');
    expect((await refusal(acceptInvitation(db, invitee.claims, second.token))).code).toBe('invitation_invalid');
    expect((await refusal(acceptInvitation(db, invitee.claims, 'made-up-token'))).code).toBe('invitation_invalid');
    expect((await refusal(acceptInvitation(db, invitee.claims, ''))).code).toBe('invalid_input');
    expect((await listMembers(db, owner.claims, workspaceId)).map((m) => m.userId)).not.toContain(invitee.id);
  });

  it('previews a link before it is accepted: workspace, role, sender, expiry, state; to anyone holding it', async () => {
    const invitee = await createUser(db, 'Priya Preview');
    const { invitation, token } = await createInvitation(db, owner.claims, { workspaceId, email: invitee.email, role: 'reviewer' });
    const expected = {
      workspaceName: 'Infrastructure M&A',
      role: 'reviewer',
      invitedByName: 'Olivia Owens',
      expiresAt: invitation.expiresAt,
      state: 'open',
      emailHint: `${invitee.email[0]}…@${invitee.email.split('@')[1]}`,
    };
    // Signed out: the link alone is enough to see what it is for, not the full address it was sent to.
    expect(await previewInvitation(db, null, token)).toEqual({ ...expected, forCaller: null });
    expect(JSON.stringify(await previewInvitation(db, null, token))).not.toContain(invitee.email);
    // Signed in: whether the link is for this account.
    expect(await previewInvitation(db, invitee.claims, token)).toEqual({ ...expected, forCaller: true });
    expect(await previewInvitation(db, outsider.claims, token)).toEqual({ ...expected, forCaller: false });
    // Unknown, empty or oversized tokens: nothing.
    expect(await previewInvitation(db, null, 'made-up-token')).toBeNull();
    expect(await previewInvitation(db, invitee.claims, '')).toBeNull();
    expect(await previewInvitation(db, null, 'x'.repeat(201))).toBeNull();

    await acceptInvitation(db, invitee.claims, token);
    expect((await previewInvitation(db, invitee.claims, token))?.state).toBe('used');
    const second = await createInvitation(db, owner.claims, { workspaceId, email: 'later@example.com', role: 'viewer' });
    await revokeInvitation(db, owner.claims, { workspaceId, invitationId: second.invitation.id });
    expect((await previewInvitation(db, null, second.token))?.state).toBe('revoked');
    const third = await createInvitation(db, owner.claims, { workspaceId, email: 'late@example.com', role: 'viewer', expiresInSeconds: 60 });
    await db.asService((sql) =>
      sql.query(
        `update public.workspace_invitations set created_at = now() - interval '2 minutes', expires_at = now() - interval '1 second' where id = $1`,
        [third.invitation.id],
      ),
    );
    expect((await previewInvitation(db, null, third.token))?.state).toBe('expired');
  });

  it('keeps invitations themselves unreadable to non-owners: the preview is the only way in', async () => {
    const { token } = await createInvitation(db, owner.claims, { workspaceId, email: 'someone@example.com', role: 'editor' });
    expect(await previewInvitation(db, editor.claims, token)).not.toBeNull();
    const visible = await db.asUser(editor.claims, (sql) => sql.query(`select * from public.workspace_invitations`));
    expect(visible.rows).toHaveLength(0);
    await expect(db.asAnon((sql) => sql.query(`select * from public.workspace_invitations`))).rejects.toThrow(/permission denied/);
  });

  it('refuses an invitation to someone already in the workspace', async () => {
    expect((await refusal(createInvitation(db, owner.claims, { workspaceId, email: viewer.email, role: 'editor' }))).code).toBe('already_member');
    const invitee = await createUser(db, 'Late Joiner');
    const { token } = await createInvitation(db, owner.claims, { workspaceId, email: invitee.email, role: 'editor' });
    await db.asService((sql) =>
      sql.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'viewer')`, [workspaceId, invitee.id]),
    );
    expect((await refusal(acceptInvitation(db, invitee.claims, token))).code).toBe('already_member');
  });

  it('lets only owners invite, list and revoke', async () => {
    const { invitation } = await createInvitation(db, owner.claims, {
      workspaceId,
      email: 'new.person@example.com',
      role: 'viewer',
    });
    for (const member of [editor, viewer]) {
      expect((await refusal(createInvitation(db, member.claims, { workspaceId, email: 'x@example.com', role: 'owner' }))).code).toBe('forbidden');
      expect((await refusal(listInvitations(db, member.claims, workspaceId))).code).toBe('forbidden');
      expect((await refusal(revokeInvitation(db, member.claims, { workspaceId, invitationId: invitation.id }))).code).toBe('forbidden');
    }
    expect((await refusal(createInvitation(db, outsider.claims, { workspaceId, email: 'x@example.com', role: 'owner' }))).code).toBe('not_found');
    expect((await refusal(listInvitations(db, outsider.claims, workspaceId))).code).toBe('not_found');
    expect((await refusal(createInvitation(db, owner.claims, { workspaceId, email: 'not an email', role: 'viewer' }))).code).toBe('invalid_input');
    const listed = await listInvitations(db, owner.claims, workspaceId);
    expect(listed.map((i) => [i.email, i.status])).toEqual(
      expect.arrayContaining([
        ['new.person@example.com', 'pending'],
        [viewer.email, 'accepted'],
      ]),
    );
    expect(listed).toHaveLength(3);
  });
});
