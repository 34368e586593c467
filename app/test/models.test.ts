import {
  getChecklist,
  getDeal,
  listMembers,
  listWorkspacesWithDeals,
  loadStoredDocument,
  projectionTargetOf,
  writeProjectionChanges,
  type Database,
} from '@tieout/db';
import { projectItems, readChecklist, summarizeProgress, updateItem } from '@tieout/doc-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoChecklists, demoDeal, demoUsers, demoWorkspace, openScratchDatabase, userClaims } from '@tieout/db/testing';

const eddie = userClaims(demoUsers.editor);
const rita = userClaims(demoUsers.reviewer);
const oscar = userClaims(demoUsers.outsider);

let db: Database;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'app', seed: true }));
}, 120_000);
afterAll(() => dispose?.());

/** Progress computed from the stored documents themselves, independently of the projection table. */
async function progressFromDocuments(checklistIds: string[], today: string) {
  const items = [];
  for (const id of checklistIds) items.push(...projectItems(readChecklist(await loadStoredDocument(db, id))));
  const summary = summarizeProgress(items, today);
  return { total: summary.total, done: summary.done, blocked: summary.blocked, overdue: summary.overdue, needsReview: summary.needsReview };
}

async function today(): Promise<string> {
  const { rows } = await db.ownerQuery<{ today: string }>(`select current_date::text as today`);
  return rows[0]!.today;
}

describe('deals', () => {
  it("lists the editor's workspace with the demo deal and progress matching the documents", async () => {
    const workspaces = await listWorkspacesWithDeals(db, eddie);
    const workspace = workspaces.find((candidate) => candidate.id === demoWorkspace.id);
    expect(workspace?.role).toBe('editor');
    const deal = workspace?.deals.find((candidate) => candidate.id === demoDeal.id);
    expect(deal?.name).toBe(demoDeal.name);
    expect(deal?.valueUsd).toBe(demoDeal.valueUsd);
    expect(deal?.progress).toEqual(
      await progressFromDocuments(
        Object.values(demoChecklists).map((c) => c.id),
        await today(),
      ),
    );
    expect(deal!.progress.total).toBeGreaterThan(0);
  });

  it('gives the deal with its workstreams and per-checklist progress', async () => {
    const deal = await getDeal(db, rita, demoDeal.id);
    expect(deal?.role).toBe('reviewer');
    const checklists = deal!.workstreams.flatMap((workstream) => workstream.checklists);
    expect(checklists.map((checklist) => checklist.id).sort()).toEqual(
      Object.values(demoChecklists)
        .map((c) => c.id)
        .sort(),
    );
    const site = checklists.find((checklist) => checklist.id === demoChecklists.siteRetrofits.id)!;
    expect(site.progress).toEqual(await progressFromDocuments([site.id], await today()));
  });

  it('shows an outsider nothing of the demo workspace', async () => {
    const workspaces = await listWorkspacesWithDeals(db, oscar);
    expect(workspaces.map((workspace) => workspace.id)).not.toContain(demoWorkspace.id);
    expect(await getDeal(db, oscar, demoDeal.id)).toBeNull();
    expect(await getChecklist(db, oscar, demoChecklists.siteRetrofits.id)).toBeNull();
    await expect(listMembers(db, oscar, demoWorkspace.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('returns null for a deal that does not exist', async () => {
    expect(await getDeal(db, eddie, '33333333-3333-4333-8333-0000000000ff')).toBeNull();
  });
});

describe('checklists', () => {
  it('gives the checklist row with deal, workstream and the reader role', async () => {
    const checklist = await getChecklist(db, rita, demoChecklists.energyContracts.id);
    expect(checklist).toMatchObject({
      id: demoChecklists.energyContracts.id,
      workspaceId: demoWorkspace.id,
      deal: { id: demoDeal.id, name: demoDeal.name },
      workstream: { id: demoChecklists.energyContracts.workstreamId },
      role: 'reviewer',
    });
  });

  it('lists workspace members with their display names and roles', async () => {
    const members = await listMembers(db, eddie, demoWorkspace.id);
    expect(members).toContainEqual(expect.objectContaining({ userId: demoUsers.editor.id, displayName: demoUsers.editor.name, role: 'editor' }));
    expect(members).toContainEqual(expect.objectContaining({ userId: demoUsers.viewer.id, role: 'viewer' }));
    expect(members.map((member) => member.userId)).not.toContain(demoUsers.outsider.id);
  });
});

describe('projection', () => {
  // The collaboration server's projection extension (server/src/extensions/projection.ts) writes what changed this way.
  it('moves the deal progress when a document changes', async () => {
    const checklistId = demoChecklists.leaseExposure.id;
    const before = (await getDeal(db, eddie, demoDeal.id))!.progress;
    const doc = await loadStoredDocument(db, checklistId);
    const open = readChecklist(doc)
      .sections.flatMap((section) => section.items)
      .find((item) => item.status !== 'done');
    expect(open).toBeDefined();
    updateItem(doc, open!.id, { status: 'done' });
    await writeProjectionChanges(db, (await projectionTargetOf(db, checklistId))!, doc, { items: [open!.id] });
    const after = (await getDeal(db, eddie, demoDeal.id))!.progress;
    expect(after.done).toBe(before.done + 1);
    expect(after.total).toBe(before.total);
  });
});
