/*
 * Issue 15's deal Manage page and workspace Archived view in the app-action matrix (rows appended to appActionMatrix):
 * members open both; owners rename, archive, unarchive and delete; owners and editors change a deal's stage
 * (decision 153). Each row that changes something acts on a deal, workstream or checklist made for that attempt (as
 * service_role, docs/decisions/011: fixtures), so the shared fixtures stay as they are.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '@tieout/db';
import type { AppCaseSpec } from './app-actions.matrix.ts';
import type { RouteOutcome } from './support/app-routes.ts';
import type { WorkspaceFixture } from './support/fixtures.ts';
import { editors, members, owners } from './support/matrix.ts';

const dataOf = (outcome: RouteOutcome) => (outcome.data ?? {}) as Record<string, unknown>;
const managePath = (t: WorkspaceFixture) => `/deals/${t.dealId}/manage`;
const archivedPath = (t: WorkspaceFixture) => `/workspaces/${t.id}/archived`;

/** A workstream with one checklist in the target's deal (archived when asked). */
async function scratch(
  db: Database,
  target: WorkspaceFixture,
  archived = false,
): Promise<{ workstreamId: string; checklistId: string; title: string }> {
  const ids = { workstreamId: randomUUID(), checklistId: randomUUID(), title: `Scratch ${randomUUID().slice(0, 8)}` };
  await db.asService(async (sql) => {
    await sql.query(`insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'custom', $4)`, [
      ids.workstreamId,
      target.id,
      target.dealId,
      ids.title,
    ]);
    await sql.query(
      `insert into public.checklists (id, workspace_id, deal_id, workstream_id, title, archived_at) values ($1, $2, $3, $4, $5, ${archived ? 'now()' : 'null'})`,
      [ids.checklistId, target.id, target.dealId, ids.workstreamId, ids.title],
    );
  });
  return ids;
}

async function row(db: Database, table: 'checklists' | 'workstreams' | 'deals', id: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await db.asService((sql) =>
    sql.query<Record<string, unknown>>(`select *, archived_at is not null as archived from public.${table} where id = $1`, [id]),
  );
  return rows[0];
}

async function removeScratch(db: Database, workstreamId: string): Promise<void> {
  await db.asService((sql) => sql.query(`delete from public.workstreams where id = $1`, [workstreamId]));
}

function expectState(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** Where a row's action posts: the deal's Manage page or the workspace's Archived view. */
interface Page {
  route: 'manageDeal' | 'archived';
  path(target: WorkspaceFixture): string;
  params(target: WorkspaceFixture): Record<string, string>;
}
const manage: Page = { route: 'manageDeal', path: managePath, params: (t) => ({ dealId: t.dealId }) };
const archivedView: Page = { route: 'archived', path: archivedPath, params: (t) => ({ workspaceId: t.id }) };

type Scratch = Awaited<ReturnType<typeof scratch>>;

/**
 * A row whose action changes a scratch workstream and checklist made for the attempt: it posts `form` to `page`,
 * counts the attempt as done when the notice matches, then reads the stored state, drops the scratch and checks the
 * state is what the verdict says (`expected`, by verdict).
 */
function scratchAction(spec: {
  subject: string;
  action: string;
  allowed: AppCaseSpec['allowed'];
  page: Page;
  /** Make the scratch checklist archived. */
  archived?: boolean;
  form(made: Scratch): Record<string, string>;
  notice: RegExp;
  /** What the check compares, read after the attempt, and its name in the failure message. */
  state: { name: string; read(db: Database, made: Scratch): Promise<unknown> };
  expected: { allowed: (made: Scratch) => unknown; refused: (made: Scratch) => unknown };
}): AppCaseSpec {
  return {
    subject: spec.subject,
    action: spec.action,
    allowed: spec.allowed,
    async run({ harness, routes, db, target, cookie }) {
      const made = await scratch(db, target, spec.archived);
      const outcome = await harness.call(routes[spec.page.route], 'action', {
        path: spec.page.path(target),
        params: spec.page.params(target),
        cookie,
        form: spec.form(made),
      });
      return {
        outcome,
        didIt: (o) => spec.notice.test(String(dataOf(o).notice)),
        async check(verdict) {
          const state = await spec.state.read(db, made);
          await removeScratch(db, made.workstreamId);
          const expected = spec.expected[verdict](made);
          expectState(
            state === expected,
            `${spec.state.name} is ${String(state)} after a ${verdict} attempt to ${spec.action} (expected ${String(expected)})`,
          );
        },
      };
    },
  };
}

const field = (table: 'checklists' | 'workstreams', column: string) => (db: Database, made: Scratch) =>
  row(db, table, table === 'checklists' ? made.checklistId : made.workstreamId).then((found) => found?.[column]);
const checklistExists = {
  name: 'checklist exists',
  read: (db: Database, made: Scratch) => row(db, 'checklists', made.checklistId).then((found) => found !== undefined),
};
const deleteChecklist = (made: Scratch) => ({ intent: 'delete', kind: 'checklist', id: made.checklistId, confirmed: 'yes' });

export function structureActionSpecs(): AppCaseSpec[] {
  return [
    {
      subject: 'deal manage page',
      action: 'open the deal’s Manage page (loader)',
      allowed: members,
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.manageDeal, 'loader', { path: managePath(target), params: { dealId: target.dealId }, cookie });
        return { outcome, didIt: (o) => (dataOf(o).deal as { id?: string } | undefined)?.id === target.dealId };
      },
    },
    scratchAction({
      subject: 'deal manage action',
      action: 'rename a checklist (intent=rename)',
      allowed: owners,
      page: manage,
      form: (made) => ({ intent: 'rename', kind: 'checklist', id: made.checklistId, name: 'Renamed in the matrix' }),
      notice: /Renamed the checklist/,
      state: { name: 'checklist title', read: field('checklists', 'title') },
      expected: { allowed: () => 'Renamed in the matrix', refused: (made) => made.title },
    }),
    scratchAction({
      subject: 'deal manage action',
      action: 'archive a workstream (intent=archive)',
      allowed: owners,
      page: manage,
      form: (made) => ({ intent: 'archive', kind: 'workstream', id: made.workstreamId }),
      notice: /Archived the workstream/,
      state: { name: 'workstream archived', read: field('workstreams', 'archived') },
      expected: { allowed: () => true, refused: () => false },
    }),
    scratchAction({
      subject: 'deal manage action',
      action: 'delete a checklist after confirming (intent=delete)',
      allowed: owners,
      page: manage,
      form: deleteChecklist,
      notice: /Deleted the checklist/,
      state: checklistExists,
      expected: { allowed: () => false, refused: () => true },
    }),
    {
      subject: 'deal manage action',
      action: 'change the deal’s stage (intent=stage)',
      allowed: editors,
      async run({ harness, routes, db, target, cookie }) {
        const outcome = await harness.call(routes.manageDeal, 'action', {
          path: managePath(target),
          params: { dealId: target.dealId },
          cookie,
          form: { intent: 'stage', stage: 'closed' },
        });
        return {
          outcome,
          didIt: (o) => /now in Closed/.test(String(dataOf(o).notice)),
          async check(verdict) {
            const stage = (await row(db, 'deals', target.dealId))?.stage;
            await db.asService((sql) => sql.query(`update public.deals set stage = 'diligence' where id = $1`, [target.dealId]));
            expectState(stage === (verdict === 'allowed' ? 'closed' : 'diligence'), `deal stage ${String(stage)} after a ${verdict} change`);
          },
        };
      },
    },
    {
      subject: 'archived page',
      action: 'see what is archived in the workspace (loader)',
      allowed: members,
      async run({ harness, routes, db, target, cookie }) {
        const made = await scratch(db, target, true);
        const outcome = await harness.call(routes.archived, 'loader', { path: archivedPath(target), params: { workspaceId: target.id }, cookie });
        await removeScratch(db, made.workstreamId);
        const entries = (dataOf(outcome).entries as { id: string }[] | undefined) ?? [];
        return { outcome, didIt: () => entries.some((entry) => entry.id === made.checklistId) };
      },
    },
    scratchAction({
      subject: 'archived action',
      action: 'unarchive a checklist (intent=unarchive)',
      allowed: owners,
      page: archivedView,
      archived: true,
      form: (made) => ({ intent: 'unarchive', kind: 'checklist', id: made.checklistId }),
      notice: /Unarchived the checklist/,
      state: { name: 'checklist archived', read: field('checklists', 'archived') },
      expected: { allowed: () => false, refused: () => true },
    }),
    scratchAction({
      subject: 'archived action',
      action: 'delete an archived checklist after confirming (intent=delete)',
      allowed: owners,
      page: archivedView,
      archived: true,
      form: deleteChecklist,
      notice: /Deleted the checklist/,
      state: checklistExists,
      expected: { allowed: () => false, refused: () => true },
    }),
  ];
}
