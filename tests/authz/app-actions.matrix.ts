import { randomBytes, randomUUID } from 'node:crypto';
import { invitationTokenHash, type Database } from '@tieout/db';
import { dashboardActionSpecs } from './dashboard-actions.matrix.ts';
import { historyActionSpecs } from './history-actions.matrix.ts';
import { reviewActionSpecs } from './review-actions.matrix.ts';
import { structureActionSpecs } from './structure-actions.matrix.ts';
import type { AppHarness, RouteModule, RouteOutcome } from './support/app-routes.ts';
import type { FixtureUser, WorkspaceFixture, WorkspaceRole } from './support/fixtures.ts';
import { members, owners, signedIn, nobody, type AttemptContext, type AuthzCase, type Standing, type Verdict } from './support/matrix.ts';

/**
 * The app's loaders and actions in the authorization matrix: each row is one page or form of the app, called as
 * each caller (with their real session cookie) against workspace A, and as every member of A against workspace B.
 * Allowed means the route did the thing (a page with its data, or the change made); refused means a redirect to
 * sign in, a 403 or a 404 page (or the listed business refusal), with nothing changed. Any other answer (a crash,
 * a 500, an unexpected 400) fails the test instead of counting as either.
 */

export interface AppRoutes {
  members: RouteModule;
  invitation: RouteModule;
  newWorkspace: RouteModule;
  deal: RouteModule;
  checklist: RouteModule;
  lastChanges: RouteModule;
  review: RouteModule;
  inbox: RouteModule;
  myWork: RouteModule;
  workspaceDashboard: RouteModule;
  dealDashboard: RouteModule;
  items: RouteModule;
  exportCsv: RouteModule;
  exportXlsx: RouteModule;
  report: RouteModule;
  reportPdf: RouteModule;
  history: RouteModule;
  version: RouteModule;
  dealActivity: RouteModule;
  auditCsv: RouteModule;
  manageDeal: RouteModule;
  archived: RouteModule;
}

export interface AppCaseSpec {
  subject: string;
  action: string;
  allowed: readonly Standing[];
  /** Statuses besides 403/404/sign-in that count as a refusal for this row (e.g. 409 for the last owner). */
  alsoRefusedWith?: readonly number[];
  run(input: {
    harness: AppHarness;
    routes: AppRoutes;
    db: Database;
    target: WorkspaceFixture;
    cookie: string | null;
    me: FixtureUser;
    standing: Standing;
  }): Promise<{ outcome: RouteOutcome; didIt(outcome: RouteOutcome): boolean; check?(verdict: Verdict): Promise<void> }>;
}

const redirectsToSignIn = (outcome: RouteOutcome) => outcome.status >= 300 && outcome.status < 400 && /^\/login(\?|$)/.test(outcome.location ?? '');

export function appCase(spec: AppCaseSpec, env: { harness: AppHarness; routes: AppRoutes }): AuthzCase {
  return {
    surface: 'action',
    subject: spec.subject,
    action: spec.action,
    allowed: spec.allowed,
    async attempt({ db, world, target, caller }: AttemptContext): Promise<Verdict> {
      const cookie = caller.user ? await env.harness.cookieFor(caller.user) : null;
      const me = caller.user ?? world.candidate;
      const { outcome, didIt, check } = await spec.run({ ...env, db, target, cookie, me, standing: caller.standing });
      const refusal = redirectsToSignIn(outcome) || [403, 404, ...(spec.alsoRefusedWith ?? [])].includes(outcome.status);
      const done = !refusal && outcome.status < 400 && didIt(outcome);
      if (!refusal && !done) {
        throw new Error(
          `${spec.subject} ${spec.action} as ${caller.label}: neither done nor refused (status ${outcome.status}, ` +
            `location ${outcome.location ?? '-'}): ${JSON.stringify(outcome.data).slice(0, 300)}`,
        );
      }
      const verdict: Verdict = done ? 'allowed' : 'refused';
      await check?.(verdict);
      return verdict;
    },
  };
}

const nonOwnerMembers: readonly Standing[] = ['editor', 'reviewer', 'viewer'];
const strangers: readonly Standing[] = ['non-member'];

const membersPath = (t: WorkspaceFixture) => `/workspaces/${t.id}/members`;
const dataOf = (outcome: RouteOutcome) => (outcome.data ?? {}) as Record<string, unknown>;

async function roleOf(db: Database, workspaceId: string, userId: string): Promise<string | null> {
  const { rows } = await db.asService((sql) =>
    sql.query<{ role: string }>(`select role::text from public.workspace_members where workspace_id = $1 and user_id = $2`, [workspaceId, userId]),
  );
  return rows[0]?.role ?? null;
}

/** Fixture set-up and restore, as service_role (docs/decisions/011: test fixtures). */
async function setMembership(db: Database, workspaceId: string, userId: string, role: WorkspaceRole | null): Promise<void> {
  await db.asService(async (sql) => {
    if (role === null) await sql.query(`delete from public.workspace_members where workspace_id = $1 and user_id = $2`, [workspaceId, userId]);
    else
      await sql.query(
        `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)
         on conflict (workspace_id, user_id) do update set role = excluded.role`,
        [workspaceId, userId, role],
      );
  });
}

async function insertInvitation(db: Database, target: WorkspaceFixture, email: string): Promise<{ id: string; token: string }> {
  const id = randomUUID();
  const token = randomBytes(32).toString('base64url');
  await db.asService(async (sql) => {
    // One open invitation per address (as createInvitation does: the new one replaces it).
    await sql.query(
      `update public.workspace_invitations set revoked_at = now()
       where workspace_id = $1 and email = $2 and accepted_at is null and revoked_at is null`,
      [target.id, email.toLowerCase()],
    );
    await sql.query(
      `insert into public.workspace_invitations (id, workspace_id, email, role, token_hash, invited_by)
       values ($1, $2, $3, 'viewer', $4, $5)`,
      [id, target.id, email.toLowerCase(), invitationTokenHash(token), target.members.owner.id],
    );
  });
  return { id, token };
}

async function invitationState(db: Database, id: string): Promise<{ revoked: boolean; accepted: boolean }> {
  const { rows } = await db.asService((sql) =>
    sql.query<{ revoked: boolean; accepted: boolean }>(
      `select revoked_at is not null as revoked, accepted_at is not null as accepted from public.workspace_invitations where id = $1`,
      [id],
    ),
  );
  return rows[0]!;
}

function expectState(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

export function appActionMatrix(env: { harness: AppHarness; routes: AppRoutes }): AuthzCase[] {
  const specs: AppCaseSpec[] = [
    {
      subject: 'members page',
      action: 'open the members page (loader)',
      allowed: members,
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.members, 'loader', { path: membersPath(target), params: { workspaceId: target.id }, cookie });
        return { outcome, didIt: (o) => Array.isArray(dataOf(o).members) && (dataOf(o).members as unknown[]).length > 0 };
      },
    },
    {
      subject: 'members page',
      action: 'see the pending invitations (loader)',
      allowed: owners,
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.members, 'loader', { path: membersPath(target), params: { workspaceId: target.id }, cookie });
        // Members who are not owners get the page without the invitations: for this row, that is a refusal.
        const invitations = dataOf(outcome).invitations;
        if (outcome.status === 200 && invitations === null) return { outcome: { ...outcome, status: 403 }, didIt: () => false };
        return { outcome, didIt: () => Array.isArray(invitations) && invitations.length > 0 };
      },
    },
    {
      subject: 'members action',
      action: 'invite someone by email (intent=invite)',
      allowed: owners,
      async run({ harness, routes, db, target, cookie }) {
        const email = `invited.${randomBytes(4).toString('hex')}@example.com`;
        const outcome = await harness.call(routes.members, 'action', {
          path: membersPath(target),
          params: { workspaceId: target.id },
          cookie,
          form: { intent: 'invite', email, role: 'reviewer' },
        });
        return {
          outcome,
          didIt: (o) => String((dataOf(o).invitation as { link?: string } | null)?.link ?? '').includes('/invitations/'),
          async check(verdict) {
            const { rows } = await db.asService((sql) => sql.query(`select 1 from public.workspace_invitations where email = $1`, [email]));
            expectState(rows.length === (verdict === 'allowed' ? 1 : 0), `invitation rows for ${email} after a ${verdict} invite: ${rows.length}`);
          },
        };
      },
    },
    {
      subject: 'members action',
      action: 'revoke an open invitation (intent=revoke)',
      allowed: owners,
      async run({ harness, routes, db, target, cookie }) {
        const invitation = await insertInvitation(db, target, `to.revoke.${randomBytes(4).toString('hex')}@example.com`);
        const outcome = await harness.call(routes.members, 'action', {
          path: membersPath(target),
          params: { workspaceId: target.id },
          cookie,
          form: { intent: 'revoke', invitationId: invitation.id },
        });
        return {
          outcome,
          didIt: (o) => /revoked/.test(String(dataOf(o).notice)),
          async check(verdict) {
            const state = await invitationState(db, invitation.id);
            expectState(state.revoked === (verdict === 'allowed'), `invitation revoked=${state.revoked} after a ${verdict} revoke`);
          },
        };
      },
    },
    {
      subject: 'members action',
      action: 'change a colleague’s role (intent=change-role)',
      allowed: owners,
      async run({ harness, routes, db, target, cookie }) {
        const outcome = await harness.call(routes.members, 'action', {
          path: membersPath(target),
          params: { workspaceId: target.id },
          cookie,
          form: { intent: 'change-role', userId: target.colleague.id, role: 'viewer' },
        });
        return {
          outcome,
          didIt: (o) => /is now viewer/.test(String(dataOf(o).notice)),
          async check(verdict) {
            const role = await roleOf(db, target.id, target.colleague.id);
            await setMembership(db, target.id, target.colleague.id, 'editor');
            expectState(role === (verdict === 'allowed' ? 'viewer' : 'editor'), `colleague is ${role} after a ${verdict} role change`);
          },
        };
      },
    },
    {
      subject: 'members action',
      action: 'remove a colleague (intent=remove)',
      allowed: owners,
      async run({ harness, routes, db, target, cookie }) {
        const outcome = await harness.call(routes.members, 'action', {
          path: membersPath(target),
          params: { workspaceId: target.id },
          cookie,
          form: { intent: 'remove', userId: target.colleague.id },
        });
        return {
          outcome,
          didIt: (o) => /removed/.test(String(dataOf(o).notice)),
          async check(verdict) {
            const role = await roleOf(db, target.id, target.colleague.id);
            await setMembership(db, target.id, target.colleague.id, 'editor');
            expectState((role === null) === (verdict === 'allowed'), `colleague membership ${role} after a ${verdict} removal`);
          },
        };
      },
    },
    {
      subject: 'members action',
      action: 'leave the workspace (intent=leave; its only owner is refused with 409)',
      allowed: nonOwnerMembers,
      alsoRefusedWith: [409],
      async run({ harness, routes, db, target, cookie, me, standing }) {
        const outcome = await harness.call(routes.members, 'action', {
          path: membersPath(target),
          params: { workspaceId: target.id },
          cookie,
          form: { intent: 'leave' },
        });
        return {
          outcome,
          didIt: (o) => o.status === 302 && o.location === '/',
          async check(verdict) {
            if (outcome.status === 409) {
              expectState(
                standing === 'owner' && /at least one owner/.test(String(dataOf(outcome).formError)),
                `unexpected 409: ${JSON.stringify(outcome.data)}`,
              );
            }
            const role = await roleOf(db, target.id, me.id);
            if (verdict === 'allowed') {
              expectState(role === null, `still ${role} after leaving`);
              await setMembership(db, target.id, me.id, standing as WorkspaceRole);
            } else {
              expectState(
                role === (typeof standing === 'string' && standing in target.members ? standing : null),
                `membership ${role} after a refused leave`,
              );
            }
          },
        };
      },
    },
    {
      subject: 'invitation action',
      action: 'accept an invitation sent to my address (members already are: 409)',
      allowed: strangers,
      alsoRefusedWith: [409],
      async run({ harness, routes, db, target, cookie, me, standing }) {
        const invitation = await insertInvitation(db, target, me.email);
        const outcome = await harness.call(routes.invitation, 'action', {
          path: `/invitations/${invitation.token}`,
          params: { token: invitation.token },
          cookie,
        });
        return {
          outcome,
          didIt: (o) => o.status === 302 && o.location === `${membersPath(target)}?joined=1`,
          async check(verdict) {
            if (outcome.status === 409) expectState(dataOf(outcome).code === 'already_member', `unexpected 409: ${JSON.stringify(outcome.data)}`);
            const state = await invitationState(db, invitation.id);
            expectState(state.accepted === (verdict === 'allowed'), `invitation accepted=${state.accepted} after a ${verdict} accept`);
            if (verdict === 'allowed') {
              expectState((await roleOf(db, target.id, me.id)) === 'viewer', 'no viewer membership after accepting');
              await setMembership(db, target.id, me.id, null);
            } else if (standing === 'non-member' || standing === 'anonymous') {
              expectState((await roleOf(db, target.id, me.id)) === null, 'a refused accept added a membership');
            }
          },
        };
      },
    },
    {
      subject: 'invitation action',
      action: 'accept an invitation sent to someone else',
      allowed: nobody,
      async run({ harness, routes, db, target, cookie }) {
        const invitation = await insertInvitation(db, target, `someone.else.${randomBytes(4).toString('hex')}@example.com`);
        const outcome = await harness.call(routes.invitation, 'action', {
          path: `/invitations/${invitation.token}`,
          params: { token: invitation.token },
          cookie,
        });
        return {
          outcome,
          didIt: (o) => o.status === 302,
          async check() {
            expectState(!(await invitationState(db, invitation.id)).accepted, 'an invitation for someone else was used');
            if (cookie)
              expectState(dataOf(outcome).code === 'invitation_email_mismatch', `not refused for the email: ${JSON.stringify(outcome.data)}`);
          },
        };
      },
    },
    {
      subject: 'new workspace action',
      action: 'create a workspace of my own',
      allowed: signedIn,
      async run({ harness, routes, db, cookie }) {
        const outcome = await harness.call(routes.newWorkspace, 'action', {
          path: '/workspaces/new',
          params: {},
          cookie,
          form: { name: 'Side fund' },
        });
        const created = /^\/workspaces\/([0-9a-f-]{36})\/members$/.exec(outcome.location ?? '')?.[1];
        return {
          outcome,
          didIt: () => created !== undefined,
          async check() {
            if (created) await db.asService((sql) => sql.query(`delete from public.workspaces where id = $1`, [created]));
          },
        };
      },
    },
    {
      subject: 'deal page',
      action: 'open the workspace’s deal (loader)',
      allowed: members,
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.deal, 'loader', { path: `/deals/${target.dealId}`, params: { dealId: target.dealId }, cookie });
        return { outcome, didIt: (o) => (dataOf(o).deal as { id?: string } | undefined)?.id === target.dealId };
      },
    },
    {
      subject: 'checklist page',
      action: 'open the workspace’s checklist (loader)',
      allowed: members,
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.checklist, 'loader', {
          path: `/checklists/${target.checklistId}`,
          params: { checklistId: target.checklistId },
          cookie,
        });
        return { outcome, didIt: (o) => (dataOf(o).checklist as { id?: string } | undefined)?.id === target.checklistId };
      },
    },
    {
      subject: 'checklist page',
      action: 'read who changed each item last (GET /checklists/:id/last-changes)',
      allowed: members,
      alsoRefusedWith: [401],
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.lastChanges, 'loader', {
          path: `/checklists/${target.checklistId}/last-changes`,
          params: { checklistId: target.checklistId },
          cookie,
        });
        return {
          outcome,
          didIt: (o) => o.status === 200 && Array.isArray((typeof o.data === 'string' ? JSON.parse(o.data) : dataOf(o)).lastChanges),
        };
      },
    },
  ];
  return [...specs, ...reviewActionSpecs(), ...dashboardActionSpecs(), ...historyActionSpecs(), ...structureActionSpecs()].map((spec) =>
    appCase(spec, env),
  );
}
