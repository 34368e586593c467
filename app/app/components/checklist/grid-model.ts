/*
 * The grid view's pure parts: columns, how a cell reads and how typed or pasted text becomes a change, TSV for the
 * clipboard, sorting, and the view state kept in the URL. No React here (tested in app/test/grid-model.test.ts).
 */
import {
  FIGURE_KINDS,
  ITEM_STATUSES,
  RISK_LEVELS,
  STATUS_LABELS,
  dueDateSchema,
  problemMessage,
  referenceSchema,
  titleSchema,
  type ItemPatch,
  type ItemView,
} from '@tieout/doc-model';
import { formatFigure } from '~/utils/format.ts';
import { RISK_LABELS } from './labels.ts';
import { lastChangeLabel, type LastChangeData } from './last-changes.ts';
import { isFiltering, NO_FILTER, type ItemFilter } from './view.ts';

export const GRID_COLUMNS = ['ref', 'title', 'status', 'owner', 'due', 'risk', 'figures', 'comments', 'changed'] as const;
export type GridColumn = (typeof GRID_COLUMNS)[number];

export const COLUMN_LABELS: Record<GridColumn, string> = {
  ref: 'Ref',
  title: 'Title',
  status: 'Status',
  owner: 'Owner',
  due: 'Due',
  risk: 'Risk',
  figures: 'Key figures',
  comments: 'Open comments',
  changed: 'Last change',
};

export const DEFAULT_WIDTHS: Record<GridColumn, number> = {
  ref: 80,
  title: 360,
  status: 130,
  owner: 160,
  due: 120,
  risk: 100,
  figures: 220,
  comments: 130,
  changed: 240,
};
export const MIN_WIDTH = 56;
export const MAX_WIDTH = 900;

/** Columns a person can hide; the title stays (it is the frozen column that names each row). */
export const HIDEABLE: readonly GridColumn[] = GRID_COLUMNS.filter((column) => column !== 'title');
export const EDITABLE_COLUMNS: ReadonlySet<GridColumn> = new Set(['ref', 'title', 'status', 'owner', 'due', 'risk']);
/** Columns edited with a list of choices (a select) rather than free text. */
export const CHOICE_COLUMNS: ReadonlySet<GridColumn> = new Set(['status', 'owner', 'risk']);

export interface GridMember {
  id: string;
  name: string;
  email?: string | null;
}

export interface CellContext {
  /** Everyone in the workspace, for showing names. */
  memberName: (id: string) => string | undefined;
  /** Members who may own items (owners and editors). */
  assignable: readonly GridMember[];
  openComments: (itemId: string) => number;
  /** Who changed the item last and when, from the audit trail (decision 124); null when nobody has yet. */
  lastChange?: (itemId: string) => LastChangeData | null;
}

/** The text a cell shows and copies. */
export function cellText(item: ItemView, column: GridColumn, context: CellContext): string {
  switch (column) {
    case 'ref':
      return item.reference ?? '';
    case 'title':
      return item.title;
    case 'status':
      return STATUS_LABELS[item.status];
    case 'owner':
      return item.ownerId ? (context.memberName(item.ownerId) ?? 'Former member') : '';
    case 'due':
      return item.dueDate ?? '';
    case 'risk':
      return item.risk ? RISK_LABELS[item.risk] : '';
    case 'figures':
      return item.figures
        .filter((figure) => figure.value !== null)
        .slice(0, 3)
        .map((figure) => `${figure.label}: ${formatFigure(figure.kind, FIGURE_KINDS[figure.kind].unit, figure.value)}`)
        .join('; ');
    case 'comments':
      return String(context.openComments(item.id));
    case 'changed': {
      const change = context.lastChange?.(item.id);
      return change ? lastChangeLabel(change, Date.now()) : '';
    }
  }
}

/** Compares text without case or accents ("Émile" and "emile" are the same name). */
export const fold = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{Diacritic}/gu, '')
    .trim()
    .toLowerCase();

export type CellParse = { ok: true; patch: ItemPatch } | { ok: false; message: string };

/** What typed or pasted text in a cell changes; a clear message when it cannot be used. Empty text clears the cell. */
export function parseCell(column: GridColumn, raw: string, context: CellContext): CellParse {
  const text = raw.replace(/\s+/g, ' ').trim();
  switch (column) {
    case 'ref': {
      if (text === '') return { ok: true, patch: { reference: null } };
      const parsed = referenceSchema.safeParse(text);
      return parsed.success ? { ok: true, patch: { reference: parsed.data } } : { ok: false, message: problemMessage(parsed.error) };
    }
    case 'title': {
      const parsed = titleSchema.safeParse(text);
      return parsed.success ? { ok: true, patch: { title: parsed.data } } : { ok: false, message: problemMessage(parsed.error) };
    }
    case 'status': {
      if (text === '') return { ok: true, patch: { status: 'not_started' } };
      const status = ITEM_STATUSES.find(
        (key) => fold(key.replace(/_/g, ' ')) === fold(text.replace(/_/g, ' ')) || fold(STATUS_LABELS[key]) === fold(text),
      );
      return status
        ? { ok: true, patch: { status } }
        : { ok: false, message: `“${text}” is not a status: use ${ITEM_STATUSES.map((key) => STATUS_LABELS[key]).join(', ')}` };
    }
    case 'owner': {
      if (text === '' || fold(text) === 'unassigned') return { ok: true, patch: { ownerId: null } };
      const key = fold(text);
      const member =
        context.assignable.find((candidate) => candidate.id === text) ??
        context.assignable.find((candidate) => candidate.email && fold(candidate.email) === key) ??
        context.assignable.find((candidate) => fold(candidate.name) === key);
      return member
        ? { ok: true, patch: { ownerId: member.id } }
        : { ok: false, message: `“${text}” is not a member who can own items (owners and editors can)` };
    }
    case 'due': {
      if (text === '') return { ok: true, patch: { dueDate: null } };
      const iso = plainDate(text);
      if (!iso) return { ok: false, message: `“${text}” is not a date: use a date like 2026-12-31` };
      const parsed = dueDateSchema.safeParse(iso);
      return parsed.success ? { ok: true, patch: { dueDate: parsed.data } } : { ok: false, message: problemMessage(parsed.error) };
    }
    case 'risk': {
      if (text === '' || fold(text) === 'no risk' || fold(text) === 'none') return { ok: true, patch: { risk: null } };
      const risk = RISK_LEVELS.find((key) => fold(key) === fold(text) || fold(RISK_LABELS[key]) === fold(text));
      return risk
        ? { ok: true, patch: { risk } }
        : { ok: false, message: `“${text}” is not a risk level: use ${RISK_LEVELS.map((key) => RISK_LABELS[key]).join(', ')}` };
    }
    case 'figures':
    case 'comments':
      return { ok: false, message: `${COLUMN_LABELS[column]} are changed in the item's details, not in the grid` };
    case 'changed':
      return { ok: false, message: 'The last change is recorded as people edit an item; it cannot be typed in the grid' };
  }
}

/**
 * A date typed or pasted into the due column: ISO (2026-12-31, or with a time after it), or with the month written
 * out (31 Dec 2026, Dec 31, 2026). Numeric day/month orders are ambiguous without a choice (the import asks for
 * one); they are not guessed here.
 */
export function plainDate(text: string): string | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(text);
  if (iso) return `${iso[1]}-${iso[2]!.padStart(2, '0')}-${iso[3]!.padStart(2, '0')}`;
  const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  const named =
    /^(\d{1,2})\s+([a-z]{3})[a-z]*\.?,?\s+(\d{4})$/i.exec(text)?.slice(1) ??
    (() => {
      const match = /^([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})$/i.exec(text);
      return match ? [match[2]!, match[1]!, match[3]!] : null;
    })();
  if (!named) return null;
  const month = months.indexOf(named[1]!.toLowerCase()) + 1;
  if (month === 0) return null;
  return `${named[2]}-${String(month).padStart(2, '0')}-${named[0]!.padStart(2, '0')}`;
}

/** Cells as tab-separated text, the format spreadsheets put on and read from the clipboard. */
export function toTsv(rows: string[][]): string {
  const cell = (value: string) => (/[\t\n"]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return rows.map((row) => row.map(cell).join('\t')).join('\n');
}

/** Tab-separated text (from a spreadsheet) to rows of cells; quoted cells may hold tabs, line breaks and quotes. */
export function fromTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const source = text.replace(/\r\n?/g, '\n').replace(/\n$/, '');
  for (let index = 0; index < source.length; index += 1) {
    const char = source[index]!;
    if (quoted) {
      if (char === '"' && source[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === '\t') {
      row.push(cell);
      cell = '';
    } else if (char === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += char;
  }
  row.push(cell);
  rows.push(row);
  return rows;
}

/** "1.2.10" after "1.2.9"; "A-2" before "A-10". */
const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const statusRank = new Map(ITEM_STATUSES.map((status, index) => [status, index]));
const riskRank = new Map(RISK_LEVELS.map((risk, index) => [risk, index + 1]));

export type SortDirection = 'asc' | 'desc';
export interface GridSort {
  column: GridColumn;
  direction: SortDirection;
}

/** Compares two items by a column; empty values go last in either direction. */
export function compareBy(column: GridColumn, context: CellContext): (a: ItemView, b: ItemView) => number {
  const emptyLast =
    <T>(get: (item: ItemView) => T | null, compare: (a: T, b: T) => number) =>
    (a: ItemView, b: ItemView) => {
      const x = get(a);
      const y = get(b);
      if (x === null && y === null) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return compare(x, y);
    };
  switch (column) {
    case 'ref':
      return emptyLast(
        (item) => item.reference,
        (a, b) => natural.compare(a, b),
      );
    case 'title':
      return (a, b) => natural.compare(a.title, b.title);
    case 'status':
      return (a, b) => statusRank.get(a.status)! - statusRank.get(b.status)!;
    case 'owner':
      return emptyLast(
        (item) => (item.ownerId ? (context.memberName(item.ownerId) ?? '') : null),
        (a, b) => natural.compare(a, b),
      );
    case 'due':
      return emptyLast(
        (item) => item.dueDate,
        (a, b) => a.localeCompare(b),
      );
    case 'risk':
      return emptyLast(
        (item) => (item.risk ? riskRank.get(item.risk)! : null),
        (a, b) => a - b,
      );
    case 'figures':
      return (a, b) => natural.compare(cellText(a, 'figures', context), cellText(b, 'figures', context));
    case 'comments':
      return (a, b) => context.openComments(a.id) - context.openComments(b.id);
    case 'changed':
      // Oldest change first when ascending; never-changed items go last either way.
      return emptyLast(
        (item) => context.lastChange?.(item.id)?.at ?? null,
        (a, b) => Date.parse(a) - Date.parse(b),
      );
  }
}

const OPTIONAL_COLUMNS: ReadonlySet<GridColumn> = new Set(['ref', 'owner', 'due', 'risk', 'figures', 'changed']);

/** Sorts items by `sort` (empty values last), keeping the checklist order between equal ones. */
export function sortItems(items: readonly ItemView[], sort: GridSort | null, context: CellContext): ItemView[] {
  if (!sort) return [...items];
  const compare = compareBy(sort.column, context);
  const sign = sort.direction === 'asc' ? 1 : -1;
  const isEmpty = (item: ItemView) => OPTIONAL_COLUMNS.has(sort.column) && cellText(item, sort.column, context) === '';
  return items
    .map((item, index) => ({ item, index, empty: isEmpty(item) }))
    .sort((a, b) => (a.empty !== b.empty ? (a.empty ? 1 : -1) : sign * compare(a.item, b.item) || a.index - b.index))
    .map(({ item }) => item);
}

/** The grid's view in the URL: sort, filters, grouping, so a link or a reload shows the same grid. */
export interface GridViewState {
  sort: GridSort | null;
  filter: ItemFilter;
  grouped: boolean;
}

export function readGridState(params: URLSearchParams): GridViewState {
  const column = params.get('sort');
  const sort =
    column && (GRID_COLUMNS as readonly string[]).includes(column)
      ? { column: column as GridColumn, direction: (params.get('dir') === 'desc' ? 'desc' : 'asc') as SortDirection }
      : null;
  const status = params.get('status') ?? '';
  const risk = params.get('risk') ?? '';
  return {
    sort,
    grouped: params.get('group') !== 'none',
    filter: {
      ...NO_FILTER,
      status: (ITEM_STATUSES as readonly string[]).includes(status) ? (status as ItemFilter['status']) : '',
      risk: (RISK_LEVELS as readonly string[]).includes(risk) ? (risk as ItemFilter['risk']) : '',
      owner: params.get('owner') ?? '',
      overdueOnly: params.get('overdue') === '1',
      query: params.get('q') ?? '',
    },
  };
}

export function writeGridState(state: GridViewState, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const params = new URLSearchParams(base);
  for (const key of ['sort', 'dir', 'status', 'risk', 'owner', 'overdue', 'q', 'group']) params.delete(key);
  if (state.sort) {
    params.set('sort', state.sort.column);
    params.set('dir', state.sort.direction);
  }
  const { filter } = state;
  if (filter.status) params.set('status', filter.status);
  if (filter.risk) params.set('risk', filter.risk);
  if (filter.owner) params.set('owner', filter.owner);
  if (filter.overdueOnly) params.set('overdue', '1');
  if (filter.query.trim()) params.set('q', filter.query);
  if (!state.grouped) params.set('group', 'none');
  return params;
}

export { isFiltering };
