import { itemNotesText, itemsOf, readChecklist, readItem, readSections, type ItemView } from '@tieout/doc-model';
import * as Y from 'yjs';
import { jsonLiteral } from './database.ts';
import { DataAccessError } from './errors.ts';
import type { Sql } from './types.ts';

/*
 * One full-text index across deals (public.search_entries, tsvector + GIN, built-in Postgres full-text search, so it
 * works alike on PGlite, Postgres and Supabase). Entries are written as service_role by the collaboration server's
 * search extension (items, notes, figures, comments) and by the upload path (file names and extracted text);
 * people search as themselves, so RLS decides what they find.
 */

export type SearchEntryKind = 'item' | 'note' | 'comment' | 'figure' | 'file' | 'file_text';

/** Longest query accepted (characters); longer ones get a clear refusal, not a slow plan. */
export const SEARCH_QUERY_MAX_LENGTH = 500;
/** Matching entries ranked per search at most (public.search_entry_matches); more make the result `truncated`. */
export const SEARCH_RANKED_MAX = 1000;
/** Longest body kept per entry (file text is split into chunks below this). */
export const SEARCH_BODY_MAX_LENGTH = 20_000;
import { SEARCH_RESULT_KINDS, type SearchResultKind } from './search-markers.ts';
export { HIGHLIGHT_END, HIGHLIGHT_START, SEARCH_RESULT_KINDS, type SearchResultKind } from './search-markers.ts';

/** A search that cannot be run as given (too long, an unknown filter): always of kind `invalid`. */
export class SearchQueryError extends DataAccessError {
  override name = 'SearchQueryError';
}

export interface ChecklistSearchEntry {
  itemId: string;
  /** Entries read from the document (comments are indexed by a trigger on public.comments, files by the upload path). */
  kind: 'item' | 'note' | 'figure';
  sourceId: string;
  title: string;
  body: string;
}

// Control characters (except tab and newline) removed, so the highlight markers and the tsvector stay clean.
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
export const cleanIndexText = (text: string, max = SEARCH_BODY_MAX_LENGTH) => text.replace(controlCharacters, ' ').slice(0, max);

/** The entries a checklist document gives: per item its title and reference, its notes' text and its figure labels. */
export function checklistSearchEntries(doc: Y.Doc, onlyItems: ReadonlySet<string> | null = null): ChecklistSearchEntry[] {
  const entries: ChecklistSearchEntry[] = [];
  const add = (item: ItemView) => {
    const reference = item.reference;
    entries.push({ itemId: item.id, kind: 'item', sourceId: item.id, title: reference ? `${reference} ${item.title}` : item.title, body: '' });
    const notes = itemNotesText(doc, item.id).trim();
    if (notes) entries.push({ itemId: item.id, kind: 'note', sourceId: item.id, title: item.title, body: notes });
    for (const figure of item.figures) {
      entries.push({ itemId: item.id, kind: 'figure', sourceId: `${item.id}:${figure.id}`, title: figure.label, body: '' });
    }
  };
  if (!onlyItems) {
    for (const section of readChecklist(doc).sections) for (const item of section.items) add(item);
    return entries;
  }
  // Only the named items, read one by one (a run after an edit need not read the whole document, decision 175), with
  // readChecklist's rule: an item whose section is gone has no entries.
  const sections = new Set(readSections(doc).map((section) => section.id));
  const items = itemsOf(doc);
  for (const id of onlyItems) {
    const value: unknown = items.get(id);
    if (!(value instanceof Y.Map)) continue;
    const sectionId: unknown = value.get('sectionId');
    if (typeof sectionId === 'string' && sections.has(sectionId)) add(readItem(value as Parameters<typeof readItem>[0], id));
  }
  return entries;
}

/**
 * service_role: makes the checklist's item, note and figure entries exactly `entries` (file and comment entries are
 * left alone). Unchanged entries are not rewritten, so an edit to one item touches one row. One inlined statement
 * (searchEntriesStatement), so the collaboration server can send it in a shared script (decision 178).
 */
export async function replaceChecklistSearchEntries(
  sql: Sql,
  target: { checklistId: string; workspaceId: string; dealId: string },
  entries: readonly ChecklistSearchEntry[],
  /** Only these items' entries are replaced (the others are left as they are); null: the whole checklist. */
  onlyItems: ReadonlySet<string> | null = null,
): Promise<void> {
  await sql.query(searchEntriesStatement(target, entries, onlyItems));
}

/** The statement of replaceChecklistSearchEntries, every value inlined (for `scriptAsService`). */
export function searchEntriesStatement(
  target: { checklistId: string; workspaceId: string; dealId: string },
  entries: readonly ChecklistSearchEntry[],
  onlyItems: ReadonlySet<string> | null = null,
): string {
  for (const id of [target.checklistId, target.workspaceId, target.dealId]) {
    if (!uuidPattern.test(id)) throw new Error(`Not an id: ${JSON.stringify(id)}`);
  }
  const scoped = onlyItems ? entries.filter((e) => onlyItems.has(e.itemId)) : entries;
  const payload = jsonLiteral(
    scoped.map((e) => ({
      item_id: e.itemId,
      kind: e.kind,
      source_id: e.sourceId,
      title: cleanIndexText(e.title, 2000),
      body: cleanIndexText(e.body),
    })),
  );
  const checklist = `'${target.checklistId}'::uuid`;
  const scope = onlyItems ? `e.item_id in (select jsonb_array_elements_text(${jsonLiteral([...onlyItems])}))` : 'true';
  return `with input as (
       select * from jsonb_to_recordset(${payload}) as x(item_id text, kind text, source_id text, title text, body text)
     ), gone as (
       delete from public.search_entries e
       where e.checklist_id = ${checklist} and e.kind in ('item', 'note', 'figure')
         and ${scope}
         and not exists (select 1 from input i where i.kind = e.kind and i.source_id = e.source_id)
     )
     insert into public.search_entries (workspace_id, deal_id, checklist_id, item_id, kind, source_id, title, body)
     select '${target.workspaceId}'::uuid, '${target.dealId}'::uuid, ${checklist}, i.item_id, i.kind, i.source_id, i.title, i.body from input i
     on conflict (checklist_id, kind, source_id) do update
       set item_id = excluded.item_id, title = excluded.title, body = excluded.body, updated_at = now()
       where search_entries.title is distinct from excluded.title or search_entries.body is distinct from excluded.body
         or search_entries.item_id is distinct from excluded.item_id`;
}

/** service_role: the entry for a file's name (one per file version). */
export async function indexFileName(
  sql: Sql,
  file: { id: string; workspaceId: string; dealId: string; checklistId: string; itemId: string; name: string },
): Promise<void> {
  // The name is also split at dots, dashes and underscores so "Lease_Schedule-2026.xlsx" finds "lease schedule".
  const words = file.name.replace(/[._-]+/g, ' ');
  await sql.query(
    `insert into public.search_entries (workspace_id, deal_id, checklist_id, item_id, kind, source_id, file_id, title, body)
     values ($1, $2, $3, $4, 'file', $5::text, $5::uuid, $6, $7)
     on conflict (checklist_id, kind, source_id) do update set title = excluded.title, body = excluded.body, updated_at = now()`,
    [file.workspaceId, file.dealId, file.checklistId, file.itemId, file.id, cleanIndexText(file.name, 2000), cleanIndexText(words)],
  );
}

export interface FileTextChunk {
  /** 1-based PDF page, or null. */
  page: number | null;
  text: string;
}

/** service_role: replaces the extracted-text entries of a file version. */
export async function indexFileText(
  sql: Sql,
  file: { id: string; workspaceId: string; dealId: string; checklistId: string; itemId: string; name: string },
  chunks: readonly FileTextChunk[],
): Promise<void> {
  await sql.query(`delete from public.search_entries where file_id = $1 and kind = 'file_text'`, [file.id]);
  const rows = chunks
    .map((chunk, index) => ({ source_id: `${file.id}:${index}`, page: chunk.page, body: cleanIndexText(chunk.text) }))
    .filter((row) => row.body.trim() !== '');
  if (!rows.length) return;
  await sql.query(
    `insert into public.search_entries (workspace_id, deal_id, checklist_id, item_id, kind, source_id, file_id, page, title, body)
     select $1, $2, $3, $4, 'file_text', x.source_id, $5::uuid, x.page, $6, x.body
     from jsonb_to_recordset($7::jsonb) as x(source_id text, page integer, body text)`,
    [file.workspaceId, file.dealId, file.checklistId, file.itemId, file.id, cleanIndexText(file.name, 2000), JSON.stringify(rows)],
  );
}

/** service_role: removed files leave the index. */
export async function unindexFiles(sql: Sql, fileIds: readonly string[]): Promise<void> {
  if (!fileIds.length) return;
  await sql.query(`delete from public.search_entries where file_id = any($1::uuid[])`, [fileIds]);
}

export interface SearchFilters {
  dealId?: string | null;
  workstreamId?: string | null;
  status?: string | null;
  ownerId?: string | null;
  kind?: SearchResultKind | null;
}

export interface SearchHit {
  kind: SearchResultKind;
  workspaceId: string;
  dealId: string;
  dealName: string;
  workstreamId: string;
  workstreamName: string;
  checklistId: string;
  checklistTitle: string;
  itemId: string;
  itemTitle: string;
  status: string;
  ownerId: string | null;
  fileId: string | null;
  page: number | null;
  /** What matched: item title, figure label, file name, comment author line… */
  title: string;
  /** Text around the match; highlighted words between HIGHLIGHT_START and HIGHLIGHT_END. */
  snippet: string;
}

export interface SearchResult {
  query: string;
  hits: SearchHit[];
  /** More hits exist than were returned. */
  truncated: boolean;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Searches every deal the signed-in user can see (run it in `asUser`: RLS on search_entries and the joined
 * tables decides). The query is read as a web search (words, "quoted phrases", -excluded, or), so operators in
 * it are text, never syntax: it cannot fail to parse.
 */
export async function searchEverything(sql: Sql, rawQuery: string, filters: SearchFilters = {}, limit = 30): Promise<SearchResult> {
  const query = rawQuery.replace(controlCharacters, ' ').trim();
  if (query.length > SEARCH_QUERY_MAX_LENGTH) {
    throw new SearchQueryError('invalid', `A search can be at most ${SEARCH_QUERY_MAX_LENGTH} characters (this one has ${query.length})`);
  }
  if (!query) return { query, hits: [], truncated: false };
  for (const [name, value] of [
    ['deal', filters.dealId],
    ['workstream', filters.workstreamId],
    ['owner', filters.ownerId],
  ] as const) {
    if (value && !uuidPattern.test(value)) throw new SearchQueryError('invalid', `Unknown ${name} filter`);
  }
  if (filters.kind && !SEARCH_RESULT_KINDS.includes(filters.kind)) throw new SearchQueryError('invalid', 'Unknown kind of result');
  const kinds = filters.kind === 'file' ? ['file', 'file_text'] : filters.kind ? [filters.kind] : null;
  // 1. Matches found and ranked with the index, in the caller's workspaces (public.search_entry_matches, decision 162).
  const matches = await sql.query<{ entry_id: string | number; rank: number; candidates: string | number }>(
    `select m.entry_id, m.rank, m.candidates
     from public.search_entry_matches(websearch_to_tsquery('english', $1), $2::uuid, $3::text[], $4::uuid, $5::text, $6::uuid, $7) m`,
    [query, filters.dealId || null, kinds, filters.workstreamId || null, filters.status || null, filters.ownerId || null, limit + 1],
  );
  if (!matches.rows.length) return { query, hits: [], truncated: false };
  const order = new Map(matches.rows.map((row, index) => [Number(row.entry_id), index]));
  // 2. Those rows read under RLS like any other (by primary key), with a snippet made for them only.
  const { rows: unordered } = await sql.query<{
    id: string | number;
    kind: SearchEntryKind;
    workspace_id: string;
    deal_id: string;
    deal_name: string;
    workstream_id: string;
    workstream_name: string;
    checklist_id: string;
    checklist_title: string;
    item_id: string;
    item_title: string;
    status: string;
    owner_id: string | null;
    file_id: string | null;
    page: number | null;
    title: string;
    snippet: string;
  }>(
    `with q as (select websearch_to_tsquery('english', $2) as query)
     select e.id, e.kind, e.workspace_id, e.deal_id, d.name as deal_name, c.workstream_id, w.name as workstream_name,
            e.checklist_id, c.title as checklist_title, e.item_id, i.title as item_title, i.status, i.owner_id, e.file_id, e.page, e.title,
            ts_headline('english', case when e.body = '' then e.title else e.body end, q.query,
              'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "') as snippet
     from public.search_entries e
     join public.checklists c on c.id = e.checklist_id
     join public.checklist_items i on i.checklist_id = e.checklist_id and i.item_id = e.item_id
     join public.deals d on d.id = e.deal_id
     join public.workstreams w on w.id = c.workstream_id
     cross join q
     where e.id = any($1::bigint[])`,
    [[...order.keys()], query],
  );
  const rows = unordered.sort((a, b) => order.get(Number(a.id))! - order.get(Number(b.id))!);
  const candidates = Number(matches.rows[0]?.candidates ?? 0);
  const hits = rows.slice(0, limit).map((row) => ({
    kind: (row.kind === 'file_text' ? 'file' : row.kind) as SearchResultKind,
    workspaceId: row.workspace_id,
    dealId: row.deal_id,
    dealName: row.deal_name,
    workstreamId: row.workstream_id,
    workstreamName: row.workstream_name,
    checklistId: row.checklist_id,
    checklistTitle: row.checklist_title,
    itemId: row.item_id,
    itemTitle: row.item_title,
    status: row.status,
    ownerId: row.owner_id,
    fileId: row.file_id,
    page: row.page === null ? null : Number(row.page),
    title: row.title,
    snippet: row.snippet,
  }));
  return { query, hits, truncated: matches.rows.length > limit || candidates >= SEARCH_RANKED_MAX };
}

export interface SearchFacets {
  deals: { id: string; name: string }[];
  workstreams: { id: string; dealId: string; name: string }[];
  people: { id: string; name: string }[];
}

/** The choices of the search filters: deals, workstreams and people of the caller's workspaces (run in asUser). */
export async function searchFacets(sql: Sql): Promise<SearchFacets> {
  const deals = await sql.query<{ id: string; name: string }>(`select id, name from public.deals order by name, id`);
  const workstreams = await sql.query<{ id: string; deal_id: string; name: string }>(
    `select id, deal_id, name from public.workstreams order by name, id`,
  );
  const people = await sql.query<{ id: string; display_name: string }>(
    `select distinct p.id, p.display_name from public.profiles p
     join public.workspace_members m on m.user_id = p.id
     where m.workspace_id in (select workspace_id from public.workspace_members where user_id = auth.uid())
     order by p.display_name, p.id`,
  );
  return {
    deals: deals.rows,
    workstreams: workstreams.rows.map((w) => ({ id: w.id, dealId: w.deal_id, name: w.name })),
    people: people.rows.map((p) => ({ id: p.id, name: p.display_name })),
  };
}
