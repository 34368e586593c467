import {
  addItem,
  deleteItem,
  deleteSection,
  itemFingerprint,
  itemsOf,
  moveItem,
  readChecklist,
  renameSection,
  sha256Hex,
  updateItem,
} from '@tieout/doc-model';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  ProjectionError,
  loadStoredDocument,
  migrate,
  nativeSha256Hex,
  projectionRows,
  rebuildProjection,
  writeProjection,
  writeProjectionChanges,
  type Database,
} from '../src/index.ts';
import { otherChecklist, otherDeal } from '../src/seed/index.ts';
import {
  demoChecklists,
  demoDeal,
  demoUsers,
  demoWorkspace,
  openScratchDatabase,
  otherWorkspace,
  type ScratchDatabase,
  userClaims,
} from '../src/testing.ts';

const target = { checklistId: demoChecklists.leaseExposure.id, workspaceId: demoWorkspace.id, dealId: demoDeal.id };

type ItemRow = {
  item_id: string;
  status: string;
  owner_id: string | null;
  due_date: string | null;
  updated_at: unknown;
  updated_by: string | null;
};

describe('the projection writer', () => {
  let fresh: ScratchDatabase;
  let db: Database;

  beforeAll(async () => {
    fresh = await openScratchDatabase({ label: 'projection', migrate: false });
    db = fresh.db;
    await migrate(db, { seedIfFresh: true });
  }, 120_000);
  afterAll(async () => fresh?.dispose());

  const rowsOf = async (checklistId: string) =>
    (
      await db.ownerQuery<ItemRow>(
        `select item_id, status, owner_id, due_date, updated_at::text as updated_at, updated_by
           from public.checklist_items where checklist_id = $1 order by item_id`,
        [checklistId],
      )
    ).rows;

  let doc: Y.Doc;
  beforeEach(async () => {
    doc = await loadStoredDocument(db, target.checklistId);
    // Start each test from a projection that agrees with the stored document.
    await writeProjection(db, target, doc, null);
  });

  it('rebuilding the seeded database changes nothing: the seed already holds what the writer would write', async () => {
    const result = await rebuildProjection(db);
    expect(result.failures).toEqual([]);
    expect(result.checklists).toBe(4);
    expect({ inserted: result.inserted, updated: result.updated, deleted: result.deleted }).toEqual({ inserted: 0, updated: 0, deleted: 0 });
    const total = await db.ownerQuery<{ n: number }>(`select count(*)::int as n from public.checklist_items`);
    expect(result.unchanged).toBe(total.rows[0]!.n);
  });

  it("fingerprints each item as the pages do (doc-model's itemFingerprint), with Node's SHA-256", async () => {
    for (const text of [
      '',
      'abc',
      'Take-or-pay: 85% × $42/MWh — “escalator” 2.5%',
      '\u{1F50C} 1.3 GW',
      'lone \ud800 surrogate',
      'x'.repeat(100_000),
    ]) {
      expect(nativeSha256Hex(text)).toBe(sha256Hex(text));
    }
    updateItem(doc, readChecklist(doc).sections[0]!.items[0]!.id, { title: 'Retrofit: “Tier III” cooling, 1.3 GW' });
    await writeProjection(db, target, doc, null);
    const { rows } = await db.ownerQuery<{ item_id: string; content_fingerprint: string }>(
      `select item_id, content_fingerprint from public.checklist_items where checklist_id = $1`,
      [target.checklistId],
    );
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) expect(row.content_fingerprint).toBe(itemFingerprint(itemsOf(doc).get(row.item_id) as Y.Map<unknown>, row.item_id));
  });

  it('touches only the rows that changed, stamping them with the editor', async () => {
    const before = await rowsOf(target.checklistId);
    const item = readChecklist(doc).sections[0]!.items[0]!;
    const nextStatus = item.status === 'done' ? 'in_progress' : 'done';
    updateItem(doc, item.id, { status: nextStatus });
    const result = await writeProjection(db, target, doc, demoUsers.editor2.id);
    expect(result).toMatchObject({ inserted: 0, updated: 1, deleted: 0, unchanged: before.length - 1 });
    const after = await rowsOf(target.checklistId);
    const changed = after.find((row) => row.item_id === item.id)!;
    expect(changed).toMatchObject({ status: nextStatus, updated_by: demoUsers.editor2.id });
    expect(changed.updated_at).not.toBe(before.find((row) => row.item_id === item.id)!.updated_at);
    expect(after.filter((row) => row.item_id !== item.id)).toEqual(before.filter((row) => row.item_id !== item.id));

    const again = await writeProjection(db, target, doc, demoUsers.editor.id);
    expect(again).toMatchObject({ inserted: 0, updated: 0, deleted: 0, unchanged: before.length });
    expect(await rowsOf(target.checklistId)).toEqual(after);
  });

  it('writes only the changed items incrementally, and ends where a full projection would', async () => {
    const view = readChecklist(doc);
    const [first, second] = view.sections;
    const edited = first!.items[0]!;
    const moved = first!.items[1]!;
    const removed = second!.items[0]!;
    const nextStatus = edited.status === 'done' ? 'blocked' : 'done';
    updateItem(doc, edited.id, { status: nextStatus });
    moveItem(doc, moved.id, { sectionId: second!.id });
    deleteItem(doc, removed.id);
    const addedId = addItem(doc, { sectionId: second!.id, title: 'Estoppel for the Plano parcel' });
    const result = await writeProjectionChanges(db, target, doc, { items: [edited.id, moved.id, removed.id, addedId] }, demoUsers.editor.id);
    expect(result).toEqual({ checklistId: target.checklistId, inserted: 1, updated: 2, deleted: 1, unchanged: 0 });
    // A section renamed changes its items' rows; a section deleted removes them.
    renameSection(doc, second!.id, 'Estoppels and SNDAs');
    expect(await writeProjectionChanges(db, target, doc, { items: [], sections: [second!.id] })).toMatchObject({ updated: second!.items.length + 1 });
    deleteSection(doc, first!.id);
    expect(await writeProjectionChanges(db, target, doc, { items: [], sections: [first!.id] })).toMatchObject({ deleted: first!.items.length - 1 });
    const stored = await db.ownerQuery<{ item_id: string; section_title: string; status: string; position: string }>(
      `select item_id, section_title, status, position from public.checklist_items where checklist_id = $1 order by item_id`,
      [target.checklistId],
    );
    const expected = projectionRows(doc)
      .map(({ item_id, section_title, status, position }) => ({ item_id, section_title, status, position }))
      .sort((a, b) => (a.item_id < b.item_id ? -1 : 1));
    expect(stored.rows).toEqual(expected);
    // Nothing named, nothing written (no transaction at all).
    expect(await writeProjectionChanges(db, target, doc, { items: [] })).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
  });

  it('inserts new items and deletes removed ones', async () => {
    const view = readChecklist(doc);
    const section = view.sections[1]!;
    const removed = section.items[0]!.id;
    const addedId = addItem(doc, {
      sectionId: section.id,
      title: 'Landlord estoppel for the Denton parcel',
      risk: 'high',
      ownerId: demoUsers.editor.id,
      dueDate: '2027-01-08',
    });
    deleteItem(doc, removed);
    const result = await writeProjection(db, target, doc, demoUsers.editor.id);
    expect(result).toMatchObject({ inserted: 1, deleted: 1, updated: 0 });
    const rows = await rowsOf(target.checklistId);
    expect(rows.map((row) => row.item_id)).toContain(addedId);
    expect(rows.map((row) => row.item_id)).not.toContain(removed);
    expect(rows.find((row) => row.item_id === addedId)).toMatchObject({
      due_date: '2027-01-08',
      owner_id: demoUsers.editor.id,
      status: 'not_started',
    });
  });

  it('refuses a target whose workspace or deal does not match the checklist, and writes nothing', async () => {
    const before = await rowsOf(target.checklistId);
    updateItem(doc, readChecklist(doc).sections[0]!.items[1]!.id, { title: 'Renamed, must not be written' });
    await expect(writeProjection(db, { ...target, workspaceId: otherWorkspace.id, dealId: otherDeal.id }, doc, null)).rejects.toThrow(
      ProjectionError,
    );
    await expect(writeProjection(db, { ...target, dealId: otherDeal.id }, doc, null)).rejects.toThrow(/belongs to workspace/);
    await expect(
      writeProjection(db, { checklistId: '55555555-5555-4555-8555-0000000000ff', workspaceId: demoWorkspace.id, dealId: demoDeal.id }, doc, null),
    ).rejects.toThrow(/No checklist/);
    await expect(writeProjection(db, { ...target, checklistId: 'not-a-uuid' }, doc, null)).rejects.toThrow(/Not a checklist id/);
    await expect(writeProjection(db, target, doc, 'someone')).rejects.toThrow(/updatedBy/);
    expect(await rowsOf(target.checklistId)).toEqual(before);
  });

  it('projects a document with invalid field values as neutral values, without failing', async () => {
    const item = readChecklist(doc).sections[0]!.items[0]!;
    // A misbehaving client can write anything into the shared map; the writer must not fail on it.
    doc.transact(() => {
      const entry = itemsOf(doc).get(item.id)!;
      entry.set('ownerId', 'not-a-user');
      entry.set('dueDate', '2026-02-31');
      entry.set('status', 'finished-ish');
    });
    const result = await writeProjection(db, target, doc, demoUsers.owner.id);
    expect(result.updated).toBe(1);
    const row = (await rowsOf(target.checklistId)).find((r) => r.item_id === item.id)!;
    expect(row).toMatchObject({ owner_id: null, due_date: null, status: 'not_started' });
  });

  it('rebuild restores rows lost from the table and reports a corrupt document without touching its rows', async () => {
    await db.ownerQuery(`delete from public.checklist_items where checklist_id = $1`, [demoChecklists.siteRetrofits.id]);
    const energyBefore = await rowsOf(demoChecklists.energyContracts.id);
    await db.ownerQuery(`update public.checklist_items set status = 'blocked' where checklist_id = $1`, [demoChecklists.energyContracts.id]);
    const corrupted = await db.ownerQuery<{ id: number }>(
      `insert into public.document_updates (checklist_id, workspace_id, update, user_id) values ($1, $2, $3, $4) returning id`,
      [demoChecklists.energyContracts.id, demoWorkspace.id, new Uint8Array([1, 2, 3, 250, 7]), demoUsers.editor.id],
    );
    try {
      const result = await rebuildProjection(db);
      expect(result.failures).toHaveLength(1);
      expect(result.failures[0]!.checklistId).toBe(demoChecklists.energyContracts.id);
      expect(result.failures[0]!.error).toMatch(/cannot be read/);
      expect(result.inserted).toBeGreaterThan(10);
      expect((await rowsOf(demoChecklists.siteRetrofits.id)).length).toBe(result.inserted);
      expect((await rowsOf(demoChecklists.energyContracts.id)).every((row) => row.status === 'blocked')).toBe(true);
    } finally {
      await db.ownerQuery(`delete from public.document_updates where id = $1`, [corrupted.rows[0]!.id]);
    }
    const repaired = await rebuildProjection(db);
    expect(repaired.failures).toEqual([]);
    expect((await rowsOf(demoChecklists.energyContracts.id)).map((r) => r.status)).toEqual(energyBefore.map((r) => r.status));
  });

  it('loads a document that has no snapshot from its log alone', async () => {
    const stored = await loadStoredDocument(db, otherChecklist.id);
    expect(readChecklist(stored).sections.length).toBeGreaterThan(0);
    const result = await writeProjection(db, { checklistId: otherChecklist.id, workspaceId: otherWorkspace.id, dealId: otherDeal.id }, stored, null);
    expect(result).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
  });

  it('writes rows that members of the workspace can read and others cannot', async () => {
    const read = (user: { id: string; email: string }) =>
      db.asUser(userClaims(user), (sql) => sql.query(`select item_id from public.checklist_items where checklist_id = $1`, [target.checklistId]));
    expect((await read(demoUsers.viewer)).rows.length).toBeGreaterThan(0);
    expect((await read(demoUsers.outsider)).rows).toEqual([]);
  });
});
