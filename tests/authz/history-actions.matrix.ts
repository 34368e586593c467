/*
 * The history routes of issue 12 in the app-action matrix (rows appended to appActionMatrix): the versions page, naming
 * a version, a version's read-only view, the deal's activity and its audit-trail CSV. (Restoring runs through a live
 * collaboration server, which this harness does not start: its refusals are tested in app/test/history.test.ts.)
 */
import type { AppCaseSpec } from './app-actions.matrix.ts';
import type { WorkspaceFixture } from './support/fixtures.ts';
import { editors, members } from './support/matrix.ts';
import type { RouteOutcome } from './support/app-routes.ts';

const dataOf = (outcome: RouteOutcome) => (outcome.data ?? {}) as Record<string, unknown>;
const historyPath = (t: WorkspaceFixture) => `/checklists/${t.checklistId}/history`;

export function historyActionSpecs(): AppCaseSpec[] {
  return [
    {
      subject: 'checklist history',
      action: 'read the versions and activity (loader)',
      allowed: members,
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.history, 'loader', {
          path: historyPath(target),
          params: { checklistId: target.checklistId },
          cookie,
        });
        return { outcome, didIt: (o) => ((dataOf(o).versions as { id: string }[] | undefined) ?? []).some((v) => v.id === target.history.versionId) };
      },
    },
    {
      subject: 'checklist history',
      action: 'name a version (intent=name)',
      allowed: editors,
      async run({ harness, routes, target, cookie, db }) {
        const name = `Matrix ${Math.random().toString(36).slice(2, 8)}`;
        const outcome = await harness.call(routes.history, 'action', {
          path: historyPath(target),
          params: { checklistId: target.checklistId },
          cookie,
          form: { intent: 'name', name },
        });
        const { rows } = await db.asService((sql) =>
          sql.query(`select 1 from public.document_versions where checklist_id = $1 and name = $2`, [target.checklistId, name]),
        );
        return { outcome, didIt: () => rows.length === 1 };
      },
    },
    {
      subject: 'version view',
      action: 'open a version read-only (loader)',
      allowed: members,
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.version, 'loader', {
          path: `/checklists/${target.checklistId}/versions/${target.history.versionId}`,
          params: { checklistId: target.checklistId, versionId: target.history.versionId },
          cookie,
        });
        return { outcome, didIt: (o) => (dataOf(o).version as { id?: string } | undefined)?.id === target.history.versionId };
      },
    },
    {
      subject: 'deal activity',
      action: 'read the deal’s audit trail (loader)',
      allowed: members,
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.dealActivity, 'loader', {
          path: `/deals/${target.dealId}/activity`,
          params: { dealId: target.dealId },
          cookie,
        });
        const entries = (dataOf(outcome).activity as { entries?: { id: number }[] } | undefined)?.entries ?? [];
        return { outcome, didIt: () => entries.some((entry) => entry.id === target.history.auditId) };
      },
    },
    {
      subject: 'deal activity',
      action: 'export the audit trail as CSV',
      allowed: members,
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.auditCsv, 'loader', {
          path: `/deals/${target.dealId}/audit.csv`,
          params: { dealId: target.dealId },
          cookie,
        });
        return { outcome, didIt: (o) => o.status === 200 && typeof o.data === 'string' && o.data.includes('item_field') };
      },
    },
  ];
}
