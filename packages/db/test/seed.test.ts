import { readChecklist, summarizeProgress, type ItemView } from '@tieout/doc-model';
import { templateByKey } from '@tieout/templates';
import bcrypt from 'bcryptjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  DOCUMENT_WRITER_ROLE,
  auditReplay,
  checklistSearchEntries,
  listAuditTrail,
  defaultSupabaseDir,
  loadStoredDocument,
  migrate,
  projectionRows,
  searchEverything,
  type Database,
} from '../src/index.ts';
import { SEED_TODAY, buildSeedData, generateSeedSql, otherChecklist } from '../src/seed/index.ts';
import {
  DEMO_PASSWORD,
  demoChecklists,
  demoDeal,
  demoUsers,
  demoWorkspace,
  openScratchDatabase,
  type ScratchDatabase,
  userClaims,
} from '../src/testing.ts';

const seedFile = join(defaultSupabaseDir, 'seed.sql');
const templateKeyOf: Record<string, string> = {
  [demoChecklists.siteRetrofits.id]: 'site-retrofits',
  [demoChecklists.energyContracts.id]: 'energy-contracts',
  [demoChecklists.leaseExposure.id]: 'lease-exposure',
  [otherChecklist.id]: 'energy-contracts',
};

describe('supabase/seed.sql', () => {
  it('is exactly what the generator produces now (regenerate with `npm run seed:generate -w @tieout/db`)', async () => {
    const committed = await readFile(seedFile, 'utf8');
    expect(committed === generateSeedSql(), 'supabase/seed.sql is stale').toBe(true);
  });

  it('is deterministic: two builds give byte-identical documents and rows', () => {
    const [first, second] = [buildSeedData(), buildSeedData()];
    expect(first.updates.map((u) => Buffer.from(u.update).toString('hex'))).toEqual(second.updates.map((u) => Buffer.from(u.update).toString('hex')));
    expect(JSON.stringify(first.items)).toBe(JSON.stringify(second.items));
  });
});

describe('the demo seed in a fresh database', () => {
  let fresh: ScratchDatabase;
  let db: Database;

  beforeAll(async () => {
    fresh = await openScratchDatabase({ label: 'seed', migrate: false });
    db = fresh.db;
    const result = await migrate(db, { seedIfFresh: true });
    expect(result.seeded).toBe(true);
  }, 120_000);
  afterAll(async () => fresh?.dispose());

  const count = async (table: string) => Number((await db.ownerQuery<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n);

  it('lets every demo user sign in: confirmed email, bcrypt hash of the demo password, a profile', async () => {
    const { rows } = await db.ownerQuery<{
      id: string;
      email: string;
      encrypted_password: string;
      email_confirmed_at: unknown;
      display_name: string;
    }>(
      `select u.id, u.email, u.encrypted_password, u.email_confirmed_at, p.display_name
         from auth.users u join public.profiles p on p.id = u.id order by u.email`,
    );
    expect(rows).toHaveLength(Object.keys(demoUsers).length);
    for (const user of Object.values(demoUsers)) {
      const row = rows.find((candidate) => candidate.id === user.id);
      expect(row, user.email).toBeDefined();
      expect(row!.email).toBe(user.email);
      expect(row!.display_name).toBe(user.name);
      expect(row!.email_confirmed_at).not.toBeNull();
      expect(await bcrypt.compare(DEMO_PASSWORD, row!.encrypted_password)).toBe(true);
      expect(await bcrypt.compare(`${DEMO_PASSWORD}x`, row!.encrypted_password)).toBe(false);
    }
  });

  it('gives each demo user their role, and the outsider only their own workspace', async () => {
    const { rows } = await db.ownerQuery<{ workspace_id: string; user_id: string; role: string }>(
      `select workspace_id, user_id, role::text as role from public.workspace_members`,
    );
    for (const user of Object.values(demoUsers)) {
      const memberships = rows.filter((row) => row.user_id === user.id);
      if (user.role === null) expect(memberships.map((m) => m.workspace_id)).not.toContain(demoWorkspace.id);
      else expect(memberships).toEqual([{ workspace_id: demoWorkspace.id, user_id: user.id, role: user.role }]);
    }
    const outsiderSees = await db.asUser(userClaims(demoUsers.outsider), (sql) => sql.query<{ id: string }>(`select id from public.checklists`));
    expect(outsiderSees.rows.map((row) => row.id)).toEqual([otherChecklist.id]);
    const viewerSees = await db.asUser(userClaims(demoUsers.viewer), (sql) =>
      sql.query<{ id: string }>(`select id from public.checklists order by id`),
    );
    expect(viewerSees.rows.map((row) => row.id)).toEqual(
      Object.values(demoChecklists)
        .map((c) => c.id)
        .sort(),
    );
  });

  it('stores each checklist as a document built from its template, with history by several users', async () => {
    const checklistIds = [...Object.values(demoChecklists).map((c) => c.id), otherChecklist.id];
    for (const checklistId of checklistIds) {
      const doc = await loadStoredDocument(db, checklistId);
      const view = readChecklist(doc);
      const template = templateByKey(templateKeyOf[checklistId]!)!;
      expect(view.sections.map((s) => s.title)).toEqual(template.sections.map((s) => s.title));
      const titles = new Set(view.sections.flatMap((s) => s.items.map((i) => i.title)));
      for (const section of template.sections) for (const item of section.items) expect(titles.has(item.title), item.title).toBe(true);
      doc.destroy();
    }
    const { rows: authors } = await db.ownerQuery<{ checklist_id: string; authors: number; updates: number }>(
      `select checklist_id, count(distinct user_id)::int as authors, count(*)::int as updates
         from public.document_updates group by checklist_id`,
    );
    for (const checklist of Object.values(demoChecklists)) {
      const row = authors.find((r) => r.checklist_id === checklist.id)!;
      expect(row.authors, checklist.title).toBeGreaterThanOrEqual(3);
    }
  });

  it('keeps a snapshot that covers the log up to last_update_id, with newer updates after it', async () => {
    const { rows } = await db.ownerQuery<{ checklist_id: string; state: Uint8Array; last_update_id: number; tail: number }>(
      `select s.checklist_id, s.state, s.last_update_id,
              (select count(*)::int from public.document_updates u where u.checklist_id = s.checklist_id and u.id > s.last_update_id) as tail
         from public.document_snapshots s`,
    );
    expect(rows.map((r) => r.checklist_id).sort()).toEqual(
      Object.values(demoChecklists)
        .map((c) => c.id)
        .sort(),
    );
    for (const row of rows) {
      expect(row.tail).toBeGreaterThan(0);
      const { rows: covered } = await db.ownerQuery<{ update: Uint8Array }>(
        `select update from public.document_updates where checklist_id = $1 and id <= $2 order by id`,
        [row.checklist_id, row.last_update_id],
      );
      const fromLog = new Y.Doc();
      for (const { update } of covered) Y.applyUpdate(fromLog, update);
      const fromSnapshot = new Y.Doc();
      Y.applyUpdate(fromSnapshot, row.state);
      expect(readChecklist(fromSnapshot)).toEqual(readChecklist(fromLog));
    }
  });

  it('has a projection matching the stored documents, with realistic progress and overdue items', async () => {
    for (const checklist of Object.values(demoChecklists)) {
      const doc = await loadStoredDocument(db, checklist.id);
      const expected = projectionRows(doc);
      const { rows } = await db.ownerQuery<Record<string, unknown>>(
        `select item_id, section_id, section_title, position, title, reference, status, owner_id, due_date, risk, figures, content_fingerprint
           from public.checklist_items where checklist_id = $1 order by position, item_id`,
        [checklist.id],
      );
      const sorted = [...expected].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : a.item_id < b.item_id ? -1 : 1));
      expect(rows).toEqual(sorted);
      const items: ItemView[] = readChecklist(doc).sections.flatMap((s) => s.items);
      const progress = summarizeProgress(items, SEED_TODAY);
      expect(progress.done, checklist.title).toBeGreaterThan(0);
      expect(progress.blocked, checklist.title).toBeGreaterThan(0);
      expect(progress.overdue, checklist.title).toBeGreaterThan(0);
      expect(progress.needsReview, checklist.title).toBeGreaterThan(0);
      expect(items.some((i) => i.status === 'in_progress')).toBe(true);
      const editorIds: string[] = [demoUsers.owner.id, demoUsers.owner2.id, demoUsers.editor.id, demoUsers.editor2.id];
      for (const item of items) expect(editorIds).toContain(item.ownerId);
      doc.destroy();
    }
  });

  it('is searchable from the start: the index holds what the documents say, and finds them as their members only', async () => {
    // Each checklist's entries are exactly what the collaboration server's search extension writes for its document.
    for (const checklist of Object.values(demoChecklists)) {
      const doc = await loadStoredDocument(db, checklist.id);
      const expected = checklistSearchEntries(doc)
        .map((e) => `${e.kind}:${e.sourceId}`)
        .sort();
      doc.destroy();
      const { rows } = await db.ownerQuery<{ key: string }>(
        `select kind || ':' || source_id as key from public.search_entries where checklist_id = $1 order by 1`,
        [checklist.id],
      );
      expect(expected.length, checklist.title).toBeGreaterThan(10);
      expect(rows.map((row) => row.key).sort(), checklist.title).toEqual(expected);
    }
    // Never edited since the seed, yet found: the lease exposure checklist's items, by a word of their titles.
    const found = await db.asUser(userClaims(demoUsers.viewer), (sql) => searchEverything(sql, 'lease'));
    expect(found.hits.some((hit) => hit.checklistId === demoChecklists.leaseExposure.id)).toBe(true);
    const outsider = await db.asUser(userClaims(demoUsers.outsider), (sql) => searchEverything(sql, 'lease'));
    expect(outsider.hits.filter((hit) => hit.workspaceId === demoWorkspace.id)).toEqual([]);
  });

  it("holds the story's audit trail: each row is its log row's author at its time, and the items created less those deleted are the projected items", async () => {
    const { rows: mismatched } = await db.ownerQuery<{ n: number }>(
      `select count(*)::int as n from public.audit_trail a left join public.document_updates u on u.id = a.update_id
        where a.update_id is not null and (u.id is null or u.checklist_id <> a.checklist_id or u.user_id is distinct from a.user_id or u.created_at <> a.created_at)`,
    );
    expect(mismatched[0]!.n).toBe(0);
    const { rows } = await db.ownerQuery<{ checklist_id: string; created: number; deleted: number; items: number; authors: number }>(
      `select c.id as checklist_id,
              (select count(*)::int from public.audit_trail a where a.checklist_id = c.id and a.kind = 'item_created') as created,
              (select count(*)::int from public.audit_trail a where a.checklist_id = c.id and a.kind = 'item_deleted') as deleted,
              (select count(*)::int from public.checklist_items i where i.checklist_id = c.id) as items,
              (select count(distinct a.user_id)::int from public.audit_trail a where a.checklist_id = c.id) as authors
         from public.checklists c`,
    );
    for (const row of rows) expect(row.created - row.deleted, row.checklist_id).toBe(row.items);
    // The story has several people at work: the activity feeds show who did what.
    expect(rows.find((row) => row.checklist_id === demoChecklists.siteRetrofits.id)!.authors).toBeGreaterThan(1);
    const fields = await listAuditTrail(db, userClaims(demoUsers.viewer), { dealId: demoDeal.id, kinds: ['item_field'] });
    expect(fields.length).toBeGreaterThan(0);
    // The first load of a seeded checklist replays nothing: its cursor starts at the seeded log's end.
    for (const checklist of Object.values(demoChecklists)) expect((await auditReplay(db, checklist.id)).updates).toEqual([]);
  });

  it('advances the update id sequence past the seeded log, so new updates append', async () => {
    const max = await count('public.document_updates');
    const { rows } = await db.asUsers(async (actAs) =>
      (await actAs(userClaims(demoUsers.editor), { role: DOCUMENT_WRITER_ROLE })).query<{ id: number }>(
        `insert into public.document_updates (checklist_id, workspace_id, update) values ($1, $2, $3) returning id`,
        [demoChecklists.siteRetrofits.id, demoWorkspace.id, Y.encodeStateAsUpdate(new Y.Doc())],
      ),
    );
    expect(Number(rows[0]!.id)).toBeGreaterThan(max);
    await db.ownerQuery(`delete from public.document_updates where id = $1`, [rows[0]!.id]);
  });

  it('can be applied again without errors or duplicates', async () => {
    const tables = [
      'auth.users',
      'public.profiles',
      'public.workspace_members',
      'public.checklists',
      'public.document_updates',
      'public.checklist_items',
      'public.checklist_templates',
      'public.search_entries',
      'public.audit_trail',
    ];
    const before = await Promise.all(tables.map(count));
    await db.execScript(`begin;\n${await readFile(seedFile, 'utf8')}\n;commit;`);
    expect(await Promise.all(tables.map(count))).toEqual(before);
  });
});
