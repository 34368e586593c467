import { getVersion, listAuditTrail, listVersions, loadDocument, recordVersion, type Database } from '@tieout/db';
import { demoChecklists, demoUsers, otherChecklist, userClaims } from '@tieout/db/testing';
import { deleteItem, diffChecklists, itemsOf, readChecklist, stateToDoc, updateItem } from '@tieout/doc-model';
import { defaultExtensions } from '@tieout/server';
import { tokenFor, useCollabServer } from '@tieout/server/testing';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { diffVersions, HistoryError, restoreVersion } from '../app/models/history.server.ts';

const eddie = userClaims(demoUsers.editor);
// Waits for the collaboration server and its after-persist work: generous, as a busy 2-core machine needs (vi.waitFor's 1 s default is not).
const eventually = { timeout: 30_000, interval: 50 };
const victor = userClaims(demoUsers.viewer);

// The seeded database and a collaboration server whose versions extension records nothing by itself (the tests name versions).
const t = useCollabServer({
  label: 'app-history',
  seed: true,
  server: (db) => ({
    timing: { persistWindowMs: 20 },
    extensions: defaultExtensions({ db, versions: { quietMs: 3_600_000, maxIntervalMs: 3_600_000 } }),
  }),
});
let db: Database;
beforeAll(() => {
  db = t.db;
});

async function follow(user: { id: string; email: string }, checklistId: string) {
  const client = await t.connect(t.server, checklistId, user);
  await client.synced();
  return client;
}

const restoreAs = (user: { id: string; email: string }, checklistId: string, versionId: string, itemId?: string) =>
  tokenFor(user).then((accessToken) =>
    restoreVersion({ db, claims: userClaims(user), accessToken, collabBaseUrl: t.server.baseUrl, checklistId, versionId, itemId }),
  );

async function refusal(promise: Promise<unknown>): Promise<HistoryError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HistoryError);
  return error as HistoryError;
}

describe('restoring a version through the collaboration server', () => {
  const checklistId = demoChecklists.energyContracts.id;

  it('brings everyone connected to the restored content, logs it as the restoring user, and records it', async () => {
    const version = (await recordVersion(db, { checklistId, kind: 'named', name: 'Before the changes', createdBy: demoUsers.owner.id }))!;
    const erin = await follow(demoUsers.editor2, checklistId);
    const olivia = await follow(demoUsers.owner, checklistId);
    const items = readChecklist(erin.doc).sections.flatMap((section) => section.items);
    updateItem(erin.doc, items[0]!.id, { status: 'blocked', title: 'Changed by Erin' });
    deleteItem(erin.doc, items[1]!.id);
    await vi.waitFor(() => expect(itemsOf(olivia.doc).has(items[1]!.id)).toBe(false), eventually);
    await t.server.collab.flush();

    const { restoreVersionId } = await restoreAs(demoUsers.editor, checklistId, version.id);
    const expected = stateToDoc((await getVersion(db, eddie, checklistId, version.id))!.state);
    for (const replica of [erin.doc, olivia.doc]) {
      await vi.waitFor(() => expect(diffChecklists(expected, replica).items).toEqual([]), eventually);
    }
    expect(diffChecklists(expected, await loadDocument(db, eddie, checklistId)).items).toEqual([]);
    const versions = await listVersions(db, victor, checklistId);
    expect(versions[0]).toMatchObject({ id: restoreVersionId, kind: 'restore', restoredFrom: version.id, createdBy: demoUsers.editor.id });
    const [audit] = await listAuditTrail(db, victor, { checklistId, kinds: ['version_restored'] });
    expect(audit).toMatchObject({ userId: demoUsers.editor.id, newValue: { versionId: version.id, restoreVersionId } });
    // The restored item is logged as Eddie's change.
    await vi.waitFor(async () => {
      const rows = await listAuditTrail(db, victor, { checklistId, itemId: items[1]!.id, kinds: ['item_created'] });
      expect(rows[0]?.userId).toBe(demoUsers.editor.id);
    }, eventually);
    // Nothing differs any more between the version and now.
    expect((await diffVersions(db, eddie, checklistId, version.id, 'now')).items).toEqual([]);
  });

  it('restores one item only', async () => {
    const version = (await recordVersion(db, { checklistId, kind: 'auto' })) ?? (await listVersions(db, eddie, checklistId))[0]!;
    const erin = await follow(demoUsers.editor2, checklistId);
    const [first, second] = readChecklist(erin.doc).sections.flatMap((section) => section.items);
    updateItem(erin.doc, first!.id, { status: 'done' });
    updateItem(erin.doc, second!.id, { risk: 'critical' });
    await vi.waitFor(() => expect(itemsOf(t.server.collab.loadedDocument(checklistId)!).get(second!.id)?.get('risk')).toBe('critical'), eventually);
    await t.server.collab.flush();
    await restoreAs(demoUsers.editor, checklistId, version.id, second!.id);
    await vi.waitFor(() => expect(itemsOf(erin.doc).get(second!.id)?.get('risk')).toBe(second!.risk), eventually);
    expect(itemsOf(erin.doc).get(first!.id)?.get('status')).toBe('done');
  });

  it('refuses another workspace’s version, an unknown id, an item the version lacks and read-only roles, changing nothing', async () => {
    const [version] = await listVersions(db, eddie, checklistId);
    const before = Y.encodeStateAsUpdate(t.server.collab.loadedDocument(checklistId) ?? new Y.Doc());
    const foreign = (await recordVersion(db, { checklistId: otherChecklist.id, kind: 'named', name: 'Theirs' }))!;
    expect(await refusal(restoreAs(demoUsers.editor, checklistId, foreign.id))).toMatchObject({
      kind: 'not_found',
      message: 'There is no such version of this checklist.',
    });
    expect(await refusal(restoreAs(demoUsers.editor, otherChecklist.id, foreign.id))).toMatchObject({ kind: 'not_found' });
    expect(await refusal(restoreAs(demoUsers.editor, checklistId, '00000000-0000-4000-8000-000000000000'))).toMatchObject({ kind: 'not_found' });
    expect(await refusal(restoreAs(demoUsers.editor, checklistId, 'not-a-version'))).toMatchObject({ kind: 'not_found' });
    expect(await refusal(restoreAs(demoUsers.editor, checklistId, version!.id, 'no-such-item'))).toMatchObject({
      message: 'This version has no such item.',
    });
    expect(await refusal(restoreAs(demoUsers.viewer, checklistId, version!.id))).toMatchObject({ kind: 'forbidden' });
    expect(await refusal(restoreAs(demoUsers.outsider, checklistId, version!.id))).toMatchObject({ kind: 'not_found' });
    const after = Y.encodeStateAsUpdate(t.server.collab.loadedDocument(checklistId) ?? new Y.Doc());
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(true);
    expect((await listVersions(db, eddie, checklistId)).filter((entry) => entry.kind === 'restore')).toHaveLength(2);
  });
});
