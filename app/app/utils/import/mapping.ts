import {
  duplicateFigureLabel,
  figureValueProblem,
  FIGURE_KINDS,
  FIGURE_KIND_NAMES,
  ITEM_STATUSES,
  REFERENCE_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  RISK_LEVELS,
  STATUS_LABELS,
  isoDate,
  isPlausibleDueDate,
  type FigureKind,
  type ItemStatus,
  type RiskLevel,
} from '@tieout/doc-model';

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

export const ITEM_FIELDS = ['reference', 'title', 'section', 'status', 'owner', 'dueDate', 'risk', 'notes'] as const;
export type ItemField = (typeof ITEM_FIELDS)[number];

export type ColumnTarget = { field: 'ignore' } | { field: ItemField } | { field: 'figure'; kind: FigureKind };
/** One target per column of the table, by index. */
export type ColumnMapping = ColumnTarget[];

export const FIELD_LABELS: Record<ItemField | 'ignore', string> = {
  ignore: 'Do not import',
  reference: 'Reference (1.2.3)',
  title: 'Title',
  section: 'Section',
  status: 'Status',
  owner: 'Owner (email or name)',
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

const normalizeHeader = (header: string) =>
  header
    .toLowerCase()
    .replace(/[_\-.:]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

const FIELD_HEADERS: [ItemField, RegExp][] = [
  [
    'reference',
    /^(ref|ref no|ref nr|reference|reference no|reference number|no|nr|number|#|item no|item number|request no|request number|request id|item id|id)$/,
  ],
  ['title', /^(title|item|items|request|requests|request item|document request|description|question|requirement|task|name|item title)$/],
  ['section', /^(section|section title|category|group|topic|area|heading)$/],
  ['status', /^(status|state|progress|item status)$/],
  ['owner', /^(owner|owner email|owner e ?mail|owner name|assignee|assignee email|assignee name|assigned to|responsible|responsible party|email)$/],
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
      problems.push(
        `${FIELD_LABELS[field]} is chosen for ${columns.length} columns (${columns.map((i) => `“${headers[i]}”`).join(', ')}): choose one.`,
      );
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
  reference: string | null;
  title: string;
  status: ItemStatus;
  ownerId: string | null;
  dueDate: string | null;
  risk: RiskLevel | null;
  figures: ImportedFigure[];
  notes: string[];
  /** Fields whose cell was filled in: an update of an existing item changes only these. */
  given: ItemField[];
  /** Imported, but with something to check (an owner nobody matched, left unassigned). */
  warnings: string[];
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

export interface ImportMember {
  id: string;
  email: string;
  name: string;
  /** Owners and editors can own items; a reviewer or viewer named as owner is left unassigned with a warning. */
  canOwnItems?: boolean;
}

export interface ValidationContext {
  /** Workspace members: an owner cell is matched by their email or their name (case and accents ignored). */
  members: ImportMember[];
  /** Section for rows without one (or when no section column is mapped). */
  defaultSection: string;
  /** How numeric dates such as 03/04/2027 are read (chosen in the mapping step); 'ymd' only takes ISO dates. */
  dateOrder?: DateOrder;
}

export type DateOrder = 'dmy' | 'mdy';
export const DATE_ORDER_LABELS: Record<DateOrder, string> = {
  dmy: 'Day/Month/Year (31/12/2026)',
  mdy: 'Month/Day/Year (12/31/2026)',
};

/** Compares names without case or accents: "José Núñez" and "jose nunez" are the same person. */
export const foldName = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

export type OwnerMatch = { ownerId: string } | { ownerId: null; warning: string };

/** An owner cell to a member: by email, else by name; someone unknown (or who cannot own items) is left unassigned. */
export function matchOwner(value: string, members: readonly ImportMember[]): OwnerMatch {
  const key = foldName(value);
  const byEmail = members.find((member) => member.email.trim().toLowerCase() === key);
  const byName = byEmail ? [] : members.filter((member) => foldName(member.name) === key);
  const member = byEmail ?? (byName.length === 1 ? byName[0] : undefined);
  if (byName.length > 1) return { ownerId: null, warning: `Owner “${value}” matches ${byName.length} members: left unassigned (use their email)` };
  if (!member) return { ownerId: null, warning: `Owner “${value}” is not a member of this workspace: left unassigned` };
  if (member.canOwnItems === false)
    return { ownerId: null, warning: `${member.name} cannot own items (reviewers and viewers cannot): left unassigned` };
  return { ownerId: member.id };
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

const statusKey = (value: string) =>
  value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

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

/** Excel stores a date as days since 1899-12-30; a date cell read without its format arrives as that number. */
const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
const excelSerialDate = (serial: number) => new Date(EXCEL_EPOCH + Math.round(serial) * 86_400_000).toISOString().slice(0, 10);
const EXCEL_MIN = Math.round((Date.UTC(2000, 0, 1) - EXCEL_EPOCH) / 86_400_000);
const EXCEL_MAX = Math.round((Date.UTC(2100, 11, 31) - EXCEL_EPOCH) / 86_400_000);

const NUMERIC_DATE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/;
const fullYear = (year: string) => (year.length === 2 ? 2000 + Number(year) : Number(year));

function inRange(iso: string, value: string): string | { error: string } {
  return isPlausibleDueDate(iso) ? iso : { error: `Due date “${value}” is not between the years 2000 and 2100` };
}

/**
 * Due dates: YYYY-MM-DD (a time part is ignored), with the month spelled out ("31 Dec 2026", "Dec 31, 2026"), an
 * Excel date cell (a serial number), or numeric with slashes, dots or dashes read in `order` (03/04/2027 is 3 April
 * in D/M/Y and March 4 in M/D/Y). Without an order, numeric dates are refused as ambiguous. Years outside
 * 2000-2100 are refused (a typing mistake, not a deadline).
 */
export function parseDueDate(value: string, order?: DateOrder): string | null | { error: string } {
  const text = value.trim();
  if (text === '') return null;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (iso) {
    const date = isoFrom(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    return date ? inRange(date, value) : { error: `Due date “${value}” is not a real date` };
  }
  if (/^\d{5}(\.\d+)?$/.test(text)) {
    const serial = Number(text);
    if (serial >= EXCEL_MIN && serial <= EXCEL_MAX) return excelSerialDate(serial);
  }
  const monthIndex = (name: string) => MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;
  const dayFirst = /^(\d{1,2})[\s-]+([a-z]{3,9})\.?[\s,-]+(\d{4})$/i.exec(text);
  const monthFirst = /^([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$/i.exec(text);
  const parts = dayFirst
    ? { day: Number(dayFirst[1]), month: monthIndex(dayFirst[2]!), year: Number(dayFirst[3]) }
    : monthFirst
      ? { day: Number(monthFirst[2]), month: monthIndex(monthFirst[1]!), year: Number(monthFirst[3]) }
      : null;
  if (parts && parts.month > 0) {
    const date = isoFrom(parts.year, parts.month, parts.day);
    return date ? inRange(date, value) : { error: `Due date “${value}” is not a real date` };
  }
  const numeric = NUMERIC_DATE.exec(text);
  if (numeric) {
    if (!order) return { error: `Due date “${value}” is ambiguous: choose how dates are written (day or month first)` };
    const [first, second] = [Number(numeric[1]), Number(numeric[2])];
    const [day, month] = order === 'dmy' ? [first, second] : [second, first];
    const date = isoFrom(fullYear(numeric[3]!), month, day);
    if (!date) return { error: `Due date “${value}” is not a real date when read as ${order === 'dmy' ? 'day/month/year' : 'month/day/year'}` };
    return inRange(date, value);
  }
  return { error: `Due date “${value}” is not a date (write it as 2026-12-31)` };
}

/** The dates of a column that read differently day-first and month-first (3/4/2027), with both readings. */
export function ambiguousDates(table: ImportTable, mapping: ColumnMapping): { rowNumber: number; value: string; dmy: string; mdy: string }[] {
  const column = mapping.findIndex((target) => target.field === 'dueDate');
  if (column === -1) return [];
  return table.rows.flatMap((row) => {
    const value = (row.cells[column] ?? '').trim();
    if (!NUMERIC_DATE.test(value)) return [];
    const dmy = parseDueDate(value, 'dmy');
    const mdy = parseDueDate(value, 'mdy');
    return typeof dmy === 'string' && typeof mdy === 'string' && dmy !== mdy ? [{ rowNumber: row.number, value, dmy, mdy }] : [];
  });
}

/**
 * The order the numeric dates of the due-date column must be in: 'dmy' when some date only reads day-first (31/12),
 * 'mdy' when some only reads month-first (12/31), null when every one reads both ways (or there are none).
 */
export function detectDateOrder(table: ImportTable, mapping: ColumnMapping): DateOrder | null {
  const column = mapping.findIndex((target) => target.field === 'dueDate');
  if (column === -1) return null;
  let dmy = false;
  let mdy = false;
  for (const row of table.rows) {
    const match = NUMERIC_DATE.exec((row.cells[column] ?? '').trim());
    if (!match) continue;
    if (Number(match[1]) > 12) dmy = true;
    if (Number(match[2]) > 12) mdy = true;
  }
  return dmy === mdy ? null : dmy ? 'dmy' : 'mdy';
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
  const columnOf = (field: ItemField) => mapping.findIndex((target) => target.field === field);
  const columns = Object.fromEntries(ITEM_FIELDS.map((field) => [field, columnOf(field)])) as Record<ItemField, number>;
  const figureColumns = mapping.flatMap((target, index) =>
    target.field === 'figure'
      ? [{ index, kind: target.kind, label: (table.headers[index] ?? '').trim().slice(0, 120) || `Column ${index + 1}` }]
      : [],
  );
  const cell = (row: TableRow, field: ItemField) => (columns[field] === -1 ? '' : (row.cells[columns[field]] ?? '').trim());

  const items: ImportedItem[] = [];
  const problems: RowProblem[] = [];
  for (const row of table.rows) {
    const errors: string[] = [];
    const warnings: string[] = [];
    const given = ITEM_FIELDS.filter((field) => cell(row, field) !== '');
    const reference = cell(row, 'reference') || null;
    if (reference && reference.length > REFERENCE_MAX_LENGTH) errors.push(`The reference is longer than ${REFERENCE_MAX_LENGTH} characters`);
    const title = cell(row, 'title');
    if (title === '') errors.push('The title is empty');
    else if (title.length > TITLE_MAX_LENGTH) errors.push(`The title is longer than ${TITLE_MAX_LENGTH} characters`);
    const section = cell(row, 'section') || context.defaultSection;
    if (section.length > 200) errors.push('The section name is longer than 200 characters');
    const status = parseStatus(cell(row, 'status'));
    if (isError(status)) errors.push(status.error);
    const dueDate = parseDueDate(cell(row, 'dueDate'), context.dateOrder);
    if (isError(dueDate)) errors.push(dueDate.error);
    const risk = parseRisk(cell(row, 'risk'));
    if (isError(risk)) errors.push(risk.error);
    const ownerCell = cell(row, 'owner');
    const owner = ownerCell === '' ? null : matchOwner(ownerCell, context.members);
    const ownerId = owner?.ownerId ?? null;
    if (owner && owner.ownerId === null) {
      warnings.push(owner.warning);
      given.splice(given.indexOf('owner'), 1);
    }
    const figures: ImportedFigure[] = [];
    for (const column of figureColumns) {
      const value = parseFigureValue(row.cells[column.index] ?? '', column.kind);
      const problem = isError(value) ? value.error : figureValueProblem(column.kind, value);
      if (problem) errors.push(`${column.label}: ${problem}`);
      else if (value !== null && !isError(value)) {
        // Two columns with one label would be two figures with one label on the item: the doc model refuses that.
        const clash = duplicateFigureLabel(
          { label: column.label },
          figures.map((figure, at) => ({ id: String(at), label: figure.label })),
        );
        if (clash) errors.push(`${column.label}: two columns have this label`);
        else figures.push({ kind: column.kind, label: column.label, value });
      }
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
      reference,
      title,
      status: status as ItemStatus,
      ownerId,
      dueDate: dueDate as string | null,
      risk: risk as RiskLevel | null,
      figures,
      notes,
      given,
      warnings,
    });
  }
  return { items, problems };
}

export interface ExistingItem {
  id: string;
  title: string;
  reference: string | null;
}

/**
 * The existing item each imported row is the same request as: the one with its reference, else the one with its
 * title (case and accents ignored) when exactly one has it. Each existing item is matched at most once.
 */
export function matchExisting(
  items: readonly Pick<ImportedItem, 'rowNumber' | 'title' | 'reference'>[],
  existing: readonly ExistingItem[],
): Map<number, string> {
  const byReference = new Map<string, string>();
  const byTitle = new Map<string, string[]>();
  for (const item of existing) {
    if (item.reference) byReference.set(item.reference.trim().toLowerCase(), item.id);
    const key = foldName(item.title);
    byTitle.set(key, [...(byTitle.get(key) ?? []), item.id]);
  }
  const used = new Set<string>();
  const result = new Map<number, string>();
  for (const item of items) {
    const candidate = item.reference ? byReference.get(item.reference.trim().toLowerCase()) : undefined;
    const titled = byTitle.get(foldName(item.title)) ?? [];
    const id = candidate ?? (titled.length === 1 ? titled[0] : undefined);
    if (id && !used.has(id)) {
      used.add(id);
      result.set(item.rowNumber, id);
    }
  }
  return result;
}
