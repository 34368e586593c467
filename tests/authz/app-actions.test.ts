import { randomBytes, randomUUID } from 'node:crypto';
import { invitationTokenHash, type Database } from '@tieout/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appActionMatrix, type AppRoutes } from './app-actions.matrix.ts';
import { createAppHarness, loadRoute, type AppHarness } from './support/app-routes.ts';
import { openScratchDatabase } from '@tieout/db/testing';
import { buildAuthzWorld, type AuthzWorld, type FixtureUser } from './support/fixtures.ts';
import { actualVerdicts, callersFor, expectedVerdicts, type AuthzCase } from './support/matrix.ts';

let db: Database;
let dispose: () => Promise<void>;
let world: AuthzWorld;
let harness: AppHarness;
let routes: AppRoutes;
let matrix: AuthzCase[];

beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'authz_app' }));
  world = await buildAuthzWorld(db);
  const users = [world.A, world.B].flatMap((w) => [...Object.values(w.members), w.colleague]);
  harness = await createAppHarness(db, [...users, world.candidate]);
  routes = {
    members: await loadRoute('workspaces.$workspaceId.members.tsx'),
    invitation: await loadRoute('invitations.$token.tsx'),
    newWorkspace: await loadRoute('workspaces.new.tsx'),
    deal: await loadRoute('deals.$dealId.tsx'),
    checklist: await loadRoute('checklists.$checklistId.tsx'),
    lastChanges: await loadRoute('checklists.$checklistId_.last-changes.ts'),
    review: await loadRoute('checklists.$checklistId_.review.ts'),
    inbox: await loadRoute('inbox.tsx'),
    myWork: await loadRoute('my-work.tsx'),
    workspaceDashboard: await loadRoute('workspaces.$workspaceId.dashboard.tsx'),
    dealDashboard: await loadRoute('deals.$dealId_.dashboard.tsx'),
    items: await loadRoute('workspaces.$workspaceId.items.tsx'),
    exportCsv: await loadRoute('deals.$dealId_.export[.]csv.ts'),
    exportXlsx: await loadRoute('deals.$dealId_.export[.]xlsx.ts'),
    report: await loadRoute('deals.$dealId_.report.ts'),
    reportPdf: await loadRoute('deals.$dealId_.report[.]pdf.ts'),
    history: await loadRoute('checklists.$checklistId_.history.tsx'),
    version: await loadRoute('checklists.$checklistId_.versions.$versionId.tsx'),
    dealActivity: await loadRoute('deals.$dealId_.activity.tsx'),
    auditCsv: await loadRoute('deals.$dealId_.audit[.]csv.ts'),
    manageDeal: await loadRoute('deals.$dealId_.manage.tsx'),
    archived: await loadRoute('workspaces.$workspaceId.archived.tsx'),
  };
  matrix = appActionMatrix({ harness, routes });
});
afterAll(async () => {
  // The PDF route starts one shared headless Chromium (packages/reports): close it with the database.
  const reports = '@tieout/reports';
  await ((await import(/* @vite-ignore */ reports)) as { closePdfBrowser(): Promise<void> }).closePdfBrowser();
  await dispose?.();
});

// The rows are built once the database exists; their names are listed here for the test titles.
const rowNames = [
  'members page open the members page (loader)',
  'members page see the pending invitations (loader)',
  'members action invite someone by email (intent=invite)',
  'members action revoke an open invitation (intent=revoke)',
  'members action change a colleague’s role (intent=change-role)',
  'members action remove a colleague (intent=remove)',
  'members action leave the workspace (intent=leave; its only owner is refused with 409)',
  'invitation action accept an invitation sent to my address (members already are: 409)',
  'invitation action accept an invitation sent to someone else',
  'new workspace action create a workspace of my own',
  'deal page open the workspace’s deal (loader)',
  'checklist page open the workspace’s checklist (loader)',
  'checklist page read who changed each item last (GET /checklists/:id/last-changes)',
  'review data read the checklist’s threads and review states (loader)',
  'review action open a thread on an item (intent=thread)',
  'review action reply in a thread (intent=reply)',
  'review action edit my own comment (intent=edit; someone else’s is refused)',
  'review action resolve a thread (intent=resolve)',
  'review action sign the approved checklist off (intent=sign-off)',
  'review action switch “done requires approval” (intent=done-rule)',
  'review action approve an item (intent=approve)',
  'review action send an item back with a comment (intent=send-back)',
  'inbox page open my inbox (loader)',
  'inbox action mark a notification of mine read (intent=read; a co-member’s: 404)',
  'my work page open my work (loader)',
  'dashboard page open the workspace’s dashboard (loader)',
  'deal dashboard open the deal’s dashboard (loader)',
  'deal dashboard set the target signing date (action)',
  'item list list the workspace’s open items across checklists (loader)',
  'deal export download the deal as CSV (loader)',
  'deal export download the deal as XLSX (loader)',
  'deal report open the printable status report (loader)',
  'deal report download the status report as PDF (loader)',
  'checklist history read the versions and activity (loader)',
  'checklist history name a version (intent=name)',
  'version view open a version read-only (loader)',
  'deal activity read the deal’s audit trail (loader)',
  'deal activity export the audit trail as CSV',
  'deal manage page open the deal’s Manage page (loader)',
  'deal manage action rename a checklist (intent=rename)',
  'deal manage action archive a workstream (intent=archive)',
  'deal manage action delete a checklist after confirming (intent=delete)',
  'deal manage action change the deal’s stage (intent=stage)',
  'archived page see what is archived in the workspace (loader)',
  'archived action unarchive a checklist (intent=unarchive)',
  'archived action delete an archived checklist after confirming (intent=delete)',
];
const row = (name: string) => {
  const found = matrix.find((c) => `${c.subject} ${c.action}` === name);
  if (!found) throw new Error(`No app action row named "${name}"`);
  return found;
};

describe('app actions on workspace A, by each of its roles, a member of workspace B and an anonymous caller', () => {
  it('has a test for every row', () => {
    expect(matrix.map((c) => `${c.subject} ${c.action}`)).toEqual(rowNames);
  });
  it.each(rowNames)('%s', async (name) => {
    const callers = callersFor(world, 'A');
    expect(await actualVerdicts(row(name), callers, { db, world, target: world.A })).toEqual(expectedVerdicts(row(name), callers));
  });
});

describe('app actions on workspace B, by every member of workspace A', () => {
  it.each(rowNames)('%s', async (name) => {
    const callers = callersFor(world, 'B');
    expect(await actualVerdicts(row(name), callers, { db, world, target: world.B })).toEqual(expectedVerdicts(row(name), callers));
  });
});

describe('members page: bad input and refusals are clear answers, and change nothing', () => {
  const post = async (user: FixtureUser | null, form: Record<string, string>, workspaceId = world.A.id) =>
    harness.call(routes.members, 'action', {
      path: `/workspaces/${workspaceId}/members`,
      params: { workspaceId },
      cookie: user ? await harness.cookieFor(user) : null,
      form,
    });
  const invitationCount = async (email: string) =>
    (await db.asService((sql) => sql.query(`select 1 from public.workspace_invitations where email = $1`, [email]))).rows.length;

  it('an invitation to a malformed address is refused next to the email field', async () => {
    const outcome = await post(world.A.members.owner, { intent: 'invite', email: 'not-an-address', role: 'viewer' });
    expect(outcome.status).toBe(400);
    expect(outcome.data).toMatchObject({ intent: 'invite', fieldErrors: { email: 'Enter a valid email address' }, invitation: null });
    expect(outcome.data).toMatchObject({ values: { email: 'not-an-address', role: 'viewer' } });
    expect(await invitationCount('not-an-address')).toBe(0);
  });

  it('an unknown role or intent is a 400, not a crash', async () => {
    const email = `role.${randomBytes(3).toString('hex')}@example.com`;
    expect(await post(world.A.members.owner, { intent: 'invite', email, role: 'admin' })).toMatchObject({
      status: 400,
      data: { fieldErrors: { role: 'Choose a role' } },
    });
    expect(await invitationCount(email)).toBe(0);
    expect(await post(world.A.members.owner, { intent: 'delete-workspace' })).toMatchObject({
      status: 400,
      data: { formError: 'Unknown action: reload the page and try again.' },
    });
    expect(await post(world.A.members.owner, { intent: 'change-role', userId: 'not-a-uuid', role: 'viewer' })).toMatchObject({
      status: 400,
      data: { formError: 'Choose a member' },
    });
  });

  it('inviting an existing member is refused with the reason on the email field', async () => {
    const outcome = await post(world.A.members.owner, { intent: 'invite', email: world.A.members.viewer.email, role: 'editor' });
    expect(outcome.status).toBe(409);
    expect(outcome.data).toMatchObject({ fieldErrors: { email: `${world.A.members.viewer.email} is already a member of this workspace` } });
  });

  it('the last owner can neither demote nor remove themselves: the database’s message is shown', async () => {
    const owner = world.A.members.owner;
    const demote = await post(owner, { intent: 'change-role', userId: owner.id, role: 'editor' });
    expect(demote).toMatchObject({
      status: 409,
      data: { intent: 'change-role', target: owner.id, formError: 'A workspace must keep at least one owner: make another member an owner first' },
    });
    expect((await post(owner, { intent: 'remove', userId: owner.id })).status).toBe(409);
    const { rows } = await db.asService((sql) =>
      sql.query(`select role::text from public.workspace_members where workspace_id = $1 and user_id = $2`, [world.A.id, owner.id]),
    );
    expect(rows).toEqual([{ role: 'owner' }]);
  });

  it('a reviewer posting an owner form gets a 403 with the reason shown on the page', async () => {
    const outcome = await post(world.A.members.reviewer, { intent: 'change-role', userId: world.A.colleague.id, role: 'owner' });
    expect(outcome).toMatchObject({ status: 403, data: { formError: 'Only owners can change roles', target: world.A.colleague.id } });
  });

  it('a stranger posting to a workspace gets the not-found page, which says nothing about it', async () => {
    const outcome = await post(world.B.members.owner, { intent: 'leave' });
    expect(outcome).toMatchObject({ status: 404, data: 'This workspace does not exist or you are not a member of it.' });
    const malformed = await post(world.A.members.owner, { intent: 'leave' }, 'not-a-uuid');
    expect(malformed.status).toBe(404);
  });

  it('an owner’s invitation link works for the invited address, once', async () => {
    const outcome = await post(world.A.members.owner, { intent: 'invite', email: world.candidate.email.toUpperCase(), role: 'reviewer' });
    expect(outcome.status).toBe(200);
    const invitation = (outcome.data as { invitation: { link: string; email: string; role: string } }).invitation;
    expect(invitation).toMatchObject({ email: world.candidate.email, role: 'reviewer' });
    expect(invitation.link).toMatch(/^http:\/\/127\.0\.0\.1:54329\/invitations\/[A-Za-z0-9_-]{43}$/);
    const token = decodeURIComponent(new URL(invitation.link).pathname.split('/').pop()!);
    const accept = () =>
      harness.call(routes.invitation, 'action', {
        path: `/invitations/${token}`,
        params: { token },
        cookie: null,
      });
    // Signed out: to sign-in, and back to the link afterwards.
    expect(await accept()).toMatchObject({ status: 302, location: `/login?redirectTo=${encodeURIComponent(`/invitations/${token}`)}` });
    const asCandidate = async () =>
      harness.call(routes.invitation, 'action', {
        path: `/invitations/${token}`,
        params: { token },
        cookie: await harness.cookieFor(world.candidate),
      });
    expect(await asCandidate()).toMatchObject({ status: 302, location: `/workspaces/${world.A.id}/members?joined=1` });
    const page = await harness.call(routes.members, 'loader', {
      path: `/workspaces/${world.A.id}/members?joined=1`,
      params: { workspaceId: world.A.id },
      cookie: await harness.cookieFor(world.candidate),
    });
    expect(page).toMatchObject({ status: 200, data: { joined: true, workspace: { role: 'reviewer' }, invitations: null } });
    expect(await asCandidate()).toMatchObject({ status: 410, data: { code: 'invitation_used', title: 'This invitation has already been used' } });
    await db.asService((sql) =>
      sql.query(`delete from public.workspace_members where workspace_id = $1 and user_id = $2`, [world.A.id, world.candidate.id]),
    );
  });
});

describe('invitation page: each refusal of a link has its own message', () => {
  async function insert(fields: { email?: string; expired?: boolean; revoked?: boolean }): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await db.asService(async (sql) => {
      await sql.query(
        `update public.workspace_invitations set revoked_at = now()
         where workspace_id = $1 and email = $2 and accepted_at is null and revoked_at is null`,
        [world.A.id, fields.email ?? world.candidate.email],
      );
      await sql.query(
        `insert into public.workspace_invitations (id, workspace_id, email, role, token_hash, created_at, expires_at, revoked_at)
         values ($1, $2, $3, 'viewer', $4, $5, $6, $7)`,
        [
          randomUUID(),
          world.A.id,
          fields.email ?? world.candidate.email,
          invitationTokenHash(token),
          fields.expired ? new Date(Date.now() - 8 * 86_400_000) : new Date(),
          fields.expired ? new Date(Date.now() - 86_400_000) : new Date(Date.now() + 86_400_000),
          fields.revoked ? new Date() : null,
        ],
      );
    });
    return token;
  }
  const accept = async (token: string, user: FixtureUser = world.candidate) =>
    harness.call(routes.invitation, 'action', { path: `/invitations/${token}`, params: { token }, cookie: await harness.cookieFor(user) });

  it('expired', async () => {
    expect(await accept(await insert({ expired: true }))).toMatchObject({
      status: 410,
      data: {
        code: 'invitation_expired',
        title: 'This invitation has expired',
        message: 'This invitation has expired: ask an owner of the workspace for a new one',
      },
    });
  });
  it('revoked, or never issued', async () => {
    const refusal = { status: 404, data: { code: 'invitation_invalid', title: 'This invitation link is not valid' } };
    expect(await accept(await insert({ revoked: true }))).toMatchObject(refusal);
    expect(await accept('made-up-token')).toMatchObject(refusal);
  });
  it('sent to another address', async () => {
    expect(await accept(await insert({}), world.B.members.viewer)).toMatchObject({
      status: 403,
      data: { code: 'invitation_email_mismatch', title: 'This invitation is for someone else' },
    });
  });
  it('the page itself opens signed out, with the way back for sign-in and sign-up', async () => {
    const outcome = await harness.call(routes.invitation, 'loader', { path: '/invitations/abc', params: { token: 'abc' }, cookie: null });
    expect(outcome).toMatchObject({ status: 200, data: { user: null, here: '/invitations/abc' } });
  });
});

describe('deal Manage page and Archived view: bad input is a clear 400 and changes nothing', () => {
  const manage = async (form: Record<string, string>) =>
    harness.call(routes.manageDeal, 'action', {
      path: `/deals/${world.A.dealId}/manage`,
      params: { dealId: world.A.dealId },
      cookie: await harness.cookieFor(world.A.members.owner),
      form,
    });
  const checklistTitle = async () =>
    (await db.asService((sql) => sql.query<{ title: string }>(`select title from public.checklists where id = $1`, [world.A.checklistId]))).rows[0]
      ?.title;

  it('a delete without the confirmation step is refused, and the checklist stays', async () => {
    const outcome = await manage({ intent: 'delete', kind: 'checklist', id: world.A.checklistId });
    expect(outcome).toMatchObject({ status: 400, data: { ok: false, formError: 'Confirm the deletion first' } });
    expect(await checklistTitle()).toBeDefined();
  });

  it('an empty or overlong name, an unknown kind or intent, or another deal’s checklist are refused with what to do', async () => {
    const before = await checklistTitle();
    expect(await manage({ intent: 'rename', kind: 'checklist', id: world.A.checklistId, name: '   ' })).toMatchObject({
      status: 400,
      data: { formError: 'Enter a name', target: `checklist:${world.A.checklistId}` },
    });
    expect(await manage({ intent: 'rename', kind: 'checklist', id: world.A.checklistId, name: 'x'.repeat(201) })).toMatchObject({
      status: 400,
      data: { formError: 'Use at most 200 characters' },
    });
    expect(await manage({ intent: 'rename', kind: 'folder', id: world.A.checklistId, name: 'Fine' })).toMatchObject({
      status: 400,
      data: { formError: 'Choose a deal, workstream or checklist' },
    });
    expect(await manage({ intent: 'explode' })).toMatchObject({ status: 400, data: { formError: expect.stringMatching(/^Choose what to do/) } });
    expect(await manage({ intent: 'stage', stage: 'won' })).toMatchObject({ status: 400, data: { formError: 'Choose a stage' } });
    expect(await manage({ intent: 'rename', kind: 'workstream', id: world.A.secondWorkstreamId, name: 'Elsewhere' })).toMatchObject({
      status: 404,
      data: { formError: expect.stringMatching(/not part of this deal/) },
    });
    expect(await checklistTitle()).toBe(before);
  });

  it('an owner archives a deal from its Manage page (landing on the Archived view) and unarchives it from the same page', async () => {
    const dealId = randomUUID();
    await db.asService((sql) => sql.query(`insert into public.deals (id, workspace_id, name) values ($1, $2, 'Scratch deal')`, [dealId, world.A.id]));
    const cookie = await harness.cookieFor(world.A.members.owner);
    const post = (form: Record<string, string>) =>
      harness.call(routes.manageDeal, 'action', { path: `/deals/${dealId}/manage`, params: { dealId }, cookie, form });
    const archivedAt = async () =>
      (await db.asService((sql) => sql.query<{ archived_at: unknown }>(`select archived_at from public.deals where id = $1`, [dealId]))).rows[0]
        ?.archived_at;
    expect(await post({ intent: 'archive', kind: 'deal', id: dealId })).toMatchObject({
      status: 302,
      location: `/workspaces/${world.A.id}/archived?archived=${dealId}`,
    });
    expect(await archivedAt()).not.toBeNull();
    const page = await harness.call(routes.manageDeal, 'loader', { path: `/deals/${dealId}/manage`, params: { dealId }, cookie });
    expect(page).toMatchObject({ status: 200, data: { deal: { id: dealId, archivedAt: expect.any(String) } } });
    expect(await post({ intent: 'unarchive', kind: 'deal', id: dealId })).toMatchObject({
      status: 200,
      data: { ok: true, notice: 'Unarchived “Scratch deal”.' },
    });
    expect(await archivedAt()).toBeNull();
    await db.asService((sql) => sql.query(`delete from public.deals where id = $1`, [dealId]));
  });

  it('who changed each item last: a bad item list is refused with 400 and a reason, a good one answers for those items', async () => {
    const cookie = await harness.cookieFor(world.A.members.editor);
    const read = (query: string) =>
      harness.call(routes.lastChanges, 'loader', {
        path: `/checklists/${world.A.checklistId}/last-changes${query}`,
        params: { checklistId: world.A.checklistId },
        cookie,
      });
    const body = (outcome: { data: unknown }) =>
      (typeof outcome.data === 'string' ? JSON.parse(outcome.data) : outcome.data) as Record<string, unknown>;
    const tooMany = await read(`?${new URLSearchParams(Array.from({ length: 101 }, (_, i) => ['item', `item-${i}`]))}`);
    expect(tooMany.status).toBe(400);
    expect(body(tooMany).error).toMatch(/At most 100 item ids/);
    const empty = await read('?item=');
    expect(empty.status).toBe(400);
    expect(body(empty).error).toMatch(/1 to 64 characters/);
    const named = await read('?item=no-such-item&item=no-such-item');
    expect(named.status).toBe(200);
    expect(body(named)).toEqual({ lastChanges: [], items: ['no-such-item'] });
  });

  it('the Archived view only unarchives or deletes what is archived', async () => {
    const archived = async (form: Record<string, string>) =>
      harness.call(routes.archived, 'action', {
        path: `/workspaces/${world.A.id}/archived`,
        params: { workspaceId: world.A.id },
        cookie: await harness.cookieFor(world.A.members.owner),
        form,
      });
    expect(await archived({ intent: 'rename', kind: 'checklist', id: world.A.checklistId, name: 'Sneaky' })).toMatchObject({ status: 400 });
    expect(await archived({ intent: 'delete', kind: 'checklist', id: world.A.checklistId, confirmed: 'yes' })).toMatchObject({
      status: 404,
      data: { formError: expect.stringMatching(/is not archived/) },
    });
    expect(await checklistTitle()).toBeDefined();
  });
});
