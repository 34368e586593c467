import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams, useSubmit } from '@remix-run/react';
import { listItems, parseItemFilter, parseItemSort } from '@tieout/db';
import {
  DEFAULT_ITEM_SORT,
  FIGURE_KINDS,
  ITEM_FILTER_KEYS,
  ITEM_STATUSES,
  RISK_KEYS,
  STATUS_LABELS,
  type ItemFilter,
  type ItemSort,
} from '@tieout/doc-model';
import { RISK_LABELS } from '~/components/dashboard.tsx';
import { fieldClass } from '~/components/form.tsx';
import { readOrRefuse, requestToday } from '~/models/dashboard.server.ts';
import { requireUser } from '~/utils/auth.server.ts';
import { formatFigure } from '~/utils/format.ts';
import { useLiveRevalidation } from '~/utils/live.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `Items · ${loaderData.list.scope.workspace.name} · Tieout` : 'Items · Tieout' },
];

const PAGE_SIZE = 200;

/**
 * Every item of a workspace (or of one deal, with ?deal=), across checklists, with the filters and the order
 * (?sort=due, -due, ref, -ref) in the URL so a view can be shared. A filter or sort value that does not exist is a
 * 400 that says which; a workspace the caller is not a member of is a 404.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const url = new URL(request.url);
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const list = await readOrRefuse(async () => {
    const filter = parseItemFilter(url.searchParams);
    const sort = parseItemSort(url.searchParams);
    return listItems(context.db, session.claims, { kind: 'workspace', workspaceId: params.workspaceId ?? '' }, filter, requestToday(), {
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
      sort,
    });
  }, session.headers);
  return data({ list, page, today: requestToday() }, { headers: session.headers });
}

const STATUS_OPTIONS = [...ITEM_STATUSES, 'open'] as const;
const label = 'block text-xs font-medium text-slate-600 dark:text-slate-400';

export default function ItemsPage() {
  const { list, page, today } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const submit = useSubmit();
  const workspaceId = list.scope.workspace.id;
  useLiveRevalidation((event) => (event.topic === 'items' || event.topic === 'approvals') && event.workspaceId === workspaceId);
  const filter: ItemFilter = list.filter;
  const workstreams = list.scope.workstreams.filter((workstream) => !filter.deal || workstream.dealId === filter.deal);
  const pages = Math.max(1, Math.ceil(list.total / list.limit));
  const pageHref = (to: number) => {
    const next = new URLSearchParams(params);
    next.set('page', String(to));
    return `?${next}`;
  };
  const active = ITEM_FILTER_KEYS.filter((key) => filter[key]);
  // A column header sorts by its column; pressed again, the other way. The filters stay, the page starts over.
  const sortHref = (column: 'due' | 'ref') => {
    const next = new URLSearchParams(params);
    next.delete('page');
    const to: ItemSort = list.sort === column ? `-${column}` : column;
    if (to === DEFAULT_ITEM_SORT) next.delete('sort');
    else next.set('sort', to);
    return `?${next}`;
  };
  const ariaSort = (column: 'due' | 'ref') => (list.sort === column ? 'ascending' : list.sort === `-${column}` ? 'descending' : undefined);
  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="flex gap-2 text-sm text-slate-500">
        <Link to={`/workspaces/${workspaceId}/dashboard`} className="hover:underline">
          {list.scope.workspace.name}
        </Link>
        {filter.deal ? (
          <>
            <span aria-hidden="true">/</span>
            <Link to={`/deals/${filter.deal}/dashboard`} className="hover:underline">
              {list.scope.deals.find((deal) => deal.id === filter.deal)?.name}
            </Link>
          </>
        ) : null}
      </nav>
      <h1 className="text-2xl font-semibold tracking-tight">Items</h1>
      <Form
        method="get"
        className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-4 lg:grid-cols-8 dark:border-slate-800 dark:bg-slate-900"
        onChange={(event) => submit(event.currentTarget, { replace: true })}
        aria-label="Filters"
      >
        <Select name="deal" label="Deal" value={filter.deal} options={list.scope.deals.map((deal) => [deal.id, deal.name])} />
        <Select
          name="workstream"
          label="Workstream"
          value={filter.workstream}
          options={workstreams.map((workstream) => [workstream.id, workstream.name])}
        />
        <Select
          name="owner"
          label="Owner"
          value={filter.owner}
          options={[['unassigned', 'Unassigned'], ...list.scope.members.map((member) => [member.id, member.name] as [string, string])]}
        />
        <Select name="risk" label="Risk" value={filter.risk} options={RISK_KEYS.map((risk) => [risk, RISK_LABELS[risk]])} />
        <Select
          name="status"
          label="Status"
          value={filter.status}
          options={STATUS_OPTIONS.map((status) => [status, status === 'open' ? 'Open (not done)' : STATUS_LABELS[status]])}
        />
        <Select
          name="due"
          label="Due"
          value={filter.due}
          options={[
            ['overdue', 'Overdue'],
            ['this-week', 'This week'],
            ['none', 'No due date'],
          ]}
        />
        <div>
          <label className={label} htmlFor="dueFrom">
            Due from
          </label>
          <input id="dueFrom" type="date" name="dueFrom" defaultValue={filter.dueFrom ?? ''} className={`${fieldClass} w-full py-1`} />
        </div>
        <div>
          <label className={label} htmlFor="dueTo">
            Due to
          </label>
          <input id="dueTo" type="date" name="dueTo" defaultValue={filter.dueTo ?? ''} className={`${fieldClass} w-full py-1`} />
        </div>
        <Select
          name="verified"
          label="Verified"
          value={filter.verified}
          options={[
            ['yes', 'Approved'],
            ['no', 'Not approved'],
          ]}
        />
        {filter.checklist ? <input type="hidden" name="checklist" value={filter.checklist} /> : null}
        {list.sort !== DEFAULT_ITEM_SORT ? <input type="hidden" name="sort" value={list.sort} /> : null}
        <noscript>
          <button type="submit">Apply</button>
        </noscript>
      </Form>
      <div className="flex flex-wrap items-center justify-between gap-3 text-sm">
        <p aria-live="polite" data-testid="item-count">
          <strong className="tabular-nums">{list.total}</strong> {list.total === 1 ? 'item' : 'items'}
          {active.length ? ' match the filters' : ''}
          {list.total > list.limit ? ` · page ${page} of ${pages}` : ''}
        </p>
        {active.length ? (
          <Link to={`/workspaces/${workspaceId}/items`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
            Clear filters
          </Link>
        ) : null}
      </div>
      {list.items.length === 0 ? (
        <p className="text-slate-600 dark:text-slate-400">No items match.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <table className="w-full min-w-[60rem] text-sm" aria-label="Items">
            <thead>
              <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800">
                <th className="px-3 py-2 font-medium" aria-sort={ariaSort('ref')}>
                  <SortLink to={sortHref('ref')} label="Ref" sorted={ariaSort('ref')} />
                </th>
                <th className="px-3 py-2 font-medium">Item</th>
                <th className="px-3 py-2 font-medium">Deal / checklist</th>
                <th className="px-3 py-2 font-medium">Status</th>
                <th className="px-3 py-2 font-medium">Owner</th>
                <th className="px-3 py-2 font-medium" aria-sort={ariaSort('due')}>
                  <SortLink to={sortHref('due')} label="Due" sorted={ariaSort('due')} />
                </th>
                <th className="px-3 py-2 font-medium">Risk</th>
                <th className="px-3 py-2 font-medium">Figures</th>
                <th className="px-3 py-2 font-medium">Review</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((item) => (
                <tr
                  key={`${item.checklistId}/${item.itemId}`}
                  className="border-b border-slate-100 align-top dark:border-slate-800/60"
                  data-testid="item-row"
                >
                  <td className="whitespace-nowrap px-3 py-2 tabular-nums text-slate-600 dark:text-slate-400" data-testid="item-ref">
                    {item.reference ?? ''}
                  </td>
                  <td className="px-3 py-2">
                    <Link
                      to={`/checklists/${item.checklistId}#item-${item.itemId}`}
                      className="font-medium text-sky-700 hover:underline dark:text-sky-400"
                    >
                      {item.title}
                    </Link>
                    {item.sectionTitle ? <div className="text-xs text-slate-500">{item.sectionTitle}</div> : null}
                  </td>
                  <td className="px-3 py-2 text-xs text-slate-600 dark:text-slate-400">
                    {item.dealName}
                    <div>
                      {item.workstreamName} · {item.checklistTitle}
                    </div>
                  </td>
                  <td className="px-3 py-2">{STATUS_LABELS[item.status]}</td>
                  <td className="px-3 py-2">{item.ownerName ?? <span className="text-slate-400">Unassigned</span>}</td>
                  <td
                    className={`px-3 py-2 tabular-nums ${item.status !== 'done' && item.dueDate && item.dueDate < today ? 'font-medium text-amber-700 dark:text-amber-400' : ''}`}
                  >
                    {item.dueDate ?? '—'}
                    {item.status !== 'done' && item.dueDate && item.dueDate < today ? <span className="block text-xs">overdue</span> : null}
                  </td>
                  <td className="px-3 py-2">{item.risk ? RISK_LABELS[item.risk] : '—'}</td>
                  <td className="px-3 py-2 text-xs">
                    {item.figures
                      .filter((figure) => figure.value !== null)
                      .map((figure) => (
                        <div
                          key={figure.id}
                          className={item.figureIssues[figure.id] ? 'text-amber-700 dark:text-amber-400' : ''}
                          title={item.figureIssues[figure.id]}
                        >
                          {figure.label}: {formatFigure(figure.kind, FIGURE_KINDS[figure.kind].unit, figure.value)}
                          {item.figureIssues[figure.id] ? ' (not counted)' : ''}
                        </div>
                      ))}
                  </td>
                  <td className="px-3 py-2 text-xs">{REVIEW_LABELS[item.review.state] ?? item.review.state}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 ? (
        <nav aria-label="Pages" className="flex gap-4 text-sm">
          {page > 1 ? <Link to={pageHref(page - 1)}>Previous</Link> : null}
          {page < pages ? <Link to={pageHref(page + 1)}>Next</Link> : null}
        </nav>
      ) : null}
    </div>
  );
}

const REVIEW_LABELS: Record<string, string> = {
  approved: 'Approved',
  changed_since_approval: 'Changed since approval',
  sent_back: 'Sent back',
  none: 'Not reviewed',
};

function SortLink({ to, label: text, sorted }: { to: string; label: string; sorted: 'ascending' | 'descending' | undefined }) {
  return (
    <Link
      to={to}
      replace
      className="inline-flex items-center gap-1 uppercase hover:text-slate-800 dark:hover:text-slate-200"
      title={`Sort by ${text.toLowerCase()}`}
    >
      {text}
      <span aria-hidden="true">{sorted === 'ascending' ? '▲' : sorted === 'descending' ? '▼' : ''}</span>
    </Link>
  );
}

function Select({ name, label: text, value, options }: { name: string; label: string; value: string | undefined; options: [string, string][] }) {
  return (
    <div>
      <label className={label} htmlFor={`filter-${name}`}>
        {text}
      </label>
      <select id={`filter-${name}`} name={name} defaultValue={value ?? ''} key={value ?? ''} className={`${fieldClass} w-full py-1`}>
        <option value="">Any</option>
        {options.map(([option, optionLabel]) => (
          <option key={option} value={option}>
            {optionLabel}
          </option>
        ))}
      </select>
    </div>
  );
}
