import type { Database } from '@tieout/db';
import { openScratchDatabase } from '@tieout/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppHarness, loadRoute, type AppHarness, type RouteModule, type RouteOutcome } from './support/app-routes.ts';
import { buildAuthzWorld, type AuthzWorld } from './support/fixtures.ts';

/*
 * Bad input to the dashboard, the item list and the exports (issue 14): a filter value that does not exist, a deal
 * of another workspace, an export of a deal the caller cannot see. Each gets a clear error and leaks nothing of the
 * other workspace.
 */

let db: Database;
let dispose: () => Promise<void>;
let world: AuthzWorld;
let harness: AppHarness;
let items: RouteModule;
let dealDashboard: RouteModule;
let exportCsv: RouteModule;
let reportPdf: RouteModule;

beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'dashboard_input' }));
  world = await buildAuthzWorld(db);
  harness = await createAppHarness(db, [world.A.members.owner, world.B.members.owner]);
  items = await loadRoute('workspaces.$workspaceId.items.tsx');
  dealDashboard = await loadRoute('deals.$dealId_.dashboard.tsx');
  exportCsv = await loadRoute('deals.$dealId_.export[.]csv.ts');
  reportPdf = await loadRoute('deals.$dealId_.report[.]pdf.ts');
});
afterAll(async () => dispose?.());

const body = (outcome: RouteOutcome) => (typeof outcome.data === 'string' ? outcome.data : JSON.stringify(outcome.data));

async function listAs(query: string) {
  const cookie = await harness.cookieFor(world.A.members.owner);
  return harness.call(items, 'loader', { path: `/workspaces/${world.A.id}/items?${query}`, params: { workspaceId: world.A.id }, cookie });
}

describe('the item list refuses filter values that do not exist, saying which', () => {
  it.each([
    ['status=finished', 'Filter “status”: Status is one of not_started, in_progress, needs_review, blocked, done, open (got “finished”)'],
    ['risk=apocalyptic', 'Filter “risk”: Risk is one of critical, high, medium, low, none (got “apocalyptic”)'],
    ['colour=red', 'There is no filter called “colour”'],
    ['owner=nobody', 'Filter “owner”: Not a member of this workspace (got “nobody”)'],
    ['dueFrom=2026-13-01', 'Filter “dueFrom”: Use a date like 2026-12-31 (got “2026-13-01”)'],
    ['status=open&status=done', 'The filter “status” is given twice'],
  ])('%s', async (query, message) => {
    const outcome = await listAs(query);
    expect(outcome.status).toBe(400);
    expect(body(outcome)).toContain(message);
  });

  it('refuses a deal, workstream or owner of another workspace without naming it', async () => {
    for (const query of [`deal=${world.B.dealId}`, `workstream=${world.B.workstreamId}`, `owner=${world.B.members.owner.id}`]) {
      const outcome = await listAs(query);
      expect(outcome.status).toBe(400);
      expect(body(outcome)).toMatch(/not a (deal|workstream|member) of this workspace/);
      expect(body(outcome)).not.toContain(world.B.name);
    }
    // The same filters on the caller's own workspace work.
    const own = await listAs(`deal=${world.A.dealId}&status=open`);
    expect(own.status).toBe(200);
  });
});

describe('a deal of another workspace, or one that does not exist', () => {
  it('is a 404 with one message on the dashboard, the CSV export and the PDF, whatever the id', async () => {
    const cookie = await harness.cookieFor(world.A.members.owner);
    for (const dealId of [world.B.dealId, '33333333-3333-4333-8333-0000000000ff', 'not-a-deal']) {
      for (const [route, path] of [
        [dealDashboard, 'dashboard'],
        [exportCsv, 'export.csv'],
        [reportPdf, 'report.pdf'],
      ] as const) {
        const outcome = await harness.call(route, 'loader', { path: `/deals/${dealId}/${path}`, params: { dealId }, cookie });
        expect(outcome.status).toBe(404);
        expect(body(outcome)).toContain('This deal or workspace does not exist or you do not have access to it.');
        expect(body(outcome)).not.toContain(world.B.name);
      }
    }
  });

  it('sends an anonymous caller to sign in', async () => {
    const outcome = await harness.call(exportCsv, 'loader', {
      path: `/deals/${world.A.dealId}/export.csv`,
      params: { dealId: world.A.dealId },
      cookie: null,
    });
    expect(outcome.status).toBe(302);
    expect(outcome.location).toMatch(/^\/login\?redirectTo=/);
  });
});
