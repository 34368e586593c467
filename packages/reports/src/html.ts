import type { DealReport, ListedItem } from '@tieout/db';
import { ITEM_STATUSES, RISK_KEYS, STATUS_LABELS, isOverdue, percentDone, type FigureRollup, type RollupPart } from '@tieout/doc-model';
import { figureText } from './rows.ts';

/*
 * The printable status report of a deal: one self-contained HTML page (no scripts, no external files) styled for
 * print. The app serves it as is and the PDF is this page printed by headless Chromium, in the app and on the
 * command line alike (pdf.ts).
 */

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

/** Marks text as HTML already (built here from escaped parts). */
class Html {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

type Part = string | number | Html | null | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/** A template whose interpolations are escaped unless they are Html. */
function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new Html(out);
}

const RISK_NAMES: Record<string, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', none: 'None' };

function partText(rollup: Pick<FigureRollup, 'kind' | 'additive'>, part: RollupPart): string {
  if (part.count === 0 || part.min === null || part.max === null) return '—';
  if (rollup.additive && part.total !== null) return figureText(rollup.kind, part.total);
  return part.min === part.max ? figureText(rollup.kind, part.min) : `${figureText(rollup.kind, part.min)} – ${figureText(rollup.kind, part.max)}`;
}

const countText = (part: RollupPart) =>
  part.count === 0 ? '' : `${part.count} figure${part.count === 1 ? '' : 's'}, ${part.items} item${part.items === 1 ? '' : 's'}`;

function itemTable(items: ListedItem[], today: string): Html {
  if (items.length === 0) return html`<p class="muted">None.</p>`;
  return html`<table class="items">
    <thead>
      <tr>
        <th>Ref</th>
        <th>Item</th>
        <th>Workstream</th>
        <th>Status</th>
        <th>Owner</th>
        <th>Due</th>
        <th>Risk</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (item) =>
          html`<tr>
            <td class="ref">${item.reference ?? ''}</td>
            <td>${item.title}${item.sectionTitle ? html`<div class="muted">${item.sectionTitle}</div>` : ''}</td>
            <td>${item.workstreamName}</td>
            <td>${STATUS_LABELS[item.status]}</td>
            <td>${item.ownerName ?? 'Unassigned'}</td>
            <td class="${isOverdue(item, today) ? 'late' : ''}">${item.dueDate ?? '—'}</td>
            <td>${item.risk ? RISK_NAMES[item.risk] : '—'}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export interface ReportPageOptions {
  /** Where "Download PDF" leads (the app's report.pdf route); the link is left out when not given (the PDF itself). */
  pdfHref?: string;
  /** Back to the dashboard (the app). */
  backHref?: string;
}

export function dealReportHtml(report: DealReport, options: ReportPageOptions = {}): string {
  const { dashboard } = report;
  const deal = dashboard.scope.deal!;
  const today = dashboard.today;
  const open = report.items.filter((item) => item.status !== 'done');
  const overdue = open.filter((item) => isOverdue(item, today)).sort((a, b) => (a.dueDate! < b.dueDate! ? -1 : 1));
  const notOverdue = open.filter((item) => !isOverdue(item, today));
  const maxHeat = Math.max(1, ...dashboard.heatmap.flatMap((row) => RISK_KEYS.map((risk) => row.cells[risk])));
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Status report: ${deal.name}</title>
        <style>
          @page {
            size: A4;
            margin: 16mm 14mm;
          }
          * {
            box-sizing: border-box;
          }
          body {
            font:
              10.5pt/1.4 system-ui,
              -apple-system,
              'Segoe UI',
              Roboto,
              'DejaVu Sans',
              sans-serif;
            color: #0f172a;
            margin: 0;
          }
          h1 {
            font-size: 18pt;
            margin: 0 0 2pt;
          }
          h2 {
            font-size: 12.5pt;
            margin: 18pt 0 6pt;
            border-bottom: 1.5pt solid #0f172a;
            padding-bottom: 2pt;
            break-after: avoid;
          }
          h3 {
            font-size: 10.5pt;
            margin: 10pt 0 4pt;
            break-after: avoid;
          }
          .muted {
            color: #64748b;
            font-size: 9pt;
          }
          table {
            width: 100%;
            border-collapse: collapse;
          }
          th,
          td {
            text-align: left;
            padding: 3pt 5pt;
            border-bottom: 0.5pt solid #cbd5e1;
            vertical-align: top;
          }
          thead th {
            font-size: 8.5pt;
            text-transform: uppercase;
            letter-spacing: 0.04em;
            color: #475569;
          }
          tr {
            break-inside: avoid;
          }
          td.num,
          th.num {
            text-align: right;
            font-variant-numeric: tabular-nums;
          }
          td.ref {
            white-space: nowrap;
            font-variant-numeric: tabular-nums;
            color: #475569;
          }
          .stats {
            display: flex;
            gap: 8pt;
            margin-top: 10pt;
          }
          .stat {
            flex: 1;
            border: 0.75pt solid #cbd5e1;
            border-radius: 4pt;
            padding: 6pt 8pt;
          }
          .stat b {
            display: block;
            font-size: 16pt;
          }
          .heat td {
            text-align: center;
            font-weight: 600;
            border: 1.5pt solid #fff;
          }
          .late {
            color: #b45309;
            font-weight: 600;
          }
          .verified {
            color: #047857;
          }
          @media screen {
            body {
              max-width: 210mm;
              margin: 12mm auto;
              padding: 0 10mm;
            }
          }
          .toolbar {
            display: flex;
            gap: 12pt;
            justify-content: flex-end;
            margin-bottom: 10pt;
            font-size: 10pt;
          }
          .toolbar a {
            color: #0369a1;
            font-weight: 600;
          }
          .toolbar a.button {
            background: #0284c7;
            color: #fff;
            padding: 4pt 10pt;
            border-radius: 4pt;
            text-decoration: none;
          }
          @media print {
            .toolbar {
              display: none;
            }
          }
        </style>
      </head>
      <body>
        ${options.pdfHref || options.backHref ? html`<nav class="toolbar" aria-label="Report">${options.backHref ? html`<a href="${options.backHref}">Back to the dashboard</a>` : ''}${options.pdfHref ? html`<a class="button" href="${options.pdfHref}" download>Download PDF</a>` : ''}</nav>` : ''}
        <header>
          <h1>Status report: ${deal.name}</h1>
          <div class="muted">
            ${dashboard.scope.workspace.name}${deal.buyer && deal.target ? ` · ${deal.buyer} acquiring ${deal.target}` : ''} · as of ${today}
            (UTC)${deal.targetSigningDate ? ` · target signing ${deal.targetSigningDate}` : ''} · generated
            ${report.generatedAt.replace('T', ' ').slice(0, 16)} UTC
          </div>
        </header>

        <h2>Summary</h2>
        <div class="stats">
          <div class="stat"><b>${percentDone(dashboard.counts)}%</b>done (${dashboard.counts.done} of ${dashboard.counts.total})</div>
          <div class="stat"><b>${dashboard.overdue}</b>overdue</div>
          <div class="stat"><b>${dashboard.dueThisWeek}</b>due this week</div>
          <div class="stat"><b>${dashboard.blocked}</b>blocked</div>
          <div class="stat"><b>${dashboard.waitingForReview}</b>waiting for review</div>
        </div>
        <h3>Progress by workstream</h3>
        <table>
          <thead>
            <tr>
              <th>Workstream / checklist</th>
              ${ITEM_STATUSES.map((status) => html`<th class="num">${STATUS_LABELS[status]}</th>`)}
              <th class="num">Done / all</th>
            </tr>
          </thead>
          <tbody>
            ${dashboard.workstreams.map(
              (workstream) =>
                html`<tr>
                    <th>${workstream.name}</th>
                    ${ITEM_STATUSES.map((status) => html`<td class="num">${workstream.counts[status]}</td>`)}
                    <td class="num">${workstream.counts.done}/${workstream.counts.total}</td>
                  </tr>
                  ${workstream.checklists.map(
                    (checklist) =>
                      html`<tr>
                        <td>&nbsp;&nbsp;${checklist.title}</td>
                        ${ITEM_STATUSES.map((status) => html`<td class="num">${checklist.counts[status]}</td>`)}
                        <td class="num">${checklist.counts.done}/${checklist.counts.total}</td>
                      </tr>`,
                  )}`,
            )}
          </tbody>
        </table>

        <h2>Risk heatmap (open items)</h2>
        <table class="heat">
          <thead>
            <tr>
              <th>Workstream</th>
              ${RISK_KEYS.map((risk) => html`<th class="num">${RISK_NAMES[risk]}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${dashboard.heatmap.map(
              (row) =>
                html`<tr>
                  <th>${row.name}</th>
                  ${RISK_KEYS.map((risk) => {
                    const count = row.cells[risk];
                    const alpha = count === 0 ? 0.04 : 0.15 + (count / maxHeat) * 0.75;
                    return html`<td style="background: rgba(220, 38, 38, ${alpha.toFixed(2)}); color: ${alpha > 0.55 ? '#fff' : '#0f172a'}">
                      ${count}
                    </td>`;
                  })}
                </tr>`,
            )}
          </tbody>
        </table>

        <h2>Exposure</h2>
        <p class="muted">
          Verified: figures of items a reviewer approved as they are now. Unverified: all other items. Sums only add MW and dollars of the same label.
        </p>
        ${dashboard.exposure.flatMap((exposure) =>
          exposure.groups.map(
            (group) =>
              html`<h3>${group.title}</h3>
                <table>
                  <thead>
                    <tr>
                      <th>Figure</th>
                      <th class="num">Verified</th>
                      <th class="num">Unverified</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${group.lines.map((line) =>
                      line.rollup
                        ? html`<tr>
                            <td>
                              ${line.label}${line.rollup.flagged ? html` <span class="late">(${line.rollup.flagged} left out: value cannot be right)</span>` : ''}
                            </td>
                            <td class="num verified">
                              ${partText(line.rollup, line.rollup.verified)}
                              <div class="muted">${countText(line.rollup.verified)}</div>
                            </td>
                            <td class="num">
                              ${partText(line.rollup, line.rollup.unverified)}
                              <div class="muted">${countText(line.rollup.unverified)}</div>
                            </td>
                          </tr>`
                        : html`<tr>
                            <td>${line.label}</td>
                            <td class="num muted" colspan="2">no value entered yet</td>
                          </tr>`,
                    )}
                  </tbody>
                </table>`,
          ),
        )}

        <h2>Overdue items (${overdue.length})</h2>
        ${itemTable(overdue, today)}

        <h2>Other open items (${notOverdue.length})</h2>
        ${itemTable(notOverdue, today)}

        <h2>Sign-offs</h2>
        ${
          report.signoffs.length === 0
            ? html`<p class="muted">No checklist of this deal has been signed off.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th>Checklist</th>
                    <th>Signed by</th>
                    <th>When</th>
                    <th class="num">Items</th>
                  </tr>
                </thead>
                <tbody>
                  ${report.signoffs.map(
                    (signoff) =>
                      html`<tr>
                        <td>${signoff.checklistTitle}</td>
                        <td>${signoff.signedBy ?? '—'}</td>
                        <td>${signoff.signedAt.replace('T', ' ').replace('Z', ' UTC')}</td>
                        <td class="num">${signoff.itemCount}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
      </body>
    </html> `;
  return page.value;
}
