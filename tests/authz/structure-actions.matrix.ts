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
async function scratch(db: Database, target: WorkspaceFixture, archived = false): Promise<{ workstreamId: string; checklistId: string; title: string }> {
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
  const { rows } = await db.asService((sql) => sql.query<Record<string, unknown>>(`select *, archived_at is not null as archived from public.${table} where id = $1`, [id]));
  return rows[0];
}

async function removeScratch(db: Database, workstreamId: string): Promise<void> {
  await db.asService((sql) => sql.query(`delete from public.workstreams where id = $1`, [workstreamId]));
}

function expectState(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

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
    {
      subject: 'deal manage action',
      action: 'rename a checklist (intent=rename)',
      allowed: owners,
      async run({ harness, routes, db, target, cookie }) {
        const made = await scratch(db, target);
        const outcome = await harness.call(routes.manageDeal, 'action', {
          path: managePath(target),
          params: { dealId: target.dealId },
          cookie,
          form: { intent: 'rename', kind: 'checklist', id: made.checklistId, name: 'Renamed in the matrix' },
        });
        return {
          outcome,
          didIt: (o) => /Renamed the checklist/.test(String(dataOf(o).notice)),
          async check(verdict) {
            const title = (await row(db, 'checklists', made.checklistId))?.title;
            await removeScratch(db, made.workstreamId);
            expectState(title === (verdict === 'allowed' ? 'Renamed in the matrix' : made.title), `checklist is “${String(title)}” after a ${verdict} rename`);
          },
        };
      },
    },
    {
      subject: 'deal manage action',
      action: 'archive a workstream (intent=archive)',
      allowed: owners,
      async run({ harness, routes, db, target, cookie }) {
        const made = await scratch(db, target);
        const outcome = await harness.call(routes.manageDeal, 'action', {
          path: managePath(target),
          params: { dealId: target.dealId },
          cookie,
          form: { intent: 'archive', kind: 'workstream', id: made.workstreamId },
        });
        return {
          outcome,
          didIt: (o) => /Archived the workstream/.test(String(dataOf(o).notice)),
          async check(verdict) {
            const archived = (await row(db, 'workstreams', made.workstreamId))?.archived;
            await removeScratch(db, made.workstreamId);
            expectState(archived === (verdict === 'allowed'), `workstream archived=${String(archived)} after a ${verdict} archive`);
          },
        };
      },
    },
    {
      subject: 'deal manage action',
      action: 'delete a checklist after confirming (intent=delete)',
      allowed: owners,
      async run({ harness, routes, db, target, cookie }) {
        const made = await scratch(db, target);
        const outcome = await harness.call(routes.manageDeal, 'action', {
          path: managePath(target),
          params: { dealId: target.dealId },
          cookie,
          form: { intent: 'delete', kind: 'checklist', id: made.checklistId, confirmed: 'yes' },
        });
        return {
          outcome,
          didIt: (o) => /Deleted the checklist/.test(String(dataOf(o).notice)),
          async check(verdict) {
            const exists = (await row(db, 'checklists', made.checklistId)) !== undefined;
            await removeScratch(db, made.workstreamId);
            expectState(exists === (verdict === 'refused'), `checklist exists=${exists} after a ${verdict} delete`);
          },
        };
      },
    },
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
    {
      subject: 'archived action',
      action: 'unarchive a checklist (intent=unarchive)',
      allowed: owners,
      async run({ harness, routes, db, target, cookie }) {
        const made = await scratch(db, target, true);
        const outcome = await harness.call(routes.archived, 'action', {
          path: archivedPath(target),
          params: { workspaceId: target.id },
          cookie,
          form: { intent: 'unarchive', kind: 'checklist', id: made.checklistId },
        });
        return {
          outcome,
          didIt: (o) => /Unarchived the checklist/.test(String(dataOf(o).notice)),
          async check(verdict) {
            const archived = (await row(db, 'checklists', made.checklistId))?.archived;
            await removeScratch(db, made.workstreamId);
            expectState(archived === (verdict === 'refused'), `checklist archived=${String(archived)} after a ${verdict} unarchive`);
          },
        };
      },
    },
    {
      subject: 'archived action',
      action: 'delete an archived checklist after confirming (intent=delete)',
      allowed: owners,
      async run({ harness, routes, db, target, cookie }) {
        const made = await scratch(db, target, true);
        const outcome = await harness.call(routes.archived, 'action', {
          path: archivedPath(target),
          params: { workspaceId: target.id },
          cookie,
          form: { intent: 'delete', kind: 'checklist', id: made.checklistId, confirmed: 'yes' },
        });
        return {
          outcome,
          didIt: (o) => /Deleted the checklist/.test(String(dataOf(o).notice)),
          async check(verdict) {
            const exists = (await row(db, 'checklists', made.checklistId)) !== undefined;
            await removeScratch(db, made.workstreamId);
            expectState(exists === (verdict === 'refused'), `checklist exists=${exists} after a ${verdict} delete`);
          },
        };
      },
    },
  ];
}
