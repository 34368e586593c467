import {
  createChecklist,
  createDeal,
  createWorkstream,
  getDeal,
  listTemplates,
  listWorkspacesWithDeals,
  saveChecklistAsTemplate,
  loadStoredDocument,
  type Database,
} from '@tieout/db';
import { projectItems, readChecklist, rollupFigures, updateItem } from '@tieout/doc-model';
import { tokenFor, useCollabServer } from '@tieout/server/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { attempt } from '../app/models/tenancy.server.ts';
import { appendItemsLive, LiveAppendError } from '../app/models/live-append.server.ts';
import {
  builtInTemplateIds,
  demoChecklists,
  demoDeal,
  demoUsers,
  demoWorkspace,
  demoWorkstreams,
  otherChecklist,
  otherWorkspace,
  userClaims,
} from '@tieout/db/testing';

const eddie = userClaims(demoUsers.editor);
const olivia = userClaims(demoUsers.owner);
const rita = userClaims(demoUsers.reviewer);
const victor = userClaims(demoUsers.viewer);
const oscar = userClaims(demoUsers.outsider);

// The seeded database of the file, and a collaboration server on it for the live appends.
const t = useCollabServer({ label: 'app', seed: true, server: { timing: { unloadDelayMs: 200 } } });
let db: Database;
beforeAll(() => {
  db = t.db;
});

const count = async (table: string, where = 'true', params: unknown[] = []) =>
  Number((await db.ownerQuery<{ n: number }>(`select count(*)::int as n from public.${table} where ${where}`, params)).rows[0]!.n);

describe('creating deals and workstreams', () => {
  it('lets editors and owners create a deal, and refuses reviewers, viewers and outsiders with a reason', async () => {
    const created = await createDeal(db, eddie, {
      workspaceId: demoWorkspace.id,
      name: 'Helios / Ridgeline',
      buyer: 'Helios',
      target: 'Ridgeline',
      valueUsd: 4.5e8,
    });
    const owned = await createDeal(db, olivia, { workspaceId: demoWorkspace.id, name: 'Owner deal', buyer: null, target: null, valueUsd: null });
    for (const claims of [rita, victor]) {
      expect(
        await attempt(() => createDeal(db, claims, { workspaceId: demoWorkspace.id, name: 'Nope', buyer: null, target: null, valueUsd: null })),
      ).toMatchObject({
        ok: false,
        status: 403,
        message: expect.stringContaining('Only editors and owners'),
      });
    }
    expect(
      await attempt(() => createDeal(db, oscar, { workspaceId: demoWorkspace.id, name: 'Nope', buyer: null, target: null, valueUsd: null })),
    ).toMatchObject({ ok: false, status: 404 });
    expect(await count('deals', `name = 'Nope'`)).toBe(0);
    expect(await count('deals', 'id = any($1::uuid[])', [[created.id, owned.id]])).toBe(2);
    const home = await listWorkspacesWithDeals(db, rita);
    expect(home.find((w) => w.id === demoWorkspace.id)!.deals.map((d) => d.name)).toContain('Helios / Ridgeline');
  });

  it('adds workstreams at the end, refuses duplicates and read-only roles', async () => {
    const deal = await createDeal(db, eddie, { workspaceId: demoWorkspace.id, name: 'Workstream deal', buyer: null, target: null, valueUsd: null });
    await createWorkstream(db, eddie, { dealId: deal.id, kind: 'site_retrofits', name: 'Site retrofits' });
    await createWorkstream(db, eddie, { dealId: deal.id, kind: 'custom', name: 'Tax' });
    expect(await attempt(() => createWorkstream(db, eddie, { dealId: deal.id, kind: 'custom', name: 'tax' }))).toMatchObject({
      ok: false,
      status: 409,
    });
    expect(await attempt(() => createWorkstream(db, victor, { dealId: deal.id, kind: 'custom', name: 'Viewer' }))).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(await attempt(() => createWorkstream(db, oscar, { dealId: deal.id, kind: 'custom', name: 'Outsider' }))).toMatchObject({
      ok: false,
      status: 404,
    });
    expect((await getDeal(db, eddie, deal.id))!.workstreams.map((w) => w.name)).toEqual(['Site retrofits', 'Tax']);
  });
});

describe('creating checklists', () => {
  it('builds the document from a template, stores it as the first snapshot with the row, and projects it', async () => {
    const created = await createChecklist(db, eddie, {
      workstreamId: demoWorkstreams.siteRetrofits.id,
      title: 'Denton, TX',
      source: { kind: 'template', templateId: builtInTemplateIds['site-retrofits']! },
    });
    const view = readChecklist(await loadStoredDocument(db, created.id));
    expect(view.title).toBe('Denton, TX');
    const items = view.sections.flatMap((section) => section.items);
    expect(items.length).toBe(created.items);
    expect(items.length).toBeGreaterThan(10);
    expect(await count('document_snapshots', 'checklist_id = $1 and last_update_id = 0', [created.id])).toBe(1);
    expect(await count('checklist_items', 'checklist_id = $1', [created.id])).toBe(items.length);
    const deal = await getDeal(db, eddie, demoDeal.id);
    const summary = deal!.workstreams.flatMap((w) => w.checklists).find((c) => c.id === created.id)!;
    expect(summary.progress.total).toBe(items.length);
  });

  it('creates an empty checklist with a title and one section', async () => {
    const created = await createChecklist(db, olivia, {
      workstreamId: demoWorkstreams.leaseExposure.id,
      title: 'Blank',
      source: { kind: 'empty', sectionTitle: 'Leases' },
    });
    const view = readChecklist(await loadStoredDocument(db, created.id));
    expect(view).toMatchObject({ title: 'Blank', sections: [{ title: 'Leases', items: [] }] });
  });

  it('refuses read-only roles and templates of other workspaces, leaving nothing behind', async () => {
    const before = await count('checklists');
    expect(
      await attempt(() =>
        createChecklist(db, rita, { workstreamId: demoWorkstreams.siteRetrofits.id, title: 'X', source: { kind: 'empty', sectionTitle: 'S' } }),
      ),
    ).toMatchObject({ ok: false, status: 403 });
    expect(
      await attempt(() =>
        createChecklist(db, oscar, { workstreamId: demoWorkstreams.siteRetrofits.id, title: 'X', source: { kind: 'empty', sectionTitle: 'S' } }),
      ),
    ).toMatchObject({ ok: false, status: 404 });
    const foreign = await saveChecklistAsTemplate(db, oscar, { checklistId: otherChecklist.id, name: 'Other capital power', description: '' });
    expect(
      await attempt(() =>
        createChecklist(db, eddie, {
          workstreamId: demoWorkstreams.energyContracts.id,
          title: 'X',
          source: { kind: 'template', templateId: foreign.id },
        }),
      ),
    ).toMatchObject({ ok: false, status: 404 });
    expect((await listTemplates(db, eddie, demoWorkspace.id)).map((t) => t.id)).not.toContain(foreign.id);
    expect((await listTemplates(db, oscar, otherWorkspace.id)).map((t) => t.id)).toContain(foreign.id);
    expect(await count('checklists')).toBe(before);
  });
});

describe('save as template', () => {
  it('keeps structure, risk and figure kinds, drops what belongs to the deal, and refuses duplicates and reviewers', async () => {
    const saved = await saveChecklistAsTemplate(db, eddie, {
      checklistId: demoChecklists.leaseExposure.id,
      name: 'Lease exposure (hosting)',
      description: 'From the demo',
    });
    expect(saved.key).toBe('lease-exposure-hosting');
    const { rows } = await db.ownerQuery<{
      body: { sections: { title: string; items: Record<string, unknown>[] }[] };
      workspace_id: string;
      workstream: string;
      created_by: string;
    }>(`select body, workspace_id, workstream, created_by from public.checklist_templates where id = $1`, [saved.id]);
    const row = rows[0]!;
    expect(row).toMatchObject({ workspace_id: demoWorkspace.id, workstream: 'lease_exposure', created_by: demoUsers.editor.id });
    const view = readChecklist(await loadStoredDocument(db, demoChecklists.leaseExposure.id));
    expect(row.body.sections.map((s) => s.title)).toEqual(view.sections.map((s) => s.title));
    const items = row.body.sections.flatMap((s) => s.items);
    expect(items.map((i) => i.title)).toEqual(view.sections.flatMap((s) => s.items.map((i) => i.title)));
    for (const item of items) {
      expect(item).not.toHaveProperty('status');
      expect(item).not.toHaveProperty('ownerId');
      expect(item).not.toHaveProperty('dueDate');
      for (const figure of item.figures as { value: unknown }[]) expect(figure.value).toBeNull();
    }
    expect(
      await attempt(() =>
        saveChecklistAsTemplate(db, olivia, { checklistId: demoChecklists.leaseExposure.id, name: 'Lease Exposure: hosting', description: '' }),
      ),
    ).toMatchObject({ ok: false, status: 409 });
    expect(
      await attempt(() => saveChecklistAsTemplate(db, rita, { checklistId: demoChecklists.leaseExposure.id, name: 'Reviewer', description: '' })),
    ).toMatchObject({ ok: false, status: 403 });

    // and it can start a new checklist
    const created = await createChecklist(db, eddie, {
      workstreamId: demoWorkstreams.leaseExposure.id,
      title: 'From own template',
      source: { kind: 'template', templateId: saved.id },
    });
    expect(created).toMatchObject({ items: items.length });
  });
});

describe('figure roll-ups', () => {
  it('roll up the figures of the stored documents per kind and label, per deal and per checklist', async () => {
    const deal = (await getDeal(db, rita, demoDeal.id))!;
    const documents = await Promise.all(
      deal.workstreams
        .flatMap((w) => w.checklists)
        .map(async (c) => ({ id: c.id, items: projectItems(readChecklist(await loadStoredDocument(db, c.id))) })),
    );
    const closeTo = (value: number | null) => (value === null ? null : expect.closeTo(value, 6));
    const expected = rollupFigures(documents.flatMap((d) => d.items));
    expect(deal.figures).toEqual(expected.map((f) => ({ ...f, total: closeTo(f.total) })));
    expect(deal.figures.find((f) => f.kind === 'mw')!.total).toBeGreaterThan(0);
    const energy = deal.workstreams.flatMap((w) => w.checklists).find((c) => c.id === demoChecklists.energyContracts.id)!;
    const energyItems = documents.find((d) => d.id === energy.id)!.items;
    expect(energy.figures.map((f) => [f.kind, f.label, f.count])).toEqual(rollupFigures(energyItems).map((f) => [f.kind, f.label, f.count]));
    const home = await listWorkspacesWithDeals(db, rita);
    expect(home.find((w) => w.id === demoWorkspace.id)!.deals.find((d) => d.id === demoDeal.id)!.figures).toEqual(deal.figures);
  });
});

describe('appending to a live document', () => {
  async function follow(user: { id: string; email: string }, checklistId: string) {
    const client = await t.connect(t.server, checklistId, user);
    await client.synced();
    return client;
  }

  it('reaches editors who have the checklist open, keeps their concurrent edits, and is stored as the importing user', async () => {
    const checklistId = demoChecklists.energyContracts.id;
    const erin = await follow(demoUsers.editor2, checklistId);
    const firstItem = readChecklist(erin.doc).sections[0]!.items[0]!;
    const existingSection = readChecklist(erin.doc).sections[0]!.title;
    const before = await count('document_updates', 'checklist_id = $1 and user_id = $2', [checklistId, demoUsers.editor.id]);

    // Erin edits while the import runs
    const importing = appendItemsLive({
      db,
      claims: eddie,
      accessToken: await tokenFor(demoUsers.editor),
      collabBaseUrl: t.server.baseUrl,
      checklistId,
      items: [
        {
          section: existingSection.toUpperCase(),
          title: 'Imported into an existing section',
          status: 'in_progress',
          ownerId: demoUsers.editor2.id,
          dueDate: '2027-01-15',
          risk: 'high',
          figures: [{ kind: 'mw', label: 'Contracted MW', value: 300 }],
          notes: ['From the data room'],
        },
        { section: 'Imported requests', title: 'Imported into a new section' },
      ],
    });
    updateItem(erin.doc, firstItem.id, { status: 'blocked' });
    const result = await importing;
    expect(result.itemIds).toHaveLength(2);
    expect(result.sectionsCreated).toEqual(['Imported requests']);

    await expect.poll(() => readChecklist(erin.doc).sections.flatMap((s) => s.items.map((i) => i.title))).toContain('Imported into a new section');
    const live = readChecklist(erin.doc);
    expect(live.sections[0]!.items.map((i) => i.title)).toContain('Imported into an existing section');
    expect(live.sections.filter((s) => s.title === 'Imported requests')).toHaveLength(1);

    erin.destroy();
    await t.server.collab.flush();
    const stored = readChecklist(await loadStoredDocument(db, checklistId));
    const imported = stored.sections.flatMap((s) => s.items).find((i) => i.title === 'Imported into an existing section')!;
    expect(imported).toMatchObject({ status: 'in_progress', ownerId: demoUsers.editor2.id, dueDate: '2027-01-15', risk: 'high' });
    expect(imported.figures).toMatchObject([{ kind: 'mw', label: 'Contracted MW', value: 300 }]);
    expect(stored.sections.flatMap((s) => s.items).find((i) => i.id === firstItem.id)!.status).toBe('blocked');
    expect(await count('document_updates', 'checklist_id = $1 and user_id = $2', [checklistId, demoUsers.editor.id])).toBeGreaterThan(before);
  });

  it('sends large imports in several updates under the frame limit', async () => {
    const items = Array.from({ length: 400 }, (_, i) => ({ section: 'Bulk', title: `Bulk request ${i} ${'x'.repeat(400)}` }));
    const result = await appendItemsLive({
      db,
      claims: eddie,
      accessToken: await tokenFor(demoUsers.editor),
      collabBaseUrl: t.server.baseUrl,
      checklistId: demoChecklists.siteRetrofits.id,
      items,
      maxUpdateBytes: 64 * 1024,
    });
    expect(result.itemIds).toHaveLength(400);
    await t.server.collab.flush();
    const stored = readChecklist(await loadStoredDocument(db, demoChecklists.siteRetrofits.id));
    expect(stored.sections.find((s) => s.title === 'Bulk')!.items).toHaveLength(400);
  });

  it('fails clearly for a user the collaboration server refuses, and stores nothing', async () => {
    const before = await count('document_updates');
    await expect(
      appendItemsLive({
        db,
        claims: oscar,
        accessToken: await tokenFor(demoUsers.outsider),
        collabBaseUrl: t.server.baseUrl,
        checklistId: demoChecklists.energyContracts.id,
        items: [{ section: 'S', title: 'T' }],
      }),
    ).rejects.toThrow(
      new LiveAppendError('unavailable', 'You have no access to this checklist: it was deleted, or you are not a member of its workspace.'),
    );
    await expect(
      appendItemsLive({
        db,
        claims: victor,
        accessToken: await tokenFor(demoUsers.viewer),
        collabBaseUrl: t.server.baseUrl,
        checklistId: demoChecklists.energyContracts.id,
        items: [{ section: 'S', title: 'T' }],
        timeoutMs: 2_000,
      }),
    ).rejects.toThrow('The change was refused: Your role (viewer) cannot edit this checklist');
    expect(await count('document_updates')).toBe(before);
  });
});
