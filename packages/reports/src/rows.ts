import type { DealReport, ListedItem } from '@tieout/db';
import { FIGURE_KINDS, STATUS_LABELS } from '@tieout/doc-model';

/*
 * One row per item, the columns every export shares (CSV, XLSX, the printable report's lists): section, ref, title,
 * status, owner name, due, risk, figures, approval, last change.
 */

export const EXPORT_COLUMNS = [
  'Workstream',
  'Checklist',
  'Section',
  'Ref',
  'Title',
  'Status',
  'Owner',
  'Due',
  'Risk',
  'Figures',
  'Approval',
  'Last change',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
export type ExportRow = Record<ExportColumn, string>;

const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function figureText(kind: keyof typeof FIGURE_KINDS, value: number | null): string {
  if (value === null) return '';
  if (kind === 'usd') return `$${plain.format(value)}`;
  if (kind === 'percent') return `${plain.format(value)}%`;
  return `${plain.format(value)} ${FIGURE_KINDS[kind].unit}`;
}

const REVIEW_TEXT: Record<string, string> = {
  approved: 'Approved',
  changed_since_approval: 'Changed since approval',
  sent_back: 'Sent back',
  none: '',
};

const RISK_TEXT: Record<string, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' };

export function exportRow(item: ListedItem): ExportRow {
  const figures = item.figures
    .filter((figure) => figure.value !== null)
    .map(
      (figure) =>
        `${figure.label}: ${figureText(figure.kind, figure.value)}${item.figureIssues[figure.id] ? ' (not counted: value cannot be right)' : ''}`,
    )
    .join('; ');
  const review = REVIEW_TEXT[item.review.state] ?? item.review.state;
  const approval =
    review && item.review.decidedBy
      ? `${review} by ${item.review.decidedBy}${item.review.decidedAt ? ` on ${item.review.decidedAt.slice(0, 10)}` : ''}`
      : review;
  return {
    Workstream: item.workstreamName,
    Checklist: item.checklistTitle,
    Section: item.sectionTitle ?? '',
    Ref: item.reference ?? '',
    Title: item.title,
    Status: STATUS_LABELS[item.status],
    Owner: item.ownerName ?? '',
    Due: item.dueDate ?? '',
    Risk: item.risk ? (RISK_TEXT[item.risk] ?? item.risk) : '',
    Figures: figures,
    Approval: approval,
    'Last change': `${item.updatedAt.replace('T', ' ').replace('Z', ' UTC')}${item.updatedBy ? ` by ${item.updatedBy}` : ''}`,
  };
}

export const exportRows = (report: DealReport): ExportRow[] => report.items.map(exportRow);

/** A file name from the deal's name: "CoreWeave / Core Scientific" -> "coreweave-core-scientific". */
export function fileStem(report: DealReport): string {
  const name = report.dashboard.scope.deal?.name ?? 'deal';
  const stem = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${stem || 'deal'}-${report.dashboard.today}`;
}
