/*
 * Search across every deal the signed-in person can see (Postgres full-text search, run as them: RLS decides).
 * Results are grouped by deal and checklist, with the matching words marked; a result opens its item (and, for a
 * file's text, the file's preview at the page of the match). Accessible names: search "Search all deals" (header),
 * form "Search filters" with comboboxes "Deal", "Workstream", "Status", "Owner", "Kind of result"; region
 * "Search results" with one list per checklist, named "<deal> · <checklist>".
 */
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Form, Link, useLoaderData, useSubmit } from '@remix-run/react';
import { ITEM_STATUSES, STATUS_LABELS } from '@tieout/doc-model';
import { searchEverything, searchFacets, type SearchHit } from '@tieout/db';
import { SEARCH_RESULT_KINDS, type SearchResultKind } from '@tieout/db/search-markers';
import { Highlighted } from '~/components/highlight.tsx';
import { requireUser } from '~/utils/auth.server.ts';
import { attempt } from '~/models/tenancy.server.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData?.query ? `“${loaderData.query.slice(0, 60)}” · Search · Tieout` : 'Search · Tieout' },
];

const KIND_LABELS: Record<SearchResultKind, string> = {
  item: 'Item',
  note: 'Notes',
  comment: 'Comment',
  figure: 'Figure',
  file: 'File',
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const params = new URL(request.url).searchParams;
  const query = params.get('q') ?? '';
  const filters = {
    dealId: params.get('deal') || null,
    workstreamId: params.get('workstream') || null,
    status: params.get('status') || null,
    ownerId: params.get('owner') || null,
    kind: (params.get('kind') || null) as SearchResultKind | null,
  };
  const headers = { ...Object.fromEntries(session.headers), 'Cache-Control': 'private, no-store' };
  const { facets, result, error } = await context.db.asUser(session.claims, async (sql) => {
    const facets = await searchFacets(sql);
    const searched = await attempt(() => searchEverything(sql, query, filters));
    return searched.ok ? { facets, result: searched.value, error: null } : { facets, result: null, error: searched.message };
  });
  return data(
    { query, filters, facets, hits: result?.hits ?? [], truncated: result?.truncated ?? false, error },
    { status: error ? 400 : 200, headers },
  );
}

interface Group {
  key: string;
  dealName: string;
  checklistTitle: string;
  workstreamName: string;
  hits: SearchHit[];
}

function groupHits(hits: SearchHit[]): Group[] {
  const groups = new Map<string, Group>();
  for (const hit of hits) {
    const key = `${hit.dealId}/${hit.checklistId}`;
    let group = groups.get(key);
    if (!group) {
      group = { key, dealName: hit.dealName, checklistTitle: hit.checklistTitle, workstreamName: hit.workstreamName, hits: [] };
      groups.set(key, group);
    }
    group.hits.push(hit);
  }
  // Deals in the order of their best hit, and checklists of a deal together.
  const byDeal = new Map<string, Group[]>();
  for (const group of groups.values()) {
    const list = byDeal.get(group.dealName) ?? [];
    list.push(group);
    byDeal.set(group.dealName, list);
  }
  return [...byDeal.values()].flat();
}

function hitLink(hit: SearchHit): string {
  const params = new URLSearchParams({ item: hit.itemId });
  if (hit.fileId) params.set('file', hit.fileId);
  if (hit.page) params.set('page', String(hit.page));
  return `/checklists/${hit.checklistId}?${params}`;
}

const selectClass = 'rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900';

export default function SearchPage() {
  const { query, filters, facets, hits, truncated, error } = useLoaderData<typeof loader>();
  const submit = useSubmit();
  const groups = groupHits(hits);
  const workstreams = facets.workstreams.filter((w) => !filters.dealId || w.dealId === filters.dealId);
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold tracking-tight">Search</h1>
      <Form
        method="get"
        aria-label="Search filters"
        className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
        onChange={(event) => submit(event.currentTarget, { replace: true })}
      >
        <label className="flex min-w-[14rem] flex-1 flex-col text-xs text-slate-500">
          Words
          <input
            type="search"
            name="q"
            defaultValue={query}
            key={query}
            maxLength={500}
            aria-label="Search words"
            className="mt-0.5 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100"
          />
        </label>
        <label className="flex flex-col text-xs text-slate-500">
          Deal
          <select name="deal" defaultValue={filters.dealId ?? ''} aria-label="Deal" className={selectClass}>
            <option value="">All deals</option>
            {facets.deals.map((deal) => (
              <option key={deal.id} value={deal.id}>
                {deal.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-xs text-slate-500">
          Workstream
          <select name="workstream" defaultValue={filters.workstreamId ?? ''} aria-label="Workstream" className={selectClass}>
            <option value="">All workstreams</option>
            {workstreams.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
                {filters.dealId ? '' : ` (${facets.deals.find((d) => d.id === w.dealId)?.name ?? ''})`}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-xs text-slate-500">
          Status
          <select name="status" defaultValue={filters.status ?? ''} aria-label="Status" className={selectClass}>
            <option value="">Any status</option>
            {ITEM_STATUSES.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-xs text-slate-500">
          Owner
          <select name="owner" defaultValue={filters.ownerId ?? ''} aria-label="Owner" className={selectClass}>
            <option value="">Anyone</option>
            {facets.people.map((person) => (
              <option key={person.id} value={person.id}>
                {person.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-xs text-slate-500">
          Kind
          <select name="kind" defaultValue={filters.kind ?? ''} aria-label="Kind of result" className={selectClass}>
            <option value="">Everything</option>
            {SEARCH_RESULT_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {KIND_LABELS[kind]}s
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700">
          Search
        </button>
      </Form>

      {error ? (
        <p
          role="alert"
          className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
        >
          {error}
        </p>
      ) : null}

      <section aria-label="Search results" className="space-y-4">
        {!query.trim() ? (
          <p className="text-sm text-slate-500">
            Type words to find items, notes, comments, figures and the text inside files, across every deal you are in.
          </p>
        ) : !error && hits.length === 0 ? (
          <p role="status" className="text-sm text-slate-600 dark:text-slate-300">
            Nothing matches “{query}”{Object.values(filters).some(Boolean) ? ' with these filters' : ''}.
          </p>
        ) : !error ? (
          <p role="status" className="text-sm text-slate-600 dark:text-slate-300">
            {truncated
              ? `The best ${hits.length} of many results for “${query}”: add words or filters to narrow them down`
              : `${hits.length} ${hits.length === 1 ? 'result' : 'results'} for “${query}”`}
          </p>
        ) : null}
        {groups.map((group) => (
          <div key={group.key} className="rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <h2 className="border-b border-slate-100 px-4 py-2 text-sm dark:border-slate-800">
              <span className="font-semibold">{group.dealName}</span>
              <span className="text-slate-400"> · </span>
              {group.checklistTitle}
              <span className="ml-2 text-xs text-slate-500">{group.workstreamName}</span>
            </h2>
            <ul aria-label={`${group.dealName} · ${group.checklistTitle}`} className="divide-y divide-slate-100 dark:divide-slate-800">
              {group.hits.map((hit, index) => (
                <li key={`${hit.kind}-${hit.itemId}-${hit.fileId ?? ''}-${index}`}>
                  <Link to={hitLink(hit)} className="block px-4 py-2 hover:bg-slate-50 dark:hover:bg-slate-800/60">
                    <span className="flex flex-wrap items-baseline gap-2">
                      <span className="rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium uppercase tracking-wide text-slate-600 dark:bg-slate-800 dark:text-slate-300">
                        {KIND_LABELS[hit.kind]}
                      </span>
                      <span className="font-medium">{hit.itemTitle}</span>
                      {hit.kind === 'file' ? (
                        <span className="text-xs text-slate-500">
                          {hit.title}
                          {hit.page ? `, page ${hit.page}` : ''}
                        </span>
                      ) : hit.kind === 'figure' || hit.kind === 'comment' ? (
                        <span className="text-xs text-slate-500">{hit.title}</span>
                      ) : null}
                      <span className="ml-auto text-xs text-slate-500">{STATUS_LABELS[hit.status as keyof typeof STATUS_LABELS] ?? hit.status}</span>
                    </span>
                    <span className="mt-0.5 block text-sm text-slate-600 dark:text-slate-300">
                      <Highlighted text={hit.snippet} />
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </section>
    </div>
  );
}
