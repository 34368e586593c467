import { Link } from '@remix-run/react';
import { ITEM_STATUSES, STATUS_LABELS, percentDone, type FigureRollup, type ItemStatus, type RiskKey, type RollupPart } from '@tieout/doc-model';
import type { Dashboard, DealExposure, StatusCounts } from '@tieout/db';
import { lazy, Suspense, useEffect, useState } from 'react';
import { formatFigure } from '~/utils/format.ts';

/*
 * The managers' dashboard (issue 14), for a workspace or a deal. Every number links to the items it counts, in the
 * one cross-checklist item list (/workspaces/:id/items with the filters in the URL).
 */

export type ItemQuery = Partial<
  Record<'deal' | 'workstream' | 'checklist' | 'owner' | 'risk' | 'status' | 'due' | 'dueFrom' | 'dueTo' | 'verified', string>
>;

export function itemsHref(workspaceId: string, query: ItemQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const search = params.toString();
  return `/workspaces/${workspaceId}/items${search ? `?${search}` : ''}`;
}

export const RISK_LABELS: Record<RiskKey, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', none: 'No risk set' };
const RISK_COLUMNS: RiskKey[] = ['critical', 'high', 'medium', 'low', 'none'];

const STATUS_TONES: Record<ItemStatus, string> = {
  not_started: 'bg-slate-300 dark:bg-slate-600',
  in_progress: 'bg-sky-500',
  needs_review: 'bg-violet-500',
  blocked: 'bg-red-500',
  done: 'bg-emerald-500',
};

const card = 'rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900';
const link = 'font-medium text-sky-700 hover:underline dark:text-sky-400';

export function DashboardView({ dashboard }: { dashboard: Dashboard }) {
  const { scope } = dashboard;
  const base: ItemQuery = scope.deal ? { deal: scope.deal.id } : {};
  const href = (query: ItemQuery) => itemsHref(scope.workspace.id, { ...base, ...query });
  return (
    <div className="space-y-8">
      <Summary dashboard={dashboard} href={href} />
      <section aria-labelledby="progress-heading" className={card}>
        <h2 id="progress-heading" className="mb-4 font-semibold">
          Progress by workstream and checklist
        </h2>
        <ProgressTable dashboard={dashboard} href={href} />
      </section>
      <div className="grid gap-6 lg:grid-cols-2">
        <section aria-labelledby="heatmap-heading" className={card}>
          <h2 id="heatmap-heading" className="font-semibold">
            Risk heatmap
          </h2>
          <p className="mb-3 text-xs text-slate-500">Open items (not done) by workstream and risk level.</p>
          <Heatmap dashboard={dashboard} href={href} />
        </section>
        <section aria-labelledby="workload-heading" className={card}>
          <h2 id="workload-heading" className="font-semibold">
            Workload per person
          </h2>
          <p className="mb-3 text-xs text-slate-500">Open items, overdue and blocked, by owner.</p>
          <Workload dashboard={dashboard} href={href} />
        </section>
      </div>
      {dashboard.scope.deal ? (
        <section aria-labelledby="trend-heading" className={card}>
          <h2 id="trend-heading" className="font-semibold">
            Progress over time
          </h2>
          <p className="mb-3 text-xs text-slate-500">
            Items done and open per day,{' '}
            {dashboard.historySource === 'audit_trail' ? 'replayed from the audit trail' : "from the projection's day-by-day record"}
            {scope.deal?.targetSigningDate ? `; the dashed line is the target signing date (${scope.deal.targetSigningDate})` : ''}.
          </p>
          <TrendChart points={dashboard.history} targetDate={scope.deal?.targetSigningDate ?? null} today={dashboard.today} />
        </section>
      ) : null}
      <section aria-labelledby="exposure-heading" className="space-y-4">
        <h2 id="exposure-heading" className="text-lg font-semibold">
          Exposure from typed figures
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Verified figures come from items a reviewer approved as they are now; unverified ones from all other items. Sums add MW and dollars of the
          same label only.
        </p>
        {dashboard.exposure.map((deal) => (
          <ExposureTable
            key={deal.dealId}
            exposure={deal}
            showName={!scope.deal}
            href={(query) => itemsHref(scope.workspace.id, { deal: deal.dealId, ...query })}
          />
        ))}
      </section>
      <section aria-labelledby="figures-heading" className={card}>
        <h2 id="figures-heading" className="mb-3 font-semibold">
          All figures
        </h2>
        <RollupTable rollups={dashboard.figures} />
      </section>
    </div>
  );
}

function Stat({ label, value, to, tone, detail }: { label: string; value: number | string; to: string; tone: string; detail?: string }) {
  return (
    <Link
      to={to}
      className={`${card} block transition hover:border-sky-300 hover:shadow dark:hover:border-sky-700`}
      aria-label={`${value} ${label}: show the items`}
    >
      <div className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</div>
      <div className={`mt-1 text-3xl font-semibold tabular-nums ${tone}`} data-testid={`stat-${label.toLowerCase().replace(/\s+/g, '-')}`}>
        {value}
      </div>
      {detail ? <div className="mt-1 text-xs text-slate-500">{detail}</div> : null}
    </Link>
  );
}

function Summary({ dashboard, href }: { dashboard: Dashboard; href: (query: ItemQuery) => string }) {
  const { counts } = dashboard;
  return (
    <div className="grid gap-4 sm:grid-cols-3 lg:grid-cols-6" aria-label="Summary">
      <Stat
        label="Done"
        value={`${percentDone(counts)}%`}
        to={href({ status: 'done' })}
        tone="text-emerald-700 dark:text-emerald-400"
        detail={`${counts.done} of ${counts.total} items`}
      />
      <Stat label="Open" value={counts.total - counts.done} to={href({ status: 'open' })} tone="" />
      <Stat
        label="Overdue"
        value={dashboard.overdue}
        to={href({ due: 'overdue' })}
        tone="text-amber-700 dark:text-amber-400"
        detail={`due before ${dashboard.today}`}
      />
      <Stat
        label="Due this week"
        value={dashboard.dueThisWeek}
        to={href({ due: 'this-week' })}
        tone=""
        detail={`${dashboard.today} – ${dashboard.weekEnd}`}
      />
      <Stat label="Blocked" value={dashboard.blocked} to={href({ status: 'blocked' })} tone="text-red-700 dark:text-red-400" />
      <Stat
        label="Waiting for review"
        value={dashboard.waitingForReview}
        to={href({ status: 'needs_review' })}
        tone="text-violet-700 dark:text-violet-400"
      />
    </div>
  );
}

function StatusBar({ counts, label }: { counts: StatusCounts; label: string }) {
  return (
    <div
      className="flex h-2.5 w-full min-w-24 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800"
      role="img"
      aria-label={`${label}: ${statusText(counts)}`}
    >
      {ITEM_STATUSES.map((status) =>
        counts[status] > 0 ? (
          <div key={status} className={STATUS_TONES[status]} style={{ width: `${(counts[status] / Math.max(counts.total, 1)) * 100}%` }} />
        ) : null,
      )}
    </div>
  );
}

const statusText = (counts: StatusCounts) =>
  ITEM_STATUSES.filter((status) => counts[status] > 0)
    .map((status) => `${counts[status]} ${STATUS_LABELS[status].toLowerCase()}`)
    .join(', ') || 'no items';

function StatusCells({ counts, query, href }: { counts: StatusCounts; query: ItemQuery; href: (query: ItemQuery) => string }) {
  return (
    <>
      {ITEM_STATUSES.map((status) => (
        <td key={status} className="px-2 py-1.5 text-right tabular-nums">
          {counts[status] > 0 ? (
            <Link to={href({ ...query, status })} className={link} aria-label={`${counts[status]} ${STATUS_LABELS[status].toLowerCase()}`}>
              {counts[status]}
            </Link>
          ) : (
            <span className="text-slate-400">0</span>
          )}
        </td>
      ))}
    </>
  );
}

function ProgressTable({ dashboard, href }: { dashboard: Dashboard; href: (query: ItemQuery) => string }) {
  if (dashboard.workstreams.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">No workstreams yet.</p>;
  const showDeal = !dashboard.scope.deal;
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[44rem] text-sm">
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800">
            <th className="py-2 pr-2 font-medium">Workstream / checklist</th>
            <th className="w-56 px-2 font-medium">Done</th>
            {ITEM_STATUSES.map((status) => (
              <th key={status} className="px-2 text-right font-medium">
                {STATUS_LABELS[status]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {dashboard.workstreams.map((workstream) => (
            <WorkstreamRows key={workstream.id} workstream={workstream} showDeal={showDeal} href={href} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function WorkstreamRows({
  workstream,
  showDeal,
  href,
}: {
  workstream: Dashboard['workstreams'][number];
  showDeal: boolean;
  href: (query: ItemQuery) => string;
}) {
  const query = { workstream: workstream.id, ...(showDeal ? { deal: workstream.dealId } : {}) };
  return (
    <>
      <tr className="border-b border-slate-100 dark:border-slate-800/60" data-testid={`workstream-${workstream.name}`}>
        <th scope="row" className="py-2 pr-2 text-left font-semibold">
          <Link to={href(query)} className="hover:underline">
            {workstream.name}
          </Link>
          {showDeal ? <span className="ml-2 text-xs font-normal text-slate-500">{workstream.dealName}</span> : null}
        </th>
        <td className="px-2">
          <div className="flex items-center gap-2">
            <StatusBar counts={workstream.counts} label={workstream.name} />
            <span className="w-20 shrink-0 text-right text-xs tabular-nums text-slate-600 dark:text-slate-400">
              {workstream.counts.done}/{workstream.counts.total}
            </span>
          </div>
        </td>
        <StatusCells counts={workstream.counts} query={query} href={href} />
      </tr>
      {workstream.checklists.map((checklist) => (
        <tr key={checklist.id} className="border-b border-slate-100 text-slate-700 dark:border-slate-800/60 dark:text-slate-300">
          <th scope="row" className="py-1.5 pl-4 pr-2 text-left font-normal">
            <Link to={`/checklists/${checklist.id}`} className="hover:underline">
              {checklist.title}
            </Link>
          </th>
          <td className="px-2">
            <div className="flex items-center gap-2">
              <StatusBar counts={checklist.counts} label={checklist.title} />
              <span className="w-20 shrink-0 text-right text-xs tabular-nums text-slate-500">
                {checklist.counts.done}/{checklist.counts.total}
              </span>
            </div>
          </td>
          <StatusCells counts={checklist.counts} query={{ ...query, checklist: checklist.id }} href={href} />
        </tr>
      ))}
    </>
  );
}

const heatTone = (count: number, max: number): string => {
  if (count === 0) return 'bg-slate-50 text-slate-400 dark:bg-slate-900 dark:text-slate-600';
  const level = Math.ceil((count / Math.max(max, 1)) * 4);
  return [
    'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
    'bg-amber-200 text-amber-950 dark:bg-amber-900 dark:text-amber-100',
    'bg-orange-300 text-orange-950 dark:bg-orange-800 dark:text-orange-50',
    'bg-red-400 text-white dark:bg-red-700',
  ][Math.min(level, 4) - 1]!;
};

function Heatmap({ dashboard, href }: { dashboard: Dashboard; href: (query: ItemQuery) => string }) {
  const max = Math.max(0, ...dashboard.heatmap.flatMap((row) => RISK_COLUMNS.map((risk) => row.cells[risk])));
  if (dashboard.heatmap.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">No workstreams yet.</p>;
  return (
    <table className="w-full table-fixed text-sm" aria-label="Open items by workstream and risk">
      <thead>
        <tr className="text-xs uppercase tracking-wide text-slate-500">
          <th className="w-2/5 pb-2 text-left font-medium">Workstream</th>
          {RISK_COLUMNS.map((risk) => (
            <th key={risk} className="pb-2 text-center font-medium">
              {risk === 'none' ? 'None' : RISK_LABELS[risk]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {dashboard.heatmap.map((row) => (
          <tr key={row.workstreamId}>
            <th scope="row" className="truncate py-0.5 pr-2 text-left font-normal" title={row.name}>
              {row.name}
              {dashboard.scope.deal ? null : <span className="block truncate text-xs text-slate-500">{row.dealName}</span>}
            </th>
            {RISK_COLUMNS.map((risk) => (
              <td key={risk} className="p-0.5">
                <Link
                  to={href({ workstream: row.workstreamId, risk, status: 'open' })}
                  className={`flex h-10 items-center justify-center rounded font-semibold tabular-nums transition hover:ring-2 hover:ring-sky-500 ${heatTone(row.cells[risk], max)}`}
                  aria-label={`${row.name}, ${RISK_LABELS[risk].toLowerCase()}: ${row.cells[risk]} open items`}
                  data-testid={`heat-${row.name}-${risk}`}
                >
                  {row.cells[risk]}
                </Link>
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Workload({ dashboard, href }: { dashboard: Dashboard; href: (query: ItemQuery) => string }) {
  if (dashboard.workload.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">No open items.</p>;
  return (
    <table className="w-full text-sm">
      <thead>
        <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
          <th className="pb-2 font-medium">Owner</th>
          <th className="pb-2 text-right font-medium">Open</th>
          <th className="pb-2 text-right font-medium">Overdue</th>
          <th className="pb-2 text-right font-medium">Blocked</th>
        </tr>
      </thead>
      <tbody>
        {dashboard.workload.map((load) => {
          const owner = load.ownerId ?? 'unassigned';
          return (
            <tr key={owner} className="border-t border-slate-100 dark:border-slate-800/60">
              <th scope="row" className="py-1.5 text-left font-normal">
                {load.name}
              </th>
              <td className="text-right tabular-nums">
                <Link to={href({ owner, status: 'open' })} className={link} aria-label={`${load.name}: ${load.open} open`}>
                  {load.open}
                </Link>
              </td>
              <td className="text-right tabular-nums">
                {load.overdue > 0 ? (
                  <Link
                    to={href({ owner, due: 'overdue' })}
                    className="font-medium text-amber-700 hover:underline dark:text-amber-400"
                    aria-label={`${load.name}: ${load.overdue} overdue`}
                  >
                    {load.overdue}
                  </Link>
                ) : (
                  <span className="text-slate-400">0</span>
                )}
              </td>
              <td className="text-right tabular-nums">
                {load.blocked > 0 ? (
                  <Link
                    to={href({ owner, status: 'blocked' })}
                    className="font-medium text-red-700 hover:underline dark:text-red-400"
                    aria-label={`${load.name}: ${load.blocked} blocked`}
                  >
                    {load.blocked}
                  </Link>
                ) : (
                  <span className="text-slate-400">0</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** "1,300 MW" for a sum, "7 – 12 years" for a range; "—" when nothing is counted. */
export function formatPart(rollup: Pick<FigureRollup, 'kind' | 'unit' | 'additive'>, part: RollupPart): string {
  if (part.count === 0 || part.min === null || part.max === null) return '—';
  if (rollup.additive && part.total !== null) return formatFigure(rollup.kind, rollup.unit, part.total);
  if (part.min === part.max) return formatFigure(rollup.kind, rollup.unit, part.min);
  return `${formatFigure(rollup.kind, rollup.unit, part.min)} – ${formatFigure(rollup.kind, rollup.unit, part.max)}`;
}

/** "sum of 3 figures from 2 items" / "range of 2 figures from 2 items". */
export function describeCount(rollup: Pick<FigureRollup, 'additive'>, part: RollupPart): string {
  if (part.count === 0) return 'none';
  const figures = `${part.count} figure${part.count === 1 ? '' : 's'}`;
  const items = `${part.items} item${part.items === 1 ? '' : 's'}`;
  return `${rollup.additive ? 'sum' : 'range'} of ${figures} from ${items}`;
}

function ExposureTable({ exposure, showName, href }: { exposure: DealExposure; showName: boolean; href: (query: ItemQuery) => string }) {
  return (
    <div className={card} data-testid={`exposure-${exposure.dealId}`}>
      {showName ? <h3 className="mb-3 font-semibold">{exposure.dealName}</h3> : null}
      <div className="overflow-x-auto">
        <table className="w-full min-w-[40rem] text-sm">
          <thead>
            <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
              <th className="pb-2 font-medium">Figure</th>
              <th className="pb-2 text-right font-medium">Verified</th>
              <th className="pb-2 text-right font-medium">Unverified</th>
            </tr>
          </thead>
          {exposure.groups.map((group) => (
            <tbody key={group.key}>
              <tr>
                <th colSpan={3} className="pb-1 pt-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-300">
                  {group.title}
                </th>
              </tr>
              {group.lines.map((line) => (
                <tr key={line.label} className="border-t border-slate-100 dark:border-slate-800/60">
                  <th scope="row" className="py-1.5 pr-2 text-left font-normal">
                    {line.label} <span className="text-xs text-slate-500">({line.role})</span>
                    {line.rollup && line.rollup.flagged > 0 ? (
                      <span className="ml-2 rounded bg-amber-100 px-1.5 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200">
                        {line.rollup.flagged} left out: value cannot be right
                      </span>
                    ) : null}
                  </th>
                  {line.rollup ? (
                    <>
                      <td className="text-right" title={describeCount(line.rollup, line.rollup.verified)}>
                        <span className="font-semibold tabular-nums text-emerald-800 dark:text-emerald-300">
                          {formatPart(line.rollup, line.rollup.verified)}
                        </span>
                        <span className="block text-xs text-slate-500">{describeCount(line.rollup, line.rollup.verified)}</span>
                      </td>
                      <td className="text-right" title={describeCount(line.rollup, line.rollup.unverified)}>
                        <Link to={href({ verified: 'no' })} className="font-semibold tabular-nums text-slate-800 hover:underline dark:text-slate-100">
                          {formatPart(line.rollup, line.rollup.unverified)}
                        </Link>
                        <span className="block text-xs text-slate-500">{describeCount(line.rollup, line.rollup.unverified)}</span>
                      </td>
                    </>
                  ) : (
                    <td colSpan={2} className="text-right text-xs text-slate-500">
                      no value entered yet
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </div>
  );
}

export function RollupTable({ rollups }: { rollups: FigureRollup[] }) {
  if (rollups.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">No figure has a value yet.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[36rem] text-sm" aria-label="Figure roll-ups">
        <thead>
          <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
            <th className="pb-2 font-medium">Figure</th>
            <th className="pb-2 text-right font-medium">Verified</th>
            <th className="pb-2 text-right font-medium">Unverified</th>
          </tr>
        </thead>
        <tbody>
          {rollups.map((rollup) => (
            <tr key={`${rollup.kind}:${rollup.label}`} className="border-t border-slate-100 dark:border-slate-800/60">
              <th scope="row" className="py-1.5 pr-2 text-left font-normal">
                {rollup.label} <span className="text-xs text-slate-500">{rollup.unit}</span>
                {rollup.flagged > 0 ? (
                  <span className="ml-2 text-xs text-amber-700 dark:text-amber-400">{rollup.flagged} left out (value cannot be right)</span>
                ) : null}
              </th>
              <td className="text-right tabular-nums" title={describeCount(rollup, rollup.verified)}>
                {formatPart(rollup, rollup.verified)}
                <span className="block text-xs text-slate-500">{describeCount(rollup, rollup.verified)}</span>
              </td>
              <td className="text-right tabular-nums" title={describeCount(rollup, rollup.unverified)}>
                {formatPart(rollup, rollup.unverified)}
                <span className="block text-xs text-slate-500">{describeCount(rollup, rollup.unverified)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const Chart = lazy(() => import('./trend-chart.client.tsx'));

function TrendChart({ points, targetDate, today }: { points: Dashboard['history']; targetDate: string | null; today: string }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const last = points.at(-1);
  const caption = last
    ? `On ${last.day}: ${last.done} done, ${last.open} open (${points.length} day${points.length === 1 ? '' : 's'} recorded).`
    : 'No history recorded yet.';
  return (
    <figure>
      <div className="h-64 w-full">
        {mounted && points.length > 0 ? (
          <Suspense fallback={<p className="text-sm text-slate-400">Loading the chart…</p>}>
            <Chart points={points} targetDate={targetDate} today={today} />
          </Suspense>
        ) : null}
      </div>
      <figcaption className="mt-2 text-xs text-slate-500" data-testid="trend-caption">
        {caption}
      </figcaption>
    </figure>
  );
}
