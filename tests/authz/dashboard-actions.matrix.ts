/*
 * The managers' dashboard, item list and deal exports of issue 14 in the app-action matrix (rows appended to
 * appActionMatrix). Every member reads them; only editors and owners set a deal's target signing date; a deal or
 * workspace of another tenant answers 404 with nothing of it in the answer.
 */
import type { AppCaseSpec } from './app-actions.matrix.ts';
import type { WorkspaceFixture } from './support/fixtures.ts';
import { members, type Standing } from './support/matrix.ts';
import type { RouteOutcome } from './support/app-routes.ts';

const editors: readonly Standing[] = ['owner', 'editor'];
const dataOf = (outcome: RouteOutcome) => (outcome.data ?? {}) as Record<string, unknown>;
const text = (outcome: RouteOutcome) => (typeof outcome.data === 'string' ? outcome.data : '');

/** A refusal must not carry the other workspace's names. */
const leaksNothing = (target: WorkspaceFixture) => (outcome: RouteOutcome) => !JSON.stringify(outcome.data ?? '').includes(target.name);

export function dashboardActionSpecs(): AppCaseSpec[] {
  const file = (
    subject: string,
    action: string,
    route: 'exportCsv' | 'exportXlsx' | 'report' | 'reportPdf',
    suffix: string,
    looksRight: (body: string) => boolean,
  ): AppCaseSpec => ({
    subject,
    action,
    allowed: members,
    async run({ harness, routes, target, cookie }) {
      const outcome = await harness.call(routes[route], 'loader', {
        path: `/deals/${target.dealId}/${suffix}`,
        params: { dealId: target.dealId },
        cookie,
      });
      return {
        outcome,
        didIt: (o) => looksRight(text(o)),
        async check(verdict) {
          if (verdict === 'refused' && !leaksNothing(target)(outcome)) throw new Error(`${subject}: the refusal names the workspace`);
        },
      };
    },
  });
  return [
    {
      subject: 'dashboard page',
      action: 'open the workspace’s dashboard (loader)',
      allowed: members,
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.workspaceDashboard, 'loader', {
          path: `/workspaces/${target.id}/dashboard`,
          params: { workspaceId: target.id },
          cookie,
        });
        const scope = (dataOf(outcome).dashboard as { scope?: { workspace?: { id?: string } } } | undefined)?.scope;
        return { outcome, didIt: () => scope?.workspace?.id === target.id };
      },
    },
    {
      subject: 'deal dashboard',
      action: 'open the deal’s dashboard (loader)',
      allowed: members,
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.dealDashboard, 'loader', {
          path: `/deals/${target.dealId}/dashboard`,
          params: { dealId: target.dealId },
          cookie,
        });
        const deal = (dataOf(outcome).dashboard as { scope?: { deal?: { id?: string } } } | undefined)?.scope?.deal;
        return { outcome, didIt: () => deal?.id === target.dealId };
      },
    },
    {
      subject: 'deal dashboard',
      action: 'set the target signing date (action)',
      allowed: editors,
      async run({ harness, routes, target, cookie, db }) {
        const date = `2027-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
        const before = await db.asService((sql) =>
          sql.query<{ d: string | null }>(`select target_signing_date::text as d from public.deals where id = $1`, [target.dealId]),
        );
        const outcome = await harness.call(routes.dealDashboard, 'action', {
          path: `/deals/${target.dealId}/dashboard`,
          params: { dealId: target.dealId },
          cookie,
          form: { targetSigningDate: date },
        });
        const after = await db.asService((sql) =>
          sql.query<{ d: string | null }>(`select target_signing_date::text as d from public.deals where id = $1`, [target.dealId]),
        );
        return {
          outcome,
          didIt: () => after.rows[0]?.d === date,
          async check(verdict) {
            if (verdict === 'refused' && after.rows[0]?.d !== before.rows[0]?.d) throw new Error('a refused caller changed the target signing date');
          },
        };
      },
    },
    {
      subject: 'item list',
      action: 'list the workspace’s open items across checklists (loader)',
      allowed: members,
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.items, 'loader', {
          path: `/workspaces/${target.id}/items?status=open`,
          params: { workspaceId: target.id },
          cookie,
        });
        const list = dataOf(outcome).list as { scope?: { workspace?: { id?: string } }; total?: number } | undefined;
        return { outcome, didIt: () => list?.scope?.workspace?.id === target.id && (list.total ?? 0) > 0 };
      },
    },
    file('deal export', 'download the deal as CSV (loader)', 'exportCsv', 'export.csv', (body) =>
      body.replace(/^\uFEFF/, '').startsWith('Workstream,Checklist,Section'),
    ),
    file('deal export', 'download the deal as XLSX (loader)', 'exportXlsx', 'export.xlsx', (body) => body.startsWith('PK')),
    file('deal report', 'open the printable status report (loader)', 'report', 'report', (body) => body.includes('Status report:')),
    file('deal report', 'download the status report as PDF (loader)', 'reportPdf', 'report.pdf', (body) => body.startsWith('%PDF-')),
  ];
}
