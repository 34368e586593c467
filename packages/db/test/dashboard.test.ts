import { applyTemplate, auditedReplica, isDueThisWeek, isOverdue, readChecklist, setFigure, todayIso, updateItem } from '@tieout/doc-model';
import { templateByKey } from '@tieout/templates';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  appendAuditRows,
  DashboardError,
  decideItem,
  defaultSupabaseDir,
  getDashboard,
  listItems,
  loadStoredDocument,
  migrate,
  parseItemFilter,
  parseItemSort,
  setTargetSigningDate,
  writeProjection,
  type Database,
} from '../src/index.ts';
import { otherDeal } from '../src/seed/index.ts';
import {
  demoChecklists,
  demoDeal,
  demoUsers,
  demoWorkspace,
  openScratchDatabase,
  otherWorkspace,
  SEED_TODAY,
  type ScratchDatabase,
  userClaims,
} from '../src/testing.ts';

const owner = userClaims(demoUsers.owner);
const reviewer = userClaims(demoUsers.reviewer);
const viewer = userClaims(demoUsers.viewer);
const outsider = userClaims(demoUsers.outsider);
const dealScope = { kind: 'deal', dealId: demoDeal.id } as const;
const target = (checklistId: string) => ({ checklistId, workspaceId: demoWorkspace.id, dealId: demoDeal.id });

type Row = { checklist_id: string; status: string; risk: string | null; owner_id: string | null; due_date: string | null };

describe('dashboard numbers', () => {
  let scratch: ScratchDatabase;
  let db: Database;

  beforeAll(async () => {
    scratch = await openScratchDatabase({ label: 'dashboard', migrate: false });
    db = scratch.db;
    await migrate(db, { seedIfFresh: true });
  }, 120_000);
  afterAll(async () => scratch?.dispose());

  const projected = async (): Promise<Row[]> =>
    (
      await db.ownerQuery<Row>(
        `select checklist_id, status, risk, owner_id, due_date::text as due_date from public.checklist_items where deal_id = $1`,
        [demoDeal.id],
      )
    ).rows;

  const countsAgree = async () => {
    const { rows } = await db.ownerQuery<{ difference: number | string }>(`
      select count(*) as difference from (
        (select checklist_id, status, risk, owner_id, count(*)::int as items from public.checklist_items group by 1, 2, 3, 4
         except select checklist_id, status, risk, owner_id, items from public.checklist_item_counts)
        union all
        (select checklist_id, status, risk, owner_id, items from public.checklist_item_counts
         except select checklist_id, status, risk, owner_id, count(*)::int from public.checklist_items group by 1, 2, 3, 4)) d`);
    expect(Number(rows[0]!.difference)).toBe(0);
  };

  /** Writes the projection and the audit rows of `edit`, as the collaboration server's extensions would for an edit of the editor. */
  const editAsTheServer = async (doc: Y.Doc, edit: () => void) => {
    const replica = auditedReplica(Y.encodeStateAsUpdate(doc));
    const updates: Uint8Array[] = [];
    const onUpdate = (update: Uint8Array) => updates.push(update);
    doc.on('update', onUpdate);
    edit();
    doc.off('update', onUpdate);
    const checklist = target(demoChecklists.siteRetrofits.id);
    await writeProjection(db, checklist, doc, demoUsers.editor.id);
    const changes = updates.flatMap((update) => replica.apply(update));
    await appendAuditRows(
      db,
      changes.map((change) => ({ ...checklist, ...change, userId: demoUsers.editor.id, updateId: null })),
    );
  };

  it('keeps the per-checklist counts equal to the projection through seeding, edits and deletions', async () => {
    await countsAgree();
    const doc = await loadStoredDocument(db, demoChecklists.siteRetrofits.id);
    const items = readChecklist(doc).sections.flatMap((section) => section.items);
    await editAsTheServer(doc, () => {
      updateItem(doc, items[0]!.id, { status: 'done', risk: 'low' });
      updateItem(doc, items[1]!.id, { ownerId: null });
      updateItem(doc, items[2]!.id, { title: 'Renamed: only the title changes' });
    });
    await countsAgree();
    await editAsTheServer(doc, () => doc.getMap('items').delete(items[3]!.id));
    await countsAgree();
    // A deleted checklist takes its counts with it.
    const { rows } = await db.ownerQuery<{ n: number | string }>(`select count(*) as n from public.checklist_item_counts where deal_id = $1`, [
      demoDeal.id,
    ]);
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
  });

  it('computes the deal dashboard from the counts and indexed reads, agreeing with the projected rows', async () => {
    const rows = await projected();
    const dashboard = await getDashboard(db, owner, dealScope, SEED_TODAY);
    expect(dashboard.counts.total).toBe(rows.length);
    expect(dashboard.counts.done).toBe(rows.filter((row) => row.status === 'done').length);
    expect(dashboard.blocked).toBe(rows.filter((row) => row.status === 'blocked').length);
    expect(dashboard.waitingForReview).toBe(rows.filter((row) => row.status === 'needs_review').length);
    expect(dashboard.overdue).toBe(rows.filter((row) => isOverdue({ status: row.status, dueDate: row.due_date }, SEED_TODAY)).length);
    expect(dashboard.overdue).toBeGreaterThan(0);
    expect(dashboard.dueThisWeek).toBe(rows.filter((row) => isDueThisWeek({ status: row.status, dueDate: row.due_date }, SEED_TODAY)).length);
    const open = rows.filter((row) => row.status !== 'done');
    const critical = dashboard.heatmap.find((row) => row.name === 'Site retrofits')!.cells.critical;
    expect(critical).toBe(open.filter((row) => row.checklist_id === demoChecklists.siteRetrofits.id && row.risk === 'critical').length);
    const eddie = dashboard.workload.find((load) => load.ownerId === demoUsers.editor.id)!;
    expect(eddie.name).toBe('Eddie Ng');
    expect(eddie.open).toBe(open.filter((row) => row.owner_id === demoUsers.editor.id).length);
    expect(dashboard.workstreams.map((workstream) => workstream.name)).toEqual(['Site retrofits', 'Energy contracts', 'Lease exposure']);
    expect(dashboard.workstreams.reduce((sum, workstream) => sum + workstream.counts.total, 0)).toBe(rows.length);
    // The projection's day-by-day record: today's point holds today's counts.
    const now = await getDashboard(db, owner, dealScope, todayIso());
    expect(now.history.at(-1)).toEqual({ day: todayIso(), done: dashboard.counts.done, open: dashboard.counts.total - dashboard.counts.done });
  });

  it('rolls up the seeded public figures as unverified, and as verified once a reviewer approves the item', async () => {
    const before = await getDashboard(db, owner, dealScope, SEED_TODAY);
    const reported = before.exposure[0]!.groups[0]!.lines[0]!;
    expect(reported.label).toBe('Reported gross capacity (portfolio)');
    expect(reported.rollup).toMatchObject({ total: 1300, items: 1, verified: { count: 0 }, unverified: { count: 1, total: 1300 } });
    const deliverable = before.exposure[0]!.groups[0]!.lines.find((line) => line.label === 'Deliverable MW today')!;
    expect(deliverable.rollup).toBeNull();
    const leases = before.exposure[0]!.groups[1]!.lines[0]!;
    expect(leases.rollup?.unverified.total).toBe(10_000_000_000);

    const doc = await loadStoredDocument(db, demoChecklists.siteRetrofits.id);
    const item = readChecklist(doc)
      .sections.flatMap((section) => section.items)
      .find((candidate) => candidate.figures.some((f) => f.value === 1300))!;
    await writeProjection(db, target(demoChecklists.siteRetrofits.id), doc, null);
    await decideItem(db, reviewer, { checklistId: demoChecklists.siteRetrofits.id, itemId: item.id, decision: 'approved' });
    const after = await getDashboard(db, owner, dealScope, SEED_TODAY);
    expect(after.exposure[0]!.groups[0]!.lines[0]!.rollup).toMatchObject({
      total: 1300,
      verified: { count: 1, total: 1300 },
      unverified: { count: 0 },
    });
    const verifiedOnly = await listItems(db, owner, dealScope, parseItemFilter(new URLSearchParams('verified=yes')), SEED_TODAY);
    expect(verifiedOnly.items.map((listedItem) => listedItem.itemId)).toEqual([item.id]);
  });

  it('a new checklist from a built-in template rolls up nothing until someone enters a value', async () => {
    const checklistId = randomUUID();
    await db.asService((sql) =>
      sql.query(`insert into public.checklists (id, workspace_id, deal_id, workstream_id, title) values ($1, $2, $3, $4, 'Second site pass')`, [
        checklistId,
        demoWorkspace.id,
        demoDeal.id,
        '44444444-4444-4444-8444-000000000001',
      ]),
    );
    const doc = new Y.Doc();
    applyTemplate(doc, templateByKey('site-retrofits')!);
    await writeProjection(db, target(checklistId), doc, null);
    const dashboard = await getDashboard(db, owner, dealScope, SEED_TODAY);
    const reported = dashboard.exposure[0]!.groups[0]!.lines[0]!.rollup!;
    expect(reported.total).toBe(1300);
    expect(reported.items).toBe(1);
    const item = readChecklist(doc).sections[0]!.items[0]!;
    const figure = item.figures.find((f) => f.label === 'Deliverable MW today')!;
    setFigure(doc, item.id, { ...figure, value: 450 });
    await writeProjection(db, target(checklistId), doc, null);
    const later = await getDashboard(db, owner, dealScope, SEED_TODAY);
    expect(later.exposure[0]!.groups[0]!.lines.find((line) => line.label === 'Deliverable MW today')!.rollup).toMatchObject({ total: 450, items: 1 });
  });

  it('filters the cross-checklist item list and refuses filter values that do not exist', async () => {
    const rows = await projected();
    const all = await listItems(db, viewer, dealScope, {}, SEED_TODAY, { limit: 10_000 });
    expect(all.total).toBe(rows.length);
    const overdue = await listItems(db, viewer, dealScope, parseItemFilter(new URLSearchParams('due=overdue')), SEED_TODAY);
    expect(overdue.total).toBe(rows.filter((row) => isOverdue({ status: row.status, dueDate: row.due_date }, SEED_TODAY)).length);
    expect(overdue.items.every((item) => item.status !== 'done' && item.dueDate! < SEED_TODAY)).toBe(true);
    const mine = await listItems(
      db,
      viewer,
      { kind: 'workspace', workspaceId: demoWorkspace.id },
      parseItemFilter(new URLSearchParams({ owner: demoUsers.editor.id, risk: 'critical', status: 'open', deal: demoDeal.id })),
      SEED_TODAY,
    );
    expect(mine.total).toBe(rows.filter((row) => row.owner_id === demoUsers.editor.id && row.risk === 'critical' && row.status !== 'done').length);
    expect(mine.items.every((item) => item.ownerName === 'Eddie Ng')).toBe(true);

    expect(() => parseItemFilter(new URLSearchParams('status=finished'))).toThrow(/Filter “status”: Status is one of/);
    expect(() => parseItemFilter(new URLSearchParams('colour=red'))).toThrow('There is no filter called “colour”');
    expect(() => parseItemFilter(new URLSearchParams('dueFrom=2026-02-30'))).toThrow(/Use a date like/);
    expect(() => parseItemFilter(new URLSearchParams('dueFrom=2026-12-10&dueTo=2026-12-01'))).toThrow(/ends before it starts/);
    // A deal of another workspace, or an owner who is not a member: refused, with nothing about the other workspace.
    const refusal = await listItems(db, owner, { kind: 'workspace', workspaceId: demoWorkspace.id }, { deal: otherDeal.id }, SEED_TODAY).catch(
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(DashboardError);
    expect((refusal as DashboardError).kind).toBe('invalid');
    expect((refusal as Error).message).not.toContain(otherDeal.name);
    await expect(listItems(db, owner, dealScope, { owner: demoUsers.outsider.id }, SEED_TODAY)).rejects.toThrow('not a member of this workspace');
  });

  it("projects each item's reference and sorts the list by it in numbering order, or by due date either way", async () => {
    const doc = await loadStoredDocument(db, demoChecklists.energyContracts.id);
    const items = readChecklist(doc).sections.flatMap((section) => section.items);
    // Given out of order, with numbers of different lengths and a letter case that must not matter.
    const given = ['2.10', '2.9', 'a-3', 'A-20', '10.1', '2.1.5'];
    given.forEach((reference, index) => updateItem(doc, items[index]!.id, { reference }));
    updateItem(doc, items[given.length]!.id, { reference: null });
    await writeProjection(db, target(demoChecklists.energyContracts.id), doc, demoUsers.editor.id);
    const checklist = parseItemFilter(new URLSearchParams({ checklist: demoChecklists.energyContracts.id }));

    const byRef = await listItems(db, viewer, dealScope, checklist, SEED_TODAY, { sort: 'ref', limit: 10_000 });
    expect(byRef.sort).toBe('ref');
    expect(byRef.total).toBe(items.length);
    expect(byRef.items.slice(0, given.length).map((item) => item.reference)).toEqual(['2.1.5', '2.9', '2.10', '10.1', 'a-3', 'A-20']);
    // Items without a reference come last, in checklist order, whichever way the column runs.
    const unnumbered = byRef.items.slice(given.length);
    expect(unnumbered.every((item) => item.reference === null)).toBe(true);
    const reversed = await listItems(db, viewer, dealScope, checklist, SEED_TODAY, { sort: '-ref', limit: 10_000 });
    expect(reversed.items.slice(0, given.length).map((item) => item.reference)).toEqual(['A-20', 'a-3', '10.1', '2.10', '2.9', '2.1.5']);
    expect(reversed.items.slice(given.length).map((item) => item.itemId)).toEqual(unnumbered.map((item) => item.itemId));

    // By due date (the default): undated items last; reversed, the latest first and undated still last.
    const byDue = await listItems(db, viewer, dealScope, {}, SEED_TODAY, { limit: 10_000 });
    const dates = byDue.items.map((item) => item.dueDate);
    const dated = dates.filter((date): date is string => date !== null);
    expect(dated).toEqual([...dated].sort());
    expect(dates.slice(dated.length).every((date) => date === null)).toBe(true);
    const latest = await listItems(db, viewer, dealScope, {}, SEED_TODAY, { sort: '-due', limit: 10_000 });
    expect(latest.items.map((item) => item.dueDate).filter((date) => date !== null)).toEqual([...dated].reverse());
    // Pages follow the same order, and the count is of every match, not of the page.
    const second = await listItems(db, viewer, dealScope, {}, SEED_TODAY, { sort: 'ref', limit: 5, offset: 5 });
    const whole = await listItems(db, viewer, dealScope, {}, SEED_TODAY, { sort: 'ref', limit: 10_000 });
    expect(second.items.map((item) => item.itemId)).toEqual(whole.items.slice(5, 10).map((item) => item.itemId));
    expect(second.total).toBe(whole.total);
    expect(whole.items.find((item) => item.reference === '2.9')).toMatchObject({
      checklistTitle: byRef.items[0]!.checklistTitle,
      workstreamName: 'Energy contracts',
    });

    expect(parseItemSort(new URLSearchParams(''))).toBe('due');
    expect(parseItemSort(new URLSearchParams('sort=-ref'))).toBe('-ref');
    expect(() => parseItemSort(new URLSearchParams('sort=colour'))).toThrow('Sort is one of due, -due, ref, -ref (got “colour”)');
    expect(() => parseItemSort(new URLSearchParams('sort=ref&sort=due'))).toThrow(/given twice/);
    // sort is not a filter: the filters ignore it.
    expect(parseItemFilter(new URLSearchParams('sort=ref&status=open'))).toEqual({ status: 'open' });
    // A checklist of another workspace is refused like the other filters.
    const foreign = await listItems(db, owner, dealScope, { checklist: randomUUID() }, SEED_TODAY).catch((error: unknown) => error);
    expect(foreign).toBeInstanceOf(DashboardError);
    expect((foreign as Error).message).toBe('Filter “checklist”: not a checklist of this deal');
  });

  it('shows nothing of a deal or workspace the caller is not a member of', async () => {
    for (const scope of [dealScope, { kind: 'workspace', workspaceId: demoWorkspace.id } as const, { kind: 'deal', dealId: 'not-a-uuid' } as const]) {
      const error = await getDashboard(db, outsider, scope, SEED_TODAY).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(DashboardError);
      expect((error as DashboardError).kind).toBe('not_found');
      await expect(listItems(db, outsider, scope, {}, SEED_TODAY)).rejects.toThrow(DashboardError);
    }
    await expect(getDashboard(db, owner, { kind: 'workspace', workspaceId: otherWorkspace.id }, SEED_TODAY)).rejects.toThrow(
      /does not exist or you do not have access/,
    );
    // The outsider's own numbers never include the demo workspace's rows.
    const theirs = await getDashboard(db, outsider, { kind: 'workspace', workspaceId: otherWorkspace.id }, SEED_TODAY);
    const { rows } = await db.ownerQuery<{ n: number | string }>(`select count(*) as n from public.checklist_items where workspace_id = $1`, [
      otherWorkspace.id,
    ]);
    expect(theirs.counts.total).toBe(Number(rows[0]!.n));
  });

  it('draws progress over time from the audit trail once it has every item of the deal', async () => {
    const ids = { deal: randomUUID(), workstream: randomUUID(), checklist: randomUUID() };
    await db.asService(async (sql) => {
      await sql.query(`insert into public.deals (id, workspace_id, name) values ($1, $2, 'Audited deal')`, [ids.deal, demoWorkspace.id]);
      await sql.query(`insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'custom', 'Tax')`, [
        ids.workstream,
        demoWorkspace.id,
        ids.deal,
      ]);
      await sql.query(`insert into public.checklists (id, workspace_id, deal_id, workstream_id, title) values ($1, $2, $3, $4, 'Tax')`, [
        ids.checklist,
        demoWorkspace.id,
        ids.deal,
        ids.workstream,
      ]);
    });
    const doc = new Y.Doc();
    applyTemplate(doc, { key: 'tax', name: 'Tax', workstream: 'custom', sections: [{ title: 'T', items: [{ title: 'A' }, { title: 'B' }] }] });
    const [a, b] = readChecklist(doc).sections[0]!.items;
    updateItem(doc, a!.id, { status: 'done' });
    await writeProjection(db, { checklistId: ids.checklist, workspaceId: demoWorkspace.id, dealId: ids.deal }, doc, null);
    const scope = { kind: 'deal', dealId: ids.deal } as const;
    expect((await getDashboard(db, owner, scope, '2026-11-05')).historySource).toBe('progress_days');
    const audit = (itemId: string, kind: string, field: string | null, value: unknown, at: string) =>
      db.ownerQuery(
        `insert into public.audit_trail (workspace_id, deal_id, checklist_id, item_id, kind, field, new_value, created_at) values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
        [demoWorkspace.id, ids.deal, ids.checklist, itemId, kind, field, JSON.stringify(value), at],
      );
    await audit(a!.id, 'item_created', null, { status: 'not_started' }, '2026-11-01T10:00:00Z');
    await audit(b!.id, 'item_created', null, { status: 'not_started' }, '2026-11-01T10:00:00Z');
    await audit(a!.id, 'item_field', 'status', 'done', '2026-11-03T09:00:00Z');
    const dashboard = await getDashboard(db, owner, scope, '2026-11-04');
    expect(dashboard.historySource).toBe('audit_trail');
    expect(dashboard.history).toEqual([
      { day: '2026-11-01', done: 0, open: 2 },
      { day: '2026-11-02', done: 0, open: 2 },
      { day: '2026-11-03', done: 1, open: 1 },
      { day: '2026-11-04', done: 1, open: 1 },
    ]);
  });

  it('sets the target signing date for editors only', async () => {
    await expect(setTargetSigningDate(db, owner, demoDeal.id, '2027-03-31')).resolves.toBe(true);
    expect((await getDashboard(db, viewer, dealScope, SEED_TODAY)).scope.deal?.targetSigningDate).toBe('2027-03-31');
    await expect(setTargetSigningDate(db, viewer, demoDeal.id, '2027-04-30')).resolves.toBe(false);
    await expect(setTargetSigningDate(db, owner, demoDeal.id, '31/03/2027')).rejects.toThrow(/date like/);
    expect((await getDashboard(db, viewer, dealScope, SEED_TODAY)).scope.deal?.targetSigningDate).toBe('2027-03-31');
  });
});

describe('the reference column of the projection, added to a database that already has rows', () => {
  let scratch: ScratchDatabase;
  afterAll(async () => scratch?.dispose());

  it('is filled from the search index where it holds the reference, and left empty where it cannot be known', async () => {
    // The schema as it was before the column: every migration before it, and the seed.
    const dir = mkdtempSync(join(tmpdir(), 'tieout-before-reference-'));
    mkdirSync(join(dir, 'migrations'));
    for (const file of readdirSync(join(defaultSupabaseDir, 'migrations'))) {
      if (file < '20261202000500') copyFileSync(join(defaultSupabaseDir, 'migrations', file), join(dir, 'migrations', file));
    }
    copyFileSync(join(defaultSupabaseDir, 'seed.sql'), join(dir, 'seed.sql'));
    scratch = await openScratchDatabase({ label: 'reference-backfill', migrate: false });
    const db = scratch.db;
    await migrate(db, { supabaseDir: dir, seedIfFresh: true });
    const { rows: items } = await db.ownerQuery<{ checklist_id: string; item_id: string; title: string; workspace_id: string; deal_id: string }>(
      `select checklist_id, item_id, title, workspace_id, deal_id from public.checklist_items where checklist_id = $1 order by position limit 3`,
      [demoChecklists.leaseExposure.id],
    );
    const [numbered, unnumbered, stale] = items as [(typeof items)[0], (typeof items)[0], (typeof items)[0]];
    // As the search index writes item entries: the reference, a space and the title; the title alone when there is none.
    // (The seed already indexed these items, by their titles: each entry here replaces the seeded one.)
    const entry = (item: (typeof items)[0], title: string) =>
      db.ownerQuery(
        `insert into public.search_entries (workspace_id, deal_id, checklist_id, item_id, kind, source_id, title) values ($1, $2, $3, $4, 'item', $4, $5)
         on conflict (checklist_id, kind, source_id) do update set title = excluded.title`,
        [item.workspace_id, item.deal_id, item.checklist_id, item.item_id, title],
      );
    await entry(numbered, `4.1.2 ${numbered.title}`);
    await entry(unnumbered, unnumbered.title);
    // An entry written before the title changed cannot tell the reference apart from the title.
    await entry(stale, `9.9 An older title`);

    await migrate(db);
    const { rows } = await db.ownerQuery<{ item_id: string; reference: string | null; reference_key: string | null }>(
      `select item_id, reference, reference_key from public.checklist_items where checklist_id = $1`,
      [demoChecklists.leaseExposure.id],
    );
    const byId = new Map(rows.map((row) => [row.item_id, row]));
    expect(byId.get(numbered.item_id)).toMatchObject({ reference: '4.1.2', reference_key: '014.011.012' });
    expect(byId.get(unnumbered.item_id)!.reference).toBeNull();
    expect(byId.get(stale.item_id)!.reference).toBeNull();
    expect(rows.filter((row) => row.reference !== null)).toHaveLength(1);
  }, 120_000);
});
