import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HIGHLIGHT_END,
  HIGHLIGHT_START,
  SearchQueryError,
  indexFileName,
  indexFileText,
  insertItemFile,
  listItemFiles,
  removeItemFile,
  replaceChecklistSearchEntries,
  searchEverything,
  type Database,
} from '../src/index.ts';
import { createChecklistFixture, openScratchDatabase, type ChecklistFixture } from '../src/testing.ts';

let db: Database;
let dispose: () => Promise<void>;
let a: ChecklistFixture;
let b: ChecklistFixture;
let dealA: string;
let dealB: string;

async function project(fixture: ChecklistFixture, itemId: string, title: string) {
  await db.asService(async (sql) => {
    const { rows } = await sql.query<{ deal_id: string }>(`select deal_id from public.checklists where id = $1`, [fixture.checklistId]);
    await sql.query(
      `insert into public.checklist_items (checklist_id, item_id, workspace_id, deal_id, position, title, status)
       values ($1, $2, $3, $4, 'a0', $5, 'in_progress')`,
      [fixture.checklistId, itemId, fixture.workspaceId, rows[0]!.deal_id, title],
    );
  });
}

const sha = 'a'.repeat(64);
const newFile = (fixture: ChecklistFixture, deal: string, itemId: string, name: string, fileGroup?: string) => ({
  id: randomUUID(),
  fileGroup,
  workspaceId: fixture.workspaceId,
  dealId: deal,
  checklistId: fixture.checklistId,
  itemId,
  name,
  sizeBytes: 10,
  contentType: 'application/pdf',
  sha256: sha,
  storageKey: `${fixture.workspaceId}/${randomUUID()}`,
});

beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'files-search' }));
  a = await createChecklistFixture(db);
  b = await createChecklistFixture(db);
  const deal = async (f: ChecklistFixture) =>
    db.asService(
      async (sql) => (await sql.query<{ deal_id: string }>(`select deal_id from public.checklists where id = $1`, [f.checklistId])).rows[0]!.deal_id,
    );
  dealA = await deal(a);
  dealB = await deal(b);
  await project(a, 'item-a', 'Power purchase agreement');
  await project(b, 'item-b', 'Power purchase agreement');
}, 120_000);
afterAll(async () => dispose());

describe('item files', () => {
  it('keeps versions, numbers them, and removes softly', async () => {
    const first = await db.asUser(a.users.editor.claims, (sql) => insertItemFile(sql, newFile(a, dealA, 'item-a', 'PPA.pdf')));
    expect(first.version).toBe(1);
    const second = await db.asUser(a.users.owner.claims, (sql) => insertItemFile(sql, newFile(a, dealA, 'item-a', 'PPA v2.pdf', first.fileGroup)));
    expect(second.version).toBe(2);
    const listed = await db.asUser(a.users.viewer.claims, (sql) => listItemFiles(sql, a.checklistId, 'item-a'));
    expect(listed.map((f) => f.version)).toEqual([2, 1]);
    await expect(db.asUser(a.users.reviewer.claims, (sql) => removeItemFile(sql, first.fileGroup, a.users.reviewer.id))).rejects.toThrow();
    const removed = await db.asUser(a.users.editor.claims, (sql) => removeItemFile(sql, first.fileGroup, a.users.editor.id));
    expect(removed).toHaveLength(2);
    expect(await db.asUser(a.users.viewer.claims, (sql) => listItemFiles(sql, a.checklistId, 'item-a'))).toEqual([]);
    // A removed file takes no new version.
    await expect(
      db.asUser(a.users.editor.claims, (sql) => insertItemFile(sql, newFile(a, dealA, 'item-a', 'PPA v3.pdf', first.fileGroup))),
    ).rejects.toThrow(/removed/);
  });

  it('refuses viewers, outsiders, a version on another item and names with path separators', async () => {
    await expect(db.asUser(a.users.viewer.claims, (sql) => insertItemFile(sql, newFile(a, dealA, 'item-a', 'x.pdf')))).rejects.toThrow();
    await expect(db.asUser(b.users.owner.claims, (sql) => insertItemFile(sql, newFile(a, dealA, 'item-a', 'x.pdf')))).rejects.toThrow();
    await expect(db.asUser(a.users.editor.claims, (sql) => insertItemFile(sql, newFile(a, dealA, 'item-a', '../x.pdf')))).rejects.toThrow();
    const base = await db.asUser(a.users.editor.claims, (sql) => insertItemFile(sql, newFile(a, dealA, 'item-a', 'base.pdf')));
    await expect(
      db.asUser(a.users.editor.claims, (sql) => insertItemFile(sql, newFile(a, dealA, 'other-item', 'x.pdf', base.fileGroup))),
    ).rejects.toThrow(/same item/);
  });
});

describe('search', () => {
  it('finds items, figures and file text in the caller’s workspaces only, with highlights', async () => {
    for (const [f, deal, item] of [
      [a, dealA, 'item-a'],
      [b, dealB, 'item-b'],
    ] as const) {
      await db.asService((sql) =>
        replaceChecklistSearchEntries(sql, { checklistId: f.checklistId, workspaceId: f.workspaceId, dealId: deal }, [
          { itemId: item, kind: 'item', sourceId: item, title: 'Power purchase agreement', body: '' },
          { itemId: item, kind: 'figure', sourceId: `${item}:f1`, title: 'Contracted power', body: '' },
        ]),
      );
      const file = {
        id: randomUUID(),
        workspaceId: f.workspaceId,
        dealId: deal,
        checklistId: f.checklistId,
        itemId: item,
        name: 'Capacity_Letter.pdf',
      };
      await db.asUser(f.users.editor.claims, (sql) => insertItemFile(sql, { ...newFile(f, deal, item, file.name), id: file.id }));
      await db.asService(async (sql) => {
        await indexFileName(sql, file);
        await indexFileText(sql, file, [
          { page: 1, text: 'Intro' },
          { page: 2, text: 'The curtailment clause limits output to 80 percent.' },
        ]);
      });
    }
    const result = await db.asUser(a.users.viewer.claims, (sql) => searchEverything(sql, 'curtailment clause'));
    expect(result.hits).toHaveLength(1);
    expect(result.hits[0]).toMatchObject({ kind: 'file', workspaceId: a.workspaceId, page: 2, itemTitle: 'Power purchase agreement' });
    expect(result.hits[0]!.snippet).toContain(`${HIGHLIGHT_START}curtailment${HIGHLIGHT_END}`);
    const power = await db.asUser(a.users.viewer.claims, (sql) => searchEverything(sql, 'power'));
    expect(new Set(power.hits.map((h) => h.workspaceId))).toEqual(new Set([a.workspaceId]));
    expect(new Set(power.hits.map((h) => h.kind))).toEqual(new Set(['item', 'figure']));
    const files = await db.asUser(a.users.viewer.claims, (sql) => searchEverything(sql, 'capacity letter', { kind: 'file' }));
    expect(files.hits.length).toBeGreaterThan(0);
    expect(files.hits.every((h) => h.kind === 'file')).toBe(true);
  });

  it('an outsider and an anonymous caller find nothing', async () => {
    const outsider = await db.asUser(a.users.outsider.claims, (sql) => searchEverything(sql, 'power curtailment'));
    expect(outsider.hits).toEqual([]);
    await expect(db.asAnon((sql) => sql.query(`select 1 from public.search_entries`))).rejects.toThrow(/permission denied/);
  });

  it('reads hostile queries as text, and refuses over-long ones clearly', async () => {
    for (const q of ['!!! & | ( ) <-> :* \'" ', '"unclosed', 'power & | !', '-', 'or or or', '\u0000power', "power'); drop table x; --"]) {
      const result = await db.asUser(a.users.viewer.claims, (sql) => searchEverything(sql, q));
      expect(Array.isArray(result.hits)).toBe(true);
    }
    await expect(db.asUser(a.users.viewer.claims, (sql) => searchEverything(sql, 'power '.repeat(2000)))).rejects.toBeInstanceOf(SearchQueryError);
    await expect(db.asUser(a.users.viewer.claims, (sql) => searchEverything(sql, 'power', { dealId: 'x' }))).rejects.toBeInstanceOf(SearchQueryError);
    await expect(db.asUser(a.users.viewer.claims, (sql) => searchEverything(sql, 'power '.repeat(2000)))).rejects.toMatchObject({ kind: 'invalid' });
  });
});

describe('comments in the index', () => {
  it('a comment is found, an edit re-indexed, a deletion removed', async () => {
    const thread = await db.asService(async (sql) => {
      const { rows } = await sql.query<{ id: string }>(
        `insert into public.comment_threads (workspace_id, checklist_id, item_id, created_by) values ($1, $2, 'item-a', $3) returning id`,
        [a.workspaceId, a.checklistId, a.users.editor.id],
      );
      return rows[0]!.id;
    });
    const comment = await db.asService(async (sql) => {
      const { rows } = await sql.query<{ id: string }>(
        `insert into public.comments (thread_id, workspace_id, checklist_id, author_id, body) values ($1, $2, $3, $4, 'Check the force majeure wording') returning id`,
        [thread, a.workspaceId, a.checklistId, a.users.editor.id],
      );
      return rows[0]!.id;
    });
    const find = (q: string) => db.asUser(a.users.viewer.claims, (sql) => searchEverything(sql, q, { kind: 'comment' }));
    expect((await find('force majeure')).hits.map((h) => h.kind)).toEqual(['comment']);
    await db.asService((sql) => sql.query(`update public.comments set body = 'Check the termination wording' where id = $1`, [comment]));
    expect((await find('force majeure')).hits).toEqual([]);
    expect((await find('termination')).hits).toHaveLength(1);
    await db.asService((sql) => sql.query(`update public.comments set deleted_at = now() where id = $1`, [comment]));
    expect((await find('termination')).hits).toEqual([]);
  });
});
