import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createWorkstream,
  deleteStructure,
  deletionImpact,
  describeDeletion,
  getChecklist,
  getDashboard,
  getDeal,
  getMyWork,
  listArchived,
  listItems,
  parseItemFilter,
  listWorkspacesWithDeals,
  renameStructure,
  replaceChecklistSearchEntries,
  searchEverything,
  setDealStage,
  setStructureArchived,
  TenancyError,
  type Database,
} from '../src/index.ts';
import { createChecklistFixture, openScratchDatabase, type ChecklistFixture } from '../src/testing.ts';

let db: Database;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'structure' }));
}, 120_000);
afterAll(async () => dispose?.(), 60_000);

interface World extends ChecklistFixture {
  dealId: string;
  workstreamId: string;
}

/** A fixture workspace with one deal, workstream and checklist holding two projected items. */
async function world(): Promise<World> {
  const fx = await createChecklistFixture(db);
  const { rows } = await db.ownerQuery<{ deal_id: string; workstream_id: string }>(
    `select deal_id, workstream_id from public.checklists where id = $1`,
    [fx.checklistId],
  );
  const { deal_id: dealId, workstream_id: workstreamId } = rows[0]!;
  await db.ownerQuery(
    `insert into public.checklist_items (checklist_id, item_id, workspace_id, deal_id, position, title, status)
     values ($1, 'a', $2, $3, 'a0', 'Rent roll', 'done'), ($1, 'b', $2, $3, 'a1', 'Leases', 'not_started')`,
    [fx.checklistId, fx.workspaceId, dealId],
  );
  return { ...fx, dealId, workstreamId };
}

async function refusal(promise: Promise<unknown>): Promise<TenancyError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TenancyError);
  return error as TenancyError;
}

async function audit(workspaceId: string, kind: string) {
  const { rows } = await db.ownerQuery<{ user_id: string | null; old_value: unknown; new_value: unknown }>(
    `select user_id, old_value, new_value from public.audit_trail where workspace_id = $1 and kind = $2 order by id`,
    [workspaceId, kind],
  );
  return rows;
}

describe('renaming', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('owners rename a deal, a workstream and a checklist; each rename is audited with the old and new name', async () => {
    const owner = w.users.owner.claims;
    await renameStructure(db, owner, { kind: 'deal', id: w.dealId, name: '  Project Falcon ' });
    await renameStructure(db, owner, { kind: 'workstream', id: w.workstreamId, name: 'Leases' });
    await renameStructure(db, owner, { kind: 'checklist', id: w.checklistId, name: 'Lease review' });
    const deal = await getDeal(db, owner, w.dealId);
    expect(deal?.name).toBe('Project Falcon');
    expect(deal?.workstreams.map((ws) => ws.name)).toEqual(['Leases']);
    expect(deal?.workstreams[0]?.checklists.map((c) => c.title)).toEqual(['Lease review']);
    const renamed = await audit(w.workspaceId, 'checklist_renamed');
    expect(renamed).toEqual([
      { user_id: w.users.owner.id, old_value: { id: w.checklistId, name: 'Checklist' }, new_value: { id: w.checklistId, name: 'Lease review' } },
    ]);
    expect(await audit(w.workspaceId, 'deal_renamed')).toHaveLength(1);
    expect(await audit(w.workspaceId, 'workstream_renamed')).toHaveLength(1);
  });

  it('refuses editors, reviewers and viewers, with a message that says to ask an owner, and changes nothing', async () => {
    for (const role of ['editor', 'reviewer', 'viewer'] as const) {
      const error = await refusal(renameStructure(db, w.users[role].claims, { kind: 'checklist', id: w.checklistId, name: 'Mine now' }));
      expect(error.code).toBe('forbidden');
      expect(error.message).toMatch(/Only owners .* rename a checklist\. Ask an owner/);
    }
    const outsider = await refusal(renameStructure(db, w.users.outsider.claims, { kind: 'deal', id: w.dealId, name: 'Mine now' }));
    expect(outsider.code).toBe('not_found');
    expect((await getDeal(db, w.users.owner.claims, w.dealId))?.workstreams[0]?.checklists[0]?.title).toBe('Checklist');
    expect(await audit(w.workspaceId, 'checklist_renamed')).toEqual([]);
  });

  it('the database refuses an editor’s rename or archive by any path (the trigger), but not their stage or value change', async () => {
    const asEditor = (text: string) => db.asUser(w.users.editor.claims, (sql) => sql.query(text, [w.dealId]));
    await expect(asEditor(`update public.deals set name = 'X' where id = $1`)).rejects.toMatchObject({ code: '42501' });
    await expect(asEditor(`update public.deals set archived_at = now() where id = $1`)).rejects.toMatchObject({ code: '42501' });
    await expect(asEditor(`update public.workstreams set name = 'X' where deal_id = $1`)).rejects.toMatchObject({ code: '42501' });
    await expect(asEditor(`update public.checklists set archived_at = now() where deal_id = $1`)).rejects.toMatchObject({ code: '42501' });
    const { rows } = await asEditor(`update public.deals set value_usd = 5, stage = 'signing' where id = $1 returning id`);
    expect(rows).toHaveLength(1);
  });

  it('refuses bad names with a clear message and an existing workstream name in the same deal', async () => {
    const owner = w.users.owner.claims;
    expect((await refusal(renameStructure(db, owner, { kind: 'deal', id: w.dealId, name: '   ' }))).message).toBe(
      'Invalid input: name: Enter a name',
    );
    expect((await refusal(renameStructure(db, owner, { kind: 'deal', id: w.dealId, name: 'x'.repeat(201) }))).message).toMatch(/at most 200/);
    expect((await refusal(renameStructure(db, owner, { kind: 'deal', id: 'nope', name: 'Fine' }))).code).toBe('invalid_input');
    await db.ownerQuery(`insert into public.workstreams (workspace_id, deal_id, kind, name) values ($1, $2, 'custom', 'Tax')`, [
      w.workspaceId,
      w.dealId,
    ]);
    const clash = await refusal(renameStructure(db, owner, { kind: 'workstream', id: w.workstreamId, name: 'TAX' }));
    expect(clash.code).toBe('conflict');
    expect(clash.message).toBe('This deal already has a workstream named “TAX”.');
  });
});

describe('a deal’s stage', () => {
  it('owners and editors change it (audited); reviewers and viewers cannot; an unknown stage is refused', async () => {
    const w = await world();
    await setDealStage(db, w.users.editor.claims, { dealId: w.dealId, stage: 'signing' });
    await setDealStage(db, w.users.owner.claims, { dealId: w.dealId, stage: 'closed' });
    for (const role of ['reviewer', 'viewer'] as const) {
      expect((await refusal(setDealStage(db, w.users[role].claims, { dealId: w.dealId, stage: 'abandoned' }))).code).toBe('forbidden');
    }
    expect((await refusal(setDealStage(db, w.users.owner.claims, { dealId: w.dealId, stage: 'won' as never }))).code).toBe('invalid_input');
    expect((await getDeal(db, w.users.viewer.claims, w.dealId))?.stage).toBe('closed');
    const changes = await audit(w.workspaceId, 'deal_stage_changed');
    expect(changes.map((row) => [row.old_value, row.new_value, row.user_id])).toEqual([
      ['diligence', 'signing', w.users.editor.id],
      ['signing', 'closed', w.users.owner.id],
    ]);
  });
});

describe('archiving', () => {
  it('hides an archived checklist from the deal, its progress and the dashboards; the Archived view lists it; unarchiving brings it back', async () => {
    const w = await world();
    const owner = w.users.owner.claims;
    const today = '2026-12-01';
    await db.ownerQuery(`update public.checklist_items set owner_id = $2 where checklist_id = $1 and item_id = 'b'`, [
      w.checklistId,
      w.users.editor.id,
    ]);
    expect((await getDeal(db, owner, w.dealId, today))?.progress.total).toBe(2);
    expect((await listItems(db, owner, { kind: 'workspace', workspaceId: w.workspaceId }, parseItemFilter(new URLSearchParams()), today)).total).toBe(
      2,
    );
    expect((await getMyWork(db, w.users.editor.claims)).assigned.map((item) => item.title)).toEqual(['Leases']);

    await setStructureArchived(db, owner, { kind: 'checklist', id: w.checklistId, archived: true });
    const deal = await getDeal(db, owner, w.dealId, today);
    expect(deal?.workstreams[0]?.checklists).toEqual([]);
    expect(deal?.progress.total).toBe(0);
    const dashboard = await getDashboard(db, owner, { kind: 'workspace', workspaceId: w.workspaceId }, today);
    expect(dashboard.counts.total).toBe(0);
    expect(dashboard.workstreams.flatMap((ws) => ws.checklists)).toEqual([]);
    expect((await listItems(db, owner, { kind: 'workspace', workspaceId: w.workspaceId }, parseItemFilter(new URLSearchParams()), today)).total).toBe(
      0,
    );
    expect((await getMyWork(db, w.users.editor.claims)).assigned).toEqual([]);
    const archived = await listArchived(db, w.users.viewer.claims, w.workspaceId);
    expect(archived.entries.map((entry) => [entry.kind, entry.name, entry.deal?.name, entry.workstream?.name])).toEqual([
      ['checklist', 'Checklist', 'Deal', 'Sites'],
    ]);
    // Kept: its items are still there.
    const { rows } = await db.ownerQuery(`select 1 from public.checklist_items where checklist_id = $1`, [w.checklistId]);
    expect(rows).toHaveLength(2);

    expect((await getChecklist(db, owner, w.checklistId))?.archived).toBe('checklist');
    await setStructureArchived(db, owner, { kind: 'checklist', id: w.checklistId, archived: false });
    expect((await getDeal(db, owner, w.dealId, today))?.workstreams[0]?.checklists.map((c) => c.title)).toEqual(['Checklist']);
    expect((await getChecklist(db, owner, w.checklistId))?.archived).toBeNull();
    expect((await listArchived(db, owner, w.workspaceId)).entries).toEqual([]);
    expect((await audit(w.workspaceId, 'checklist_archived')).length).toBe(1);
    expect((await audit(w.workspaceId, 'checklist_unarchived')).length).toBe(1);
  });

  it('an archived deal leaves the home page and the workspace dashboard but its own page still opens', async () => {
    const w = await world();
    const owner = w.users.owner.claims;
    await setStructureArchived(db, owner, { kind: 'deal', id: w.dealId, archived: true });
    const home = await listWorkspacesWithDeals(db, owner);
    expect(home.find((ws) => ws.id === w.workspaceId)?.deals).toEqual([]);
    const dashboard = await getDashboard(db, owner, { kind: 'workspace', workspaceId: w.workspaceId }, '2026-12-01');
    expect(dashboard.counts.total).toBe(0);
    const deal = await getDeal(db, owner, w.dealId, '2026-12-01');
    expect(deal?.archivedAt).not.toBeNull();
    expect(deal?.progress.total).toBe(2);
  });

  it('search leaves out archived checklists, workstreams and deals, and finds them again once unarchived', async () => {
    const w = await world();
    await db.asService((sql) =>
      replaceChecklistSearchEntries(sql, { checklistId: w.checklistId, workspaceId: w.workspaceId, dealId: w.dealId }, [
        { itemId: 'a', kind: 'item', sourceId: 'a', title: 'Rent roll', body: 'zanzibarite escalation clause' },
      ]),
    );
    const found = () => db.asUser(w.users.viewer.claims, (sql) => searchEverything(sql, 'zanzibarite')).then((result) => result.hits.length);
    expect(await found()).toBe(1);
    for (const kind of ['checklist', 'workstream', 'deal'] as const) {
      const id = kind === 'checklist' ? w.checklistId : kind === 'workstream' ? w.workstreamId : w.dealId;
      await setStructureArchived(db, w.users.owner.claims, { kind, id, archived: true });
      expect(await found(), `${kind} archived`).toBe(0);
      await setStructureArchived(db, w.users.owner.claims, { kind, id, archived: false });
      expect(await found(), `${kind} unarchived`).toBe(1);
    }
  });

  it('an archived workstream hides its checklists; non-owners may not archive or unarchive', async () => {
    const w = await world();
    const error = await refusal(setStructureArchived(db, w.users.editor.claims, { kind: 'workstream', id: w.workstreamId, archived: true }));
    expect(error.message).toMatch(/Only owners .* archive a workstream/);
    await setStructureArchived(db, w.users.owner.claims, { kind: 'workstream', id: w.workstreamId, archived: true });
    expect((await getDeal(db, w.users.owner.claims, w.dealId))?.workstreams).toEqual([]);
    // Still opens by its link, saying why it is not listed.
    expect((await getChecklist(db, w.users.viewer.claims, w.checklistId))?.archived).toBe('workstream');
    expect((await refusal(setStructureArchived(db, w.users.editor.claims, { kind: 'workstream', id: w.workstreamId, archived: false }))).code).toBe(
      'forbidden',
    );
    // A new workstream of the same name is refused, saying where the archived one is.
    const clash = await refusal(createWorkstream(db, w.users.editor.claims, { dealId: w.dealId, kind: 'custom', name: 'sites' }));
    expect(clash.message).toBe(
      'This deal already has a workstream named “sites”. It is archived: an owner can unarchive it from the workspace’s Archived view.',
    );
  });
});

describe('deleting', () => {
  it('tells what is lost, then deletes a checklist for good, audited', async () => {
    const w = await world();
    // Archived ones go too, so they are counted.
    await setStructureArchived(db, w.users.owner.claims, { kind: 'checklist', id: w.checklistId, archived: true });
    const impact = await deletionImpact(db, w.users.owner.claims, { kind: 'deal', id: w.dealId });
    expect(impact).toMatchObject({ name: 'Deal', workstreams: 1, checklists: 1, items: 2 });
    expect(await deletionImpact(db, w.users.owner.claims, { kind: 'workstream', id: w.workstreamId })).toMatchObject({ checklists: 1, items: 2 });
    expect(describeDeletion(impact)).toMatch(/^Deleting the deal “Deal” removes it with 1 workstream, 1 checklist, 2 items and their comments/);

    const deleted = await deleteStructure(db, w.users.owner.claims, { kind: 'checklist', id: w.checklistId });
    expect(deleted).toMatchObject({ kind: 'checklist', name: 'Checklist', items: 2 });
    const { rows } = await db.ownerQuery(`select 1 from public.checklists where id = $1`, [w.checklistId]);
    expect(rows).toEqual([]);
    expect(await audit(w.workspaceId, 'checklist_deleted')).toHaveLength(1);
  });

  it('deleting a workstream is audited with its checklists; deleting a deal once as a deal', async () => {
    const w = await world();
    await deleteStructure(db, w.users.owner.claims, { kind: 'workstream', id: w.workstreamId });
    expect((await audit(w.workspaceId, 'workstream_deleted')).map((row) => row.old_value)).toEqual([{ id: w.workstreamId, name: 'Sites' }]);
    expect(await audit(w.workspaceId, 'checklist_deleted')).toHaveLength(1);

    const v = await world();
    await deleteStructure(db, v.users.owner.claims, { kind: 'deal', id: v.dealId });
    expect((await audit(v.workspaceId, 'deal_deleted')).map((row) => row.user_id)).toEqual([v.users.owner.id]);
    expect(await audit(v.workspaceId, 'workstream_deleted')).toEqual([]);
  });

  it('refuses everyone but owners and leaves everything in place', async () => {
    const w = await world();
    for (const role of ['editor', 'reviewer', 'viewer'] as const) {
      const error = await refusal(deleteStructure(db, w.users[role].claims, { kind: 'deal', id: w.dealId }));
      expect(error.code).toBe('forbidden');
    }
    expect((await refusal(deleteStructure(db, w.users.outsider.claims, { kind: 'checklist', id: w.checklistId }))).code).toBe('not_found');
    expect((await refusal(deleteStructure(db, w.users.owner.claims, { kind: 'checklist', id: randomUUID() }))).code).toBe('not_found');
    expect((await getDeal(db, w.users.owner.claims, w.dealId))?.workstreams[0]?.checklists).toHaveLength(1);
  });
});
