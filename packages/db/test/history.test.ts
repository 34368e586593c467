import { addItem, addSection, readChecklist, updateItem } from '@tieout/doc-model';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import {
  ACTIVITY_MAX_ITEM_IDS,
  AuditError,
  LAST_CHANGES_MAX_ITEMS,
  VersionError,
  appendAuditRows,
  appendUpdates,
  changeMemberRole,
  createInvitation,
  createNamedVersion,
  getVersion,
  lastItemChanges,
  listAuditTrail,
  listVersions,
  recordAuditEvent,
  recordVersion,
  removeMember,
  revokeInvitation,
  subscribeLiveEvents,
  type Database,
  type LiveEvent,
} from '../src/index.ts';
import { createChecklistFixture, openScratchDatabase, type ChecklistFixture } from '../src/testing.ts';

let db: Database;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'history' }));
}, 120_000);
afterAll(async () => dispose?.(), 60_000);

async function dealOf(checklistId: string): Promise<string> {
  const { rows } = await db.ownerQuery<{ deal_id: string }>(`select deal_id from public.checklists where id = $1`, [checklistId]);
  return rows[0]!.deal_id;
}

async function refusedWith(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught as Error,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error & { code?: string };
}

async function auditCount(): Promise<number> {
  const { rows } = await db.ownerQuery<{ n: number }>(`select count(*)::int as n from public.audit_trail`);
  return rows[0]!.n;
}

describe('recordAuditEvent', () => {
  let fx: ChecklistFixture;
  beforeAll(async () => {
    fx = await createChecklistFixture(db);
  });

  it('records as the signed-in member, in the transaction of the action', async () => {
    const dealId = await dealOf(fx.checklistId);
    const id = await db.asUser(fx.users.reviewer.claims, (sql) =>
      recordAuditEvent(sql, {
        workspaceId: fx.workspaceId,
        dealId,
        checklistId: fx.checklistId,
        itemId: 'item-1',
        kind: 'file_uploaded',
        newValue: { name: 'PPA.pdf' },
      }),
    );
    const [entry] = await listAuditTrail(db, fx.users.viewer.claims, { checklistId: fx.checklistId, kinds: ['file_uploaded'] });
    expect(entry).toMatchObject({ id, kind: 'file_uploaded', itemId: 'item-1', userId: fx.users.reviewer.id, newValue: { name: 'PPA.pdf' }, dealId });
    // Rolled back with its transaction.
    const before = await auditCount();
    await db
      .asUser(fx.users.reviewer.claims, async (sql) => {
        await recordAuditEvent(sql, { workspaceId: fx.workspaceId, kind: 'export_created' });
        throw new Error('the export failed');
      })
      .catch(() => {});
    expect(await auditCount()).toBe(before);
  });

  it('refuses non-members, events in someone else’s name, document kinds and malformed events, writing nothing', async () => {
    const before = await auditCount();
    const asOutsider = db.asUser(fx.users.outsider.claims, (sql) => recordAuditEvent(sql, { workspaceId: fx.workspaceId, kind: 'export_created' }));
    expect((await refusedWith(asOutsider)).message).toMatch(/only members/);
    const impersonating = db.asUser(fx.users.editor.claims, (sql) =>
      recordAuditEvent(sql, { workspaceId: fx.workspaceId, kind: 'export_created', userId: fx.users.owner.id }),
    );
    expect((await refusedWith(impersonating)).message).toMatch(/as the signed-in user/);
    const forged = db.asUser(fx.users.editor.claims, (sql) =>
      recordAuditEvent(sql, { workspaceId: fx.workspaceId, kind: 'item_field', field: 'status', newValue: 'done' }),
    );
    expect((await refusedWith(forged)).message).toMatch(/derived by the collaboration server/);
    const malformed = db.asUser(fx.users.editor.claims, (sql) => recordAuditEvent(sql, { workspaceId: fx.workspaceId, kind: 'Drop Table' }));
    expect(await refusedWith(malformed)).toBeInstanceOf(AuditError);
    const otherDeal = db.asService((sql) =>
      recordAuditEvent(sql, { workspaceId: fx.workspaceId, kind: 'export_created', checklistId: '00000000-0000-4000-8000-000000000000' }),
    );
    expect((await refusedWith(otherDeal)).message).toMatch(/not in workspace/);
    expect(await auditCount()).toBe(before);
  });

  it('cannot be altered by anyone, not even the database owner', async () => {
    const [entry] = await listAuditTrail(db, fx.users.owner.claims, { workspaceId: fx.workspaceId, limit: 1 });
    for (const statement of [
      `update public.audit_trail set kind = 'forged' where id = ${entry!.id}`,
      `delete from public.audit_trail where id = ${entry!.id}`,
      `truncate public.audit_trail`,
    ]) {
      expect((await refusedWith(db.ownerQuery(statement))).message).toMatch(/append-only/);
      // The service role has no such privilege at all.
      expect(await refusedWith(db.asService((sql) => sql.query(statement)))).toMatchObject({ code: '42501' });
    }
    const [again] = await listAuditTrail(db, fx.users.owner.claims, { workspaceId: fx.workspaceId, limit: 1 });
    expect(again).toEqual(entry);
  });
});

describe('audited by the database itself', () => {
  it('membership and role changes and invitations, with who did them', async () => {
    const fx = await createChecklistFixture(db);
    await changeMemberRole(db, fx.users.owner.claims, { workspaceId: fx.workspaceId, userId: fx.users.viewer.id, role: 'reviewer' });
    await removeMember(db, fx.users.owner.claims, { workspaceId: fx.workspaceId, userId: fx.users.reviewer.id });
    const { invitation } = await createInvitation(db, fx.users.owner.claims, {
      workspaceId: fx.workspaceId,
      email: 'new.analyst@example.com',
      role: 'editor',
    });
    await revokeInvitation(db, fx.users.owner.claims, { workspaceId: fx.workspaceId, invitationId: invitation.id });
    const entries = await listAuditTrail(db, fx.users.owner.claims, {
      workspaceId: fx.workspaceId,
      kinds: ['member_role_changed', 'member_removed', 'invitation_created', 'invitation_revoked'],
    });
    expect(entries.map(({ kind, userId, field, oldValue, newValue }) => ({ kind, userId, field, oldValue, newValue })).reverse()).toEqual([
      {
        kind: 'member_role_changed',
        userId: fx.users.owner.id,
        field: 'role',
        oldValue: { userId: fx.users.viewer.id, role: 'viewer' },
        newValue: { userId: fx.users.viewer.id, role: 'reviewer' },
      },
      {
        kind: 'member_removed',
        userId: fx.users.owner.id,
        field: null,
        oldValue: { userId: fx.users.reviewer.id, role: 'reviewer' },
        newValue: null,
      },
      {
        kind: 'invitation_created',
        userId: fx.users.owner.id,
        field: null,
        oldValue: null,
        newValue: expect.objectContaining({ invitationId: invitation.id, email: 'new.analyst@example.com', role: 'editor' }),
      },
      {
        kind: 'invitation_revoked',
        userId: fx.users.owner.id,
        field: null,
        oldValue: expect.objectContaining({ invitationId: invitation.id }),
        newValue: null,
      },
    ]);
    // A removed member no longer reads the trail.
    expect(await listAuditTrail(db, fx.users.reviewer.claims, { workspaceId: fx.workspaceId })).toEqual([]);
  });

  it('deleting a checklist or a deal keeps their history and records the deletion', async () => {
    const fx = await createChecklistFixture(db);
    const dealId = await dealOf(fx.checklistId);
    await appendAuditRows(db, [
      {
        workspaceId: fx.workspaceId,
        dealId,
        checklistId: fx.checklistId,
        itemId: 'i1',
        kind: 'item_field',
        field: 'status',
        oldValue: 'not_started',
        newValue: 'done',
        userId: fx.users.editor.id,
        updateId: null,
      },
    ]);
    await db.asUser(fx.users.owner.claims, (sql) => sql.query(`delete from public.deals where id = $1`, [dealId]));
    const entries = await listAuditTrail(db, fx.users.viewer.claims, { dealId });
    expect(entries.map((entry) => [entry.kind, entry.userId]).sort()).toEqual([
      ['checklist_deleted', fx.users.owner.id],
      ['deal_deleted', fx.users.owner.id],
      ['item_field', fx.users.editor.id],
    ]);
    expect(entries.find((entry) => entry.kind === 'checklist_deleted')!.oldValue).toEqual({ title: 'Checklist' });
    expect(entries.find((entry) => entry.kind === 'deal_deleted')!.oldValue).toEqual({ name: 'Deal' });
  });
});

describe('versions', () => {
  let fx: ChecklistFixture;
  let doc: Y.Doc;
  const edit = async (user: keyof ChecklistFixture['users'], change: (doc: Y.Doc) => void) => {
    const before = Y.encodeStateVector(doc);
    change(doc);
    await appendUpdates(db, fx.users[user].claims, fx.checklistId, fx.workspaceId, [Y.encodeStateAsUpdate(doc, before)]);
  };
  beforeAll(async () => {
    fx = await createChecklistFixture(db);
    doc = new Y.Doc();
  });

  it('records automatic versions with the editors since the previous one, and skips one when nothing changed', async () => {
    let sectionId = '';
    let itemId = '';
    await edit('editor', (d) => {
      sectionId = addSection(d, { title: 'Power' });
      itemId = addItem(d, { sectionId, title: 'Interconnection agreement' });
    });
    await edit('owner', (d) => updateItem(d, itemId, { status: 'in_progress' }));
    const first = await recordVersion(db, { checklistId: fx.checklistId, kind: 'auto' });
    expect(first).toMatchObject({ kind: 'auto', name: null, editors: [fx.users.editor.id, fx.users.owner.id].sort(), createdBy: null });
    expect(first!.bytes).toBeGreaterThan(0);
    expect(await recordVersion(db, { checklistId: fx.checklistId, kind: 'auto' })).toBeNull();
    await edit('editor', (d) => updateItem(d, itemId, { status: 'done' }));
    const second = await recordVersion(db, { checklistId: fx.checklistId, kind: 'auto' });
    expect(second!.editors).toEqual([fx.users.editor.id]);
    expect(second!.lastUpdateId).toBeGreaterThan(first!.lastUpdateId);

    const stored = await getVersion(db, fx.users.viewer.claims, fx.checklistId, first!.id);
    const old = new Y.Doc();
    Y.applyUpdate(old, stored!.state);
    expect(readChecklist(old).sections[0]!.items[0]).toMatchObject({ title: 'Interconnection agreement', status: 'in_progress' });
  });

  it('names a version for owners and editors; bad names and read-only roles get clear errors and nothing is written', async () => {
    const named = await createNamedVersion(db, fx.users.editor.claims, fx.checklistId, '  Sent to IC, 3 March  ');
    expect(named).toMatchObject({ kind: 'named', name: 'Sent to IC, 3 March', createdBy: fx.users.editor.id });
    const count = (await listVersions(db, fx.users.viewer.claims, fx.checklistId)).length;
    for (const [name, message] of [
      ['', 'Give the version a name.'],
      ['   ', 'Give the version a name.'],
      ['x'.repeat(10_000), 'A version name has at most 200 characters.'],
      [42, 'Give the version a name.'],
    ] as const) {
      const error = await refusedWith(createNamedVersion(db, fx.users.owner.claims, fx.checklistId, name));
      expect(error).toBeInstanceOf(VersionError);
      expect(error).toMatchObject({ kind: 'invalid', code: 'invalid_name', message });
    }
    expect(await refusedWith(createNamedVersion(db, fx.users.viewer.claims, fx.checklistId, 'Mine'))).toMatchObject({
      kind: 'forbidden',
      code: 'forbidden',
    });
    expect(await refusedWith(createNamedVersion(db, fx.users.outsider.claims, fx.checklistId, 'Mine'))).toMatchObject({
      kind: 'not_found',
      code: 'not_found',
    });
    expect(await refusedWith(createNamedVersion(db, fx.users.owner.claims, 'not-a-checklist', 'Mine'))).toMatchObject({ code: 'not_found' });
    expect(await listVersions(db, fx.users.viewer.claims, fx.checklistId)).toHaveLength(count);
  });

  it('lists a checklist’s versions only to members, and never serves a version under another checklist', async () => {
    const versions = await listVersions(db, fx.users.reviewer.claims, fx.checklistId);
    expect(versions.map((version) => version.kind)).toEqual(['named', 'auto', 'auto']);
    expect(await listVersions(db, fx.users.outsider.claims, fx.checklistId)).toEqual([]);
    expect(await getVersion(db, fx.users.outsider.claims, fx.checklistId, versions[0]!.id)).toBeNull();
    const other = await createChecklistFixture(db);
    expect(await getVersion(db, other.users.owner.claims, other.checklistId, versions[0]!.id)).toBeNull();
    expect(await getVersion(db, fx.users.owner.claims, fx.checklistId, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});

describe('activity feed of a checklist', () => {
  it('is read in its own order from an index, stopping at the rows it shows, however long the trail', async () => {
    const fx = await createChecklistFixture(db);
    await db.ownerQuery(
      `insert into public.audit_trail (workspace_id, deal_id, checklist_id, item_id, kind, field, new_value, user_id, created_at)
       select $1, $2, $3, 'item-' || (g % 300), 'item_field', 'status', '"done"', $4, now() - (g || ' seconds')::interval
         from generate_series(1, 20000) g`,
      [fx.workspaceId, await dealOf(fx.checklistId), fx.checklistId, fx.users.editor.id],
    );
    await db.ownerQuery('analyze public.audit_trail');
    const { rows } = await db.ownerQuery<{ 'QUERY PLAN': string }>(
      `explain select a.id from public.audit_trail a where a.checklist_id = $1 order by a.created_at desc, a.id desc limit 200`,
      [fx.checklistId],
    );
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain('audit_trail_checklist_idx');
    expect(plan).not.toMatch(/\bSort\b/);
    const feed = await listAuditTrail(db, fx.users.viewer.claims, { checklistId: fx.checklistId, limit: 200 });
    expect(feed).toHaveLength(200);
    expect(feed.map((entry) => entry.createdAt)).toEqual([...feed.map((entry) => entry.createdAt)].sort().reverse());
  });
});

describe('last changes per item', () => {
  it('names the last person to change each item', async () => {
    const fx = await createChecklistFixture(db);
    const dealId = await dealOf(fx.checklistId);
    const row = (itemId: string, userId: string) => ({
      workspaceId: fx.workspaceId,
      dealId,
      checklistId: fx.checklistId,
      itemId,
      kind: 'item_field',
      field: 'status',
      oldValue: null,
      newValue: 'done',
      userId,
      updateId: null,
    });
    await appendAuditRows(db, [row('a', fx.users.editor.id)]);
    await appendAuditRows(db, [row('a', fx.users.owner.id), row('b', fx.users.editor.id)]);
    const last = await lastItemChanges(db, fx.users.viewer.claims, fx.checklistId);
    expect(last.get('a')!.userId).toBe(fx.users.owner.id);
    expect(last.get('b')!.userId).toBe(fx.users.editor.id);
    expect(await lastItemChanges(db, fx.users.outsider.claims, fx.checklistId)).toEqual(new Map());
  });

  it('takes each item’s newest row by time (not by id), across many items, only of this checklist', async () => {
    const fx = await createChecklistFixture(db);
    const other = await createChecklistFixture(db);
    const dealId = await dealOf(fx.checklistId);
    const people = [fx.users.editor.id, fx.users.owner.id, fx.users.reviewer.id];
    // 40 items, 5 rows each, written in an order unrelated to their times; plus a checklist-level row and rows of the
    // same item ids in another checklist (newer than all of them).
    const written: { itemId: string; userId: string; at: string }[] = [];
    for (let n = 0; n < 200; n += 1) {
      const itemId = `item-${String((n * 7) % 40).padStart(2, '0')}`;
      const at = new Date(Date.UTC(2026, 10, 1) + ((n * 37) % 200) * 60_000).toISOString();
      written.push({ itemId, userId: people[n % people.length]!, at });
    }
    await db.ownerQuery(
      `insert into public.audit_trail (workspace_id, deal_id, checklist_id, item_id, kind, field, new_value, user_id, created_at)
       select $1, $2, $3, r.item_id, 'item_field', 'status', '"done"', r.user_id, r.at
         from jsonb_to_recordset($4::jsonb) as r(item_id text, user_id uuid, at timestamptz)`,
      [fx.workspaceId, dealId, fx.checklistId, JSON.stringify(written.map((row) => ({ item_id: row.itemId, user_id: row.userId, at: row.at })))],
    );
    await db.ownerQuery(
      `insert into public.audit_trail (workspace_id, deal_id, checklist_id, item_id, kind, field, new_value, user_id, created_at)
       values ($1, $2, $3, null, 'checklist_field', 'title', '"x"', $4, now()), ($5, $6, $7, 'item-00', 'item_field', 'status', '"done"', $8, now())`,
      [
        fx.workspaceId,
        dealId,
        fx.checklistId,
        fx.users.owner.id,
        other.workspaceId,
        await dealOf(other.checklistId),
        other.checklistId,
        other.users.owner.id,
      ],
    );
    const expected = new Map<string, { userId: string; at: string }>();
    for (const row of written) {
      const seen = expected.get(row.itemId);
      if (!seen || row.at > seen.at) expected.set(row.itemId, { userId: row.userId, at: row.at });
    }
    const last = await lastItemChanges(db, fx.users.viewer.claims, fx.checklistId);
    expect(new Map([...last].map(([itemId, change]) => [itemId, { userId: change.userId, at: change.at }]))).toEqual(expected);
    expect(last.get('item-00')!.userName).toBeTruthy();
  });

  it('reads only the named items when asked (one seek each), and refuses a list it would not bound', async () => {
    const fx = await createChecklistFixture(db);
    const dealId = await dealOf(fx.checklistId);
    const row = (itemId: string, userId: string) => ({
      workspaceId: fx.workspaceId,
      dealId,
      checklistId: fx.checklistId,
      itemId,
      kind: 'item_field',
      field: 'status',
      oldValue: null,
      newValue: 'done',
      userId,
      updateId: null,
    });
    await appendAuditRows(db, [row('a', fx.users.editor.id), row('b', fx.users.editor.id), row('c', fx.users.editor.id)]);
    await appendAuditRows(db, [row('b', fx.users.owner.id)]);
    const all = await lastItemChanges(db, fx.users.viewer.claims, fx.checklistId);
    const some = await lastItemChanges(db, fx.users.viewer.claims, fx.checklistId, ['b', 'c', 'b', 'never-changed']);
    expect([...some.keys()].sort()).toEqual(['b', 'c']);
    expect(some.get('b')).toEqual(all.get('b'));
    expect(some.get('b')!.userId).toBe(fx.users.owner.id);
    expect(some.get('c')).toEqual(all.get('c'));
    expect(await lastItemChanges(db, fx.users.viewer.claims, fx.checklistId, [])).toEqual(new Map());
    expect(await lastItemChanges(db, fx.users.outsider.claims, fx.checklistId, ['a'])).toEqual(new Map());
    await expect(
      lastItemChanges(
        db,
        fx.users.viewer.claims,
        fx.checklistId,
        Array.from({ length: LAST_CHANGES_MAX_ITEMS + 1 }, (_, n) => `i${n}`),
      ),
    ).rejects.toThrow(AuditError);
    await expect(lastItemChanges(db, fx.users.viewer.claims, fx.checklistId, ['x'.repeat(65)])).rejects.toThrow(AuditError);
  });

  it('names no items in the live event when a write touches more than it may name', async () => {
    const fx = await createChecklistFixture(db);
    const dealId = await dealOf(fx.checklistId);
    const events: LiveEvent[] = [];
    const subscription = await subscribeLiveEvents(db, (event) => events.push(event));
    try {
      const rows = Array.from({ length: ACTIVITY_MAX_ITEM_IDS + 1 }, (_, n) => ({
        workspaceId: fx.workspaceId,
        dealId,
        checklistId: fx.checklistId,
        itemId: `item-${n}`,
        kind: 'item_field',
        field: 'status',
        oldValue: null,
        newValue: 'done',
        userId: fx.users.editor.id,
        updateId: null,
      }));
      await appendAuditRows(db, rows);
      await vi.waitFor(() => expect(events.some((event) => event.checklistId === fx.checklistId)).toBe(true), { timeout: 30_000, interval: 50 });
      expect(events.filter((event) => event.checklistId === fx.checklistId)).toEqual([
        { topic: 'activity', workspaceId: fx.workspaceId, dealId, checklistId: fx.checklistId },
      ]);
    } finally {
      await subscription.close();
    }
  });

  it('announces new item rows on the live topic activity, once per checklist, and not for other rows', async () => {
    const fx = await createChecklistFixture(db);
    const other = await createChecklistFixture(db);
    const dealId = await dealOf(fx.checklistId);
    const events: LiveEvent[] = [];
    const subscription = await subscribeLiveEvents(db, (event) => events.push(event));
    try {
      const row = (itemId: string | null) => ({
        workspaceId: fx.workspaceId,
        dealId,
        checklistId: fx.checklistId,
        itemId,
        kind: itemId ? 'item_field' : 'checklist_field',
        field: 'title',
        oldValue: 'a',
        newValue: 'b',
        userId: fx.users.editor.id,
        updateId: null,
      });
      // A checklist-level row only: nothing about items changed, nothing announced.
      await appendAuditRows(db, [row(null)]);
      await appendAuditRows(db, [row('a'), row('b')]);
      // An audited action on an item (a file, a restore) announces it too; one without an item does not.
      await db.asUser(fx.users.editor.claims, (sql) =>
        recordAuditEvent(sql, { workspaceId: fx.workspaceId, dealId, checklistId: fx.checklistId, kind: 'items_exported', newValue: { rows: 2 } }),
      );
      await db.asUser(fx.users.editor.claims, (sql) =>
        recordAuditEvent(sql, {
          workspaceId: fx.workspaceId,
          dealId,
          checklistId: fx.checklistId,
          itemId: 'a',
          kind: 'file_uploaded',
          newValue: { name: 'x.pdf' },
        }),
      );
      // The marker comes after everything above: once it is here, the others would have been too.
      await appendAuditRows(db, [
        { ...row('c'), workspaceId: other.workspaceId, dealId: await dealOf(other.checklistId), checklistId: other.checklistId },
      ]);
      await vi.waitFor(() => expect(events.some((event) => event.checklistId === other.checklistId)).toBe(true), { timeout: 30_000, interval: 50 });
      // Each names its items, so an open page re-reads only their lines.
      expect(events.filter((event) => event.checklistId === fx.checklistId)).toEqual([
        { topic: 'activity', workspaceId: fx.workspaceId, dealId, checklistId: fx.checklistId, itemIds: ['a', 'b'] },
        { topic: 'activity', workspaceId: fx.workspaceId, dealId, checklistId: fx.checklistId, itemIds: ['a'] },
      ]);
    } finally {
      await subscription.close();
    }
  });
});
