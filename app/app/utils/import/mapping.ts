import { FIGURE_KINDS, FIGURE_KIND_NAMES, ITEM_STATUSES, RISK_LEVELS, STATUS_LABELS, isoDate, type FigureKind, type ItemStatus, type RiskLevel } from '@tieout/doc-model';

/*
 * Column mapping and row validation of a request-list import. Pure: the import page runs it in the browser
 * for an instant preview, and the server runs it again on the uploaded file before anything is written.
 */

export interface TableRow {
  /** The row's number in the file (1 = the first line or sheet row), for error messages. */
  number: number;
  cells: string[];
}

export interface ImportTable {
  headers: string[];
  rows: TableRow[];
}

export const ITEM_FIELDS = ['title', 'section', 'status', 'owner', 'dueDate', 'risk', 'notes'] as const;
export type ItemField = (typeof ITEM_FIELDS)[number];

export type ColumnTarget = { field: 'ignore' } | { field: ItemField } | { field: 'figure'; kind: FigureKind };
/** One target per column of the table, by index. */
export type ColumnMapping = ColumnTarget[];

export const FIELD_LABELS: Record<ItemField | 'ignore', string> = {
  ignore: 'Do not import',
  title: 'Title',
  section: 'Section',
  status: 'Status',
  owner: 'Owner email',
  dueDate: 'Due date',
  risk: 'Risk',
  notes: 'Notes',
};

/** The value of a mapping <select>: "title", "ignore", "figure:mw", ... */
export function encodeTarget(target: ColumnTarget): string {
  return target.field === 'figure' ? `figure:${target.kind}` : target.field;
}

export function decodeTarget(value: unknown): ColumnTarget | null {
  if (typeof value !== 'string') return null;
  if (value === 'ignore') return { field: 'ignore' };
  if ((ITEM_FIELDS as readonly string[]).includes(value)) return { field: value as ItemField };
  const kind = value.startsWith('figure:') ? value.slice('figure:'.length) : null;
  if (kind && (FIGURE_KIND_NAMES as string[]).includes(kind)) return { field: 'figure', kind: kind as FigureKind };
  return null;
}

/** Every choice of a mapping <select>, in display order. */
export function targetOptions(): { value: string; label: string }[] {
  return [
    ...(['ignore', ...ITEM_FIELDS] as const).map((field) => ({ value: field, label: FIELD_LABELS[field] })),
    ...FIGURE_KIND_NAMES.map((kind) => ({ value: `figure:${kind}`, label: `Figure: ${FIGURE_KINDS[kind].label} (${FIGURE_KINDS[kind].unit})` })),
  ];
}

const normalizeHeader = (header: string) => header.toLowerCase().replace(/[_\-.:]+/g, ' ').replace(/\s+/g, ' ').trim();

const FIELD_HEADERS: [ItemField, RegExp][] = [
  ['title', /^(title|item|items|request|requests|request item|document request|description|question|requirement|task|name|item title)$/],
  ['section', /^(section|section title|category|group|topic|area|heading)$/],
  ['status', /^(status|state|progress|item status)$/],
  ['owner', /^(owner|owner email|owner e ?mail|assignee|assignee email|assigned to|responsible|email)$/],
  ['dueDate', /^(due|due date|deadline|target date|date due|due by|due on)$/],
  ['risk', /^(risk|risk level|risk rating|severity|rating)$/],
  ['notes', /^(notes|note|comments|comment|remarks|details|findings)$/],
];

/** Unit hints in a header, most specific first. */
const FIGURE_HEADERS: [FigureKind, RegExp][] = [
  ['kw_per_rack', /kw ?(\/|per) ?rack/],
  ['mw', /\bmw\b|megawatt/],
  ['sqft', /sq ?ft|square f(ee|oo)t/],
  ['percent', /%|percent|\bshare\b|\brate\b|\bpct\b/],
  ['usd', /\$|\busd\b|amount|\bcost\b|capex|opex|\brent\b|obligation|\bvalue\b|\bprice\b|spend|liabilit|penalt|deposit/],
  ['years', /\byears?\b|\byrs?\b|\bterm\b/],
];

/** A first guess from the headers: known field names, then figure columns by their unit; the rest is ignored. */
export function detectMapping(headers: string[]): ColumnMapping {
  const taken = new Set<ItemField>();
  const mapping: ColumnMapping = headers.map(() => ({ field: 'ignore' }));
  headers.forEach((header, index) => {
    const name = normalizeHeader(header);
    const field = FIELD_HEADERS.find(([candidate, pattern]) => !taken.has(candidate) && pattern.test(name))?.[0];
    if (field) {
      taken.add(field);
      mapping[index] = { field };
    }
  });
  headers.forEach((header, index) => {
    if (mapping[index]!.field !== 'ignore') return;
    const name = normalizeHeader(header);
    const kind = FIGURE_HEADERS.find(([, pattern]) => pattern.test(name))?.[0];
    if (kind) mapping[index] = { field: 'figure', kind };
  });
  if (!taken.has('title')) {
    // No exact title header: the first text column whose name says what it holds.
    const index = headers.findIndex((header, i) => mapping[i]!.field === 'ignore' && /title|request|item|description/.test(normalizeHeader(header)));
    if (index !== -1) mapping[index] = { field: 'title' };
  }
  return mapping;
}

/** Problems of the mapping itself (not of rows): a title column is required, each field at most once. */
export function mappingProblems(mapping: ColumnMapping, headers: string[]): string[] {
  const problems: string[] = [];
  const columnsOf = (field: ItemField) => mapping.flatMap((target, index) => (target.field === field ? [index] : []));
  if (columnsOf('title').length === 0) problems.push('Choose the column that holds the item titles.');
  for (const field of ITEM_FIELDS) {
    const columns = columnsOf(field);
    if (columns.length > 1) {
      problems.push(`${FIELD_LABELS[field]} is chosen for ${columns.length} columns (${columns.map((i) => `“${headers[i]}”`).join(', ')}): choose one.`);
    }
  }
  return problems;
}

export interface ImportedFigure {
  kind: FigureKind;
  label: string;
  value: number;
}

export interface ImportedItem {
  rowNumber: number;
  section: string;
  title: string;
  status: ItemStatus;
  ownerId: string | null;
  dueDate: string | null;
  risk: RiskLevel | null;
  figures: ImportedFigure[];
  notes: string[];
}

export interface RowProblem {
  rowNumber: number;
  /** The row's title cell (may be empty), so the user can find the row. */
  title: string;
  errors: string[];
}

export interface ValidationResult {
  items: ImportedItem[];
  problems: RowProblem[];
}

export interface ValidationContext {
  /** Workspace members: owner emails must be one of theirs. */
  members: { id: string; email: string }[];
  /** Section for rows without one (or when no section column is mapped). */
  defaultSection: string;
}

const STATUS_SYNONYMS: Record<string, ItemStatus> = {
  open: 'not_started',
  todo: 'not_started',
  to_do: 'not_started',
  new: 'not_started',
  pending: 'not_started',
  requested: 'not_started',
  started: 'in_progress',
  ongoing: 'in_progress',
  wip: 'in_progress',
  review: 'needs_review',
  in_review: 'needs_review',
  for_review: 'needs_review',
  under_review: 'needs_review',
  complete: 'done',
  completed: 'done',
  closed: 'done',
  received: 'done',
  on_hold: 'blocked',
};

const statusKey = (value: string) => value.trim().toLowerCase().replace(/[\s\-]+/g, '_');

export function parseStatus(value: string): ItemStatus | { error: string } {
  if (value.trim() === '') return 'not_started';
  const key = statusKey(value);
  if ((ITEM_STATUSES as readonly string[]).includes(key)) return key as ItemStatus;
  const byLabel = ITEM_STATUSES.find((status) => statusKey(STATUS_LABELS[status]) === key);
  if (byLabel) return byLabel;
  if (STATUS_SYNONYMS[key]) return STATUS_SYNONYMS[key];
  return { error: `Unknown status “${value}” (use ${ITEM_STATUSES.map((status) => STATUS_LABELS[status]).join(', ')})` };
}

const RISK_SYNONYMS: Record<string, RiskLevel> = { med: 'medium', moderate: 'medium', crit: 'critical', severe: 'critical' };

export function parseRisk(value: string): RiskLevel | null | { error: string } {
  const key = value.trim().toLowerCase();
  if (key === '') return null;
  if ((RISK_LEVELS as readonly string[]).includes(key)) return key as RiskLevel;
  if (RISK_SYNONYMS[key]) return RISK_SYNONYMS[key];
  return { error: `Unknown risk “${value}” (use ${RISK_LEVELS.join(', ')})` };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const pad = (n: number) => String(n).padStart(2, '0');

function isoFrom(year: number, month: number, day: number): string | null {
  const iso = `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
  return isoDate.safeParse(iso).success ? iso : null;
}

/**
 * Due dates: YYYY-MM-DD (a time part is ignored), or with the month spelled out ("31 Dec 2026", "Dec 31, 2026").
 * Numeric dates with slashes are refused: 03/04/2026 means March in one country and April in another.
 */
export function parseDueDate(value: string): string | null | { error: string } {
  const text = value.trim();
  if (text === '') return null;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (iso) return isoFrom(Number(iso[1]), Number(iso[2]), Number(iso[3])) ?? { error: `Due date “${value}” is not a real date` };
  const monthIndex = (name: string) => MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;
  const dayFirst = /^(\d{1,2})[\s-]+([a-z]{3,9})\.?[\s,-]+(\d{4})$/i.exec(text);
  const monthFirst = /^([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$/i.exec(text);
  const parts = dayFirst
    ? { day: Number(dayFirst[1]), month: monthIndex(dayFirst[2]!), year: Number(dayFirst[3]) }
    : monthFirst
    ? { day: Number(monthFirst[2]), month: monthIndex(monthFirst[1]!), year: Number(monthFirst[3]) }
    : null;
  if (parts && parts.month > 0) return isoFrom(parts.year, parts.month, parts.day) ?? { error: `Due date “${value}” is not a real date` };
  if (/^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$/.test(text)) return { error: `Due date “${value}” is ambiguous: write it as 2026-12-31` };
  return { error: `Due date “${value}” is not a date (write it as 2026-12-31)` };
}

const MULTIPLIERS: Record<string, number> = { k: 1e3, m: 1e6, mm: 1e6, mn: 1e6, b: 1e9, bn: 1e9 };

/** A figure cell to a number: thousands separators, currency and unit signs, (negative) and, for USD, 5k/2.5m/9bn. */
export function parseFigureValue(value: string, kind: FigureKind): number | null | { error: string } {
  let text = value.trim();
  if (text === '') return null;
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1).trim();
  }
  text = text
    .replace(/^(us\$|usd|\$)\s*/i, '')
    .replace(/\s*(usd|mw|%|years?|yrs?|sq\.? ?ft|square feet|kw\s*(\/|per)\s*rack)$/i, '')
    .replace(/[,\s_]/g, '');
  let multiplier = 1;
  const suffix = /^(-?[\d.]+)(k|mm|mn|m|bn|b)$/i.exec(text);
  if (suffix && kind === 'usd') {
    multiplier = MULTIPLIERS[suffix[2]!.toLowerCase()]!;
    text = suffix[1]!;
  }
  const number = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(number)) return { error: `“${value}” is not a number` };
  return (negative ? -number : number) * multiplier;
}

const isError = (value: unknown): value is { error: string } => typeof value === 'object' && value !== null && 'error' in value;

export function validateRows(table: ImportTable, mapping: ColumnMapping, context: ValidationContext): ValidationResult {
  const membersByEmail = new Map(context.members.map((member) => [member.email.trim().toLowerCase(), member.id]));
  const columnOf = (field: ItemField) => mapping.findIndex((target) => target.field === field);
  const columns = Object.fromEntries(ITEM_FIELDS.map((field) => [field, columnOf(field)])) as Record<ItemField, number>;
  const figureColumns = mapping.flatMap((target, index) =>
    target.field === 'figure' ? [{ index, kind: target.kind, label: (table.headers[index] ?? '').trim().slice(0, 120) || `Column ${index + 1}` }] : [],
  );
  const cell = (row: TableRow, field: ItemField) => (columns[field] === -1 ? '' : (row.cells[columns[field]] ?? '').trim());

  const items: ImportedItem[] = [];
  const problems: RowProblem[] = [];
  for (const row of table.rows) {
    const errors: string[] = [];
    const title = cell(row, 'title');
    if (title === '') errors.push('The title is empty');
    else if (title.length > 500) errors.push('The title is longer than 500 characters');
    const section = cell(row, 'section') || context.defaultSection;
    if (section.length > 200) errors.push('The section name is longer than 200 characters');
    const status = parseStatus(cell(row, 'status'));
    if (isError(status)) errors.push(status.error);
    const dueDate = parseDueDate(cell(row, 'dueDate'));
    if (isError(dueDate)) errors.push(dueDate.error);
    const risk = parseRisk(cell(row, 'risk'));
    if (isError(risk)) errors.push(risk.error);
    const ownerEmail = cell(row, 'owner');
    const ownerId = ownerEmail === '' ? null : membersByEmail.get(ownerEmail.toLowerCase()) ?? null;
    if (ownerEmail !== '' && ownerId === null) errors.push(`No member of this workspace has the email “${ownerEmail}”`);
    const figures: ImportedFigure[] = [];
    for (const column of figureColumns) {
      const value = parseFigureValue(row.cells[column.index] ?? '', column.kind);
      if (isError(value)) errors.push(`${column.label}: ${value.error}`);
      else if (value !== null) figures.push({ kind: column.kind, label: column.label, value });
    }
    const notes = cell(row, 'notes')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    if (errors.length > 0) {
      problems.push({ rowNumber: row.number, title, errors });
      continue;
    }
    items.push({
      rowNumber: row.number,
      section,
      title,
      status: status as ItemStatus,
      ownerId,
      dueDate: dueDate as string | null,
      risk: risk as RiskLevel | null,
      figures,
      notes,
    });
  }
  return { items, problems };
}
