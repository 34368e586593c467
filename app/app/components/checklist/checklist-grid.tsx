/*
 * The grid: one line per item, driven like a spreadsheet. Accessible names (Playwright uses them):
 *   grid "Checklist grid" (focusable; aria-activedescendant is the active cell) with rows of gridcells; column
 *   headers are buttons "Sort by <column>"; a cell being edited is a textbox or combobox "<Column> of <title>".
 *   Keys: arrows move (Shift extends the range), Home/End, Page Up/Down, Enter or F2 edits (typing edits too,
 *   starting from the typed character), Escape cancels, Tab/Shift+Tab move on (and commit), Delete clears,
 *   Ctrl/Cmd+C copies the range as tab-separated text, Ctrl/Cmd+V pastes such text (from a spreadsheet) at the
 *   active cell, Ctrl/Cmd+D fills the range down from its first row.
 *   group "Columns" (column chooser: checkboxes "Show <column>"), separator "Resize <column>" (drag, or arrows).
 * Every change goes through @tieout/doc-model on the shared Y.Doc, one transaction per paste or fill.
 */
import {
  ITEM_STATUSES,
  REFERENCE_MAX_LENGTH,
  RISK_LEVELS,
  STATUS_LABELS,
  TITLE_MAX_LENGTH,
  updateItem,
  type ItemPatch,
  type ItemView,
  type SectionView,
} from '@tieout/doc-model';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import type * as Y from 'yjs';
import {
  CHOICE_COLUMNS,
  COLUMN_LABELS,
  DEFAULT_WIDTHS,
  EDITABLE_COLUMNS,
  GRID_COLUMNS,
  HIDEABLE,
  MAX_WIDTH,
  MIN_WIDTH,
  cellText,
  fromTsv,
  parseCell,
  sortItems,
  toTsv,
  type CellContext,
  type GridColumn,
  type GridSort,
} from './grid-model.ts';
import { RISK_LABELS, STATUS_TONE } from './labels.ts';
import { LastChanged } from './last-changed.tsx';

export const ROW_HEIGHT = 34;
const GROUP_HEIGHT = 34;

type Row = { kind: 'section'; section: SectionView; count: number } | { kind: 'item'; item: ItemView; section: SectionView };

interface Cell {
  row: number; // index among item rows
  col: number; // index among visible columns
}

interface Editing {
  itemId: string;
  column: GridColumn;
  draft: string;
}

const PREFS_KEY = 'tieout:grid-columns';
interface ColumnPrefs {
  hidden: GridColumn[];
  widths: Partial<Record<GridColumn, number>>;
}
function loadPrefs(): ColumnPrefs {
  try {
    const parsed = JSON.parse(window.localStorage.getItem(PREFS_KEY) ?? '{}') as Partial<ColumnPrefs>;
    return {
      hidden: (parsed.hidden ?? []).filter((column) => HIDEABLE.includes(column)),
      widths: parsed.widths ?? {},
    };
  } catch {
    return { hidden: [], widths: {} };
  }
}

export interface GridProps {
  doc: Y.Doc;
  sections: { section: SectionView; items: ItemView[] }[];
  grouped: boolean;
  sort: GridSort | null;
  onSort: (sort: GridSort | null) => void;
  editable: boolean;
  context: CellContext;
  /** Runs a document change; shows its error and returns false when it fails. */
  edit: (change: () => void) => boolean;
  onMessage: (message: string | null) => void;
  announce: (message: string) => void;
}

export function ChecklistGrid({ doc, sections, grouped, sort, onSort, editable, context, edit, onMessage, announce }: GridProps) {
  const [prefs, setPrefs] = useState<ColumnPrefs>({ hidden: [], widths: {} });
  useEffect(() => setPrefs(loadPrefs()), []);
  const savePrefs = (next: ColumnPrefs) => {
    setPrefs(next);
    try {
      window.localStorage.setItem(PREFS_KEY, JSON.stringify(next));
    } catch {
      // private mode: the choice lasts for this page
    }
  };
  const columns = useMemo(() => GRID_COLUMNS.filter((column) => !prefs.hidden.includes(column)), [prefs.hidden]);
  const widths = useMemo(() => columns.map((column) => prefs.widths[column] ?? DEFAULT_WIDTHS[column]), [columns, prefs.widths]);
  const template = widths.map((width) => `${width}px`).join(' ');
  const totalWidth = widths.reduce((sum, width) => sum + width, 0);
  // Frozen: everything up to and including the title column sticks to the left edge.
  const titleIndex = columns.indexOf('title');
  const stickyLeft = (index: number) => (index <= titleIndex ? widths.slice(0, index).reduce((sum, width) => sum + width, 0) : null);

  const rows = useMemo<Row[]>(() => {
    if (grouped) {
      return sections.flatMap(({ section, items }) => {
        const sorted = sortItems(items, sort, context);
        return [{ kind: 'section' as const, section, count: sorted.length }, ...sorted.map((item) => ({ kind: 'item' as const, item, section }))];
      });
    }
    const all = sections.flatMap(({ section, items }) => items.map((item) => ({ item, section })));
    const bySection = new Map(all.map(({ item, section }) => [item.id, section]));
    return sortItems(
      all.map(({ item }) => item),
      sort,
      context,
    ).map((item) => ({ kind: 'item' as const, item, section: bySection.get(item.id)! }));
  }, [sections, grouped, sort, context]);
  const itemRows = useMemo(() => rows.flatMap((row, index) => (row.kind === 'item' ? [{ row, index }] : [])), [rows]);
  const rowOfItem = useMemo(() => new Map(itemRows.map(({ row }, index) => [row.item.id, index])), [itemRows]);

  const [active, setActive] = useState<Cell>({ row: 0, col: Math.max(0, titleIndex) });
  const [anchor, setAnchor] = useState<Cell | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  // The active cell follows its item when rows re-order (a sort, someone else's move).
  const activeItemId = useRef<string | null>(null);
  useLayoutEffect(() => {
    const id = activeItemId.current;
    if (id === null) return;
    const row = rowOfItem.get(id);
    if (row !== undefined && row !== active.row) setActive((cell) => ({ ...cell, row }));
  }, [rowOfItem]); // eslint-disable-line react-hooks/exhaustive-deps
  const clamp = useCallback(
    (cell: Cell): Cell => ({
      row: Math.max(0, Math.min(itemRows.length - 1, cell.row)),
      col: Math.max(0, Math.min(columns.length - 1, cell.col)),
    }),
    [itemRows.length, columns.length],
  );
  const current = clamp(active);
  activeItemId.current = itemRows[current.row]?.row.item.id ?? null;

  const scrollRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => (rows[index]?.kind === 'section' ? GROUP_HEIGHT : ROW_HEIGHT),
    overscan: 12,
  });
  useEffect(() => virtualizer.measure(), [rows, virtualizer]);

  const range = useMemo(() => {
    const from = anchor ? clamp(anchor) : current;
    return {
      top: Math.min(from.row, current.row),
      bottom: Math.max(from.row, current.row),
      left: Math.min(from.col, current.col),
      right: Math.max(from.col, current.col),
    };
  }, [anchor, current, clamp]);

  const moveTo = (cell: Cell, extend = false) => {
    const next = clamp(cell);
    if (extend) setAnchor((existing) => existing ?? current);
    else setAnchor(null);
    setActive(next);
    const rowIndex = itemRows[next.row]?.index;
    if (rowIndex !== undefined) virtualizer.scrollToIndex(rowIndex, { align: 'auto' });
  };

  const focusGrid = () => gridRef.current?.focus({ preventScroll: true });

  const itemAt = (row: number) => itemRows[row]?.row.item ?? null;

  const startEditing = (initial?: string) => {
    const item = itemAt(current.row);
    const column = columns[current.col];
    if (!item || !column) return;
    if (!editable) return onMessage('Your role can follow this checklist but not change it.');
    if (!EDITABLE_COLUMNS.has(column)) return onMessage(`${COLUMN_LABELS[column]} are changed in the item's details, not in the grid.`);
    onMessage(null);
    const draft =
      initial ??
      (column === 'owner'
        ? (item.ownerId ?? '')
        : column === 'status'
          ? item.status
          : column === 'risk'
            ? (item.risk ?? '')
            : cellText(item, column, context));
    setEditing({ itemId: item.id, column, draft });
  };

  /** Applies text to one cell; null when done, else the problem. */
  const applyText = (item: ItemView, column: GridColumn, text: string): string | null => {
    const parsed = parseCell(column, text, context);
    if (!parsed.ok) return parsed.message;
    let problem: string | null = null;
    edit(() => {
      try {
        updateItem(doc, item.id, parsed.patch);
      } catch (failure) {
        problem = failure instanceof Error ? failure.message : 'The change could not be made';
        throw failure;
      }
    });
    return problem;
  };

  const commit = (value: string, then: 'down' | 'right' | 'left' | 'stay') => {
    if (!editing) return;
    const item = itemRows.find(({ row }) => row.item.id === editing.itemId)?.row.item;
    if (item) {
      const choice = CHOICE_COLUMNS.has(editing.column);
      // Choices hold ids/keys; typed text goes through the same parser as a paste.
      const text = choice ? choiceText(editing.column, value, context) : value;
      const problem = cellText(item, editing.column, context) === text && !choice ? null : applyText(item, editing.column, text);
      if (problem) {
        onMessage(problem);
        return;
      }
    }
    setEditing(null);
    onMessage(null);
    focusGrid();
    if (then === 'down') moveTo({ row: current.row + 1, col: current.col });
    else if (then === 'right') moveTo({ row: current.row, col: current.col + 1 });
    else if (then === 'left') moveTo({ row: current.row, col: current.col - 1 });
  };

  const cancel = () => {
    setEditing(null);
    onMessage(null);
    focusGrid();
  };

  const copyRange = (): string => {
    const lines: string[][] = [];
    for (let row = range.top; row <= range.bottom; row += 1) {
      const item = itemAt(row);
      if (!item) continue;
      const line: string[] = [];
      for (let col = range.left; col <= range.right; col += 1) line.push(cellText(item, columns[col]!, context));
      lines.push(line);
    }
    return toTsv(lines);
  };

  /** Writes a block of text cells from the active cell (or fills a selected range when one value is pasted). */
  const pasteBlock = (block: string[][]) => {
    if (!editable) return onMessage('Your role can follow this checklist but not change it.');
    const single = block.length === 1 && block[0]!.length === 1;
    const rowsToFill = single && (range.bottom > range.top || range.right > range.left) ? range.bottom - range.top + 1 : block.length;
    const colsToFill = single && (range.bottom > range.top || range.right > range.left) ? range.right - range.left + 1 : block[0]!.length;
    const top = single ? range.top : current.row;
    const left = single ? range.left : current.col;
    const problems: string[] = [];
    let changed = 0;
    const patches: { item: ItemView; patch: ItemPatch }[] = [];
    for (let r = 0; r < rowsToFill; r += 1) {
      const item = itemAt(top + r);
      if (!item) {
        problems.push(`${rowsToFill - r} rows did not fit below the last item`);
        break;
      }
      const patch: ItemPatch = {};
      for (let c = 0; c < colsToFill; c += 1) {
        const column = columns[left + c];
        if (!column) continue;
        const text = single ? block[0]![0]! : (block[r]?.[c] ?? '');
        if (!EDITABLE_COLUMNS.has(column)) continue;
        const parsed = parseCell(column, text, context);
        if (parsed.ok) Object.assign(patch, parsed.patch);
        else problems.push(`row ${top + r + 1}, ${COLUMN_LABELS[column]}: ${parsed.message}`);
      }
      if (Object.keys(patch).length) patches.push({ item, patch });
    }
    if (patches.length) {
      const ok = edit(() => doc.transact(() => patches.forEach(({ item, patch }) => updateItem(doc, item.id, patch))));
      if (ok) changed = patches.length;
    }
    setAnchor({ row: top, col: left });
    setActive(clamp({ row: top + rowsToFill - 1, col: left + colsToFill - 1 }));
    const summary = `Pasted into ${changed} ${changed === 1 ? 'row' : 'rows'}`;
    announce(summary);
    onMessage(
      problems.length
        ? `${summary}. Not pasted: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` and ${problems.length - 3} more` : ''}.`
        : null,
    );
  };

  const fillDown = () => {
    if (!editable) return onMessage('Your role can follow this checklist but not change it.');
    if (range.bottom === range.top) return onMessage('Select the cells to fill first (Shift and the arrow keys): the first row is copied down.');
    const source = itemAt(range.top);
    if (!source) return;
    const patch: ItemPatch = {};
    for (let col = range.left; col <= range.right; col += 1) {
      const column = columns[col]!;
      if (!EDITABLE_COLUMNS.has(column) || column === 'title' || column === 'ref') continue;
      const parsed = parseCell(column, cellText(source, column, context), context);
      if (parsed.ok) Object.assign(patch, parsed.patch);
    }
    if (Object.keys(patch).length === 0) return onMessage('Titles and references are not filled down: each item keeps its own.');
    const targets: string[] = [];
    for (let row = range.top + 1; row <= range.bottom; row += 1) {
      const item = itemAt(row);
      if (item) targets.push(item.id);
    }
    if (edit(() => doc.transact(() => targets.forEach((id) => updateItem(doc, id, patch))))) {
      announce(`Filled ${targets.length} ${targets.length === 1 ? 'row' : 'rows'} down`);
      onMessage(null);
    }
  };

  const clearRange = () => {
    if (!editable) return onMessage('Your role can follow this checklist but not change it.');
    const patch: ItemPatch = {};
    for (let col = range.left; col <= range.right; col += 1) {
      const column = columns[col]!;
      if (!EDITABLE_COLUMNS.has(column) || column === 'title') continue;
      const parsed = parseCell(column, '', context);
      if (parsed.ok) Object.assign(patch, parsed.patch);
    }
    if (Object.keys(patch).length === 0) return;
    const ids: string[] = [];
    for (let row = range.top; row <= range.bottom; row += 1) {
      const item = itemAt(row);
      if (item) ids.push(item.id);
    }
    edit(() => doc.transact(() => ids.forEach((id) => updateItem(doc, id, patch))));
  };

  const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 600) / ROW_HEIGHT) - 1);
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (editing) return;
    const mod = event.ctrlKey || event.metaKey;
    const { row, col } = current;
    const key = event.key;
    const moves: Record<string, Cell> = {
      ArrowUp: { row: row - 1, col },
      ArrowDown: { row: row + 1, col },
      ArrowLeft: { row, col: col - 1 },
      ArrowRight: { row, col: col + 1 },
      PageUp: { row: row - pageRows, col },
      PageDown: { row: row + pageRows, col },
      Home: mod ? { row: 0, col: 0 } : { row, col: 0 },
      End: mod ? { row: itemRows.length - 1, col: columns.length - 1 } : { row, col: columns.length - 1 },
    };
    if (key in moves && !event.altKey) {
      event.preventDefault();
      moveTo(moves[key]!, event.shiftKey);
    } else if (key === 'Tab') {
      event.preventDefault();
      moveTo({ row, col: col + (event.shiftKey ? -1 : 1) });
    } else if (key === 'Enter' || key === 'F2') {
      event.preventDefault();
      startEditing();
    } else if (key === 'Escape') {
      if (anchor) {
        event.preventDefault();
        setAnchor(null);
      }
    } else if ((key === 'Delete' || key === 'Backspace') && !mod) {
      event.preventDefault();
      clearRange();
    } else if (mod && key.toLowerCase() === 'd') {
      event.preventDefault();
      fillDown();
    } else if (mod && key.toLowerCase() === 'a') {
      event.preventDefault();
      setAnchor({ row: 0, col: 0 });
      setActive({ row: itemRows.length - 1, col: columns.length - 1 });
    } else if (key.length === 1 && !mod && !event.altKey) {
      const column = columns[col];
      if (column && EDITABLE_COLUMNS.has(column) && !CHOICE_COLUMNS.has(column)) {
        event.preventDefault();
        startEditing(key);
      } else if (column && CHOICE_COLUMNS.has(column)) {
        event.preventDefault();
        startEditing();
      }
    }
  };

  const cellId = (row: number, col: number) => `grid-cell-${row}-${col}`;

  return (
    <div className="space-y-2">
      <ColumnChooser
        hidden={prefs.hidden}
        onToggle={(column, shown) =>
          savePrefs({ ...prefs, hidden: shown ? prefs.hidden.filter((other) => other !== column) : [...prefs.hidden, column] })
        }
        onReset={() => savePrefs({ hidden: [], widths: {} })}
      />
      <div
        ref={scrollRef}
        className="relative h-[calc(100dvh-15rem)] min-h-[20rem] overflow-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-950"
      >
        <div
          ref={gridRef}
          role="grid"
          aria-label="Checklist grid"
          aria-rowcount={rows.length + 1}
          aria-colcount={columns.length}
          aria-multiselectable="true"
          aria-activedescendant={editing ? undefined : cellId(current.row, current.col)}
          tabIndex={0}
          onKeyDown={onKeyDown}
          onCopy={(event) => {
            if (editing) return;
            event.preventDefault();
            event.clipboardData.setData('text/plain', copyRange());
            announce(`Copied ${range.bottom - range.top + 1} by ${range.right - range.left + 1} cells`);
          }}
          onPaste={(event) => {
            if (editing) return;
            event.preventDefault();
            const text = event.clipboardData.getData('text/plain');
            if (text) pasteBlock(fromTsv(text));
          }}
          className="outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-sky-500/40"
          style={{ width: totalWidth, minWidth: '100%' }}
        >
          <div
            role="row"
            aria-rowindex={1}
            className="sticky top-0 z-20 grid border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-300"
            style={{ gridTemplateColumns: template }}
          >
            {columns.map((column, index) => {
              const left = stickyLeft(index);
              const sorted = sort?.column === column ? sort.direction : null;
              return (
                <div
                  key={column}
                  role="columnheader"
                  aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                  className={`relative flex h-9 items-center border-r border-slate-200 px-2 dark:border-slate-800 ${left !== null ? 'sticky z-10 bg-slate-50 dark:bg-slate-900' : ''}`}
                  style={left !== null ? { left } : undefined}
                >
                  <button
                    type="button"
                    tabIndex={-1}
                    aria-label={`Sort by ${COLUMN_LABELS[column]}`}
                    onClick={() => onSort(sorted === null ? { column, direction: 'asc' } : sorted === 'asc' ? { column, direction: 'desc' } : null)}
                    className="flex min-w-0 flex-1 items-center gap-1 truncate text-left hover:text-slate-900 dark:hover:text-white"
                  >
                    <span className="truncate">{COLUMN_LABELS[column]}</span>
                    <span aria-hidden="true">{sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}</span>
                  </button>
                  <Resizer
                    column={column}
                    width={widths[index]!}
                    onResize={(width) => savePrefs({ ...prefs, widths: { ...prefs.widths, [column]: width } })}
                  />
                </div>
              );
            })}
          </div>
          <div className="relative" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((virtual) => {
              const row = rows[virtual.index]!;
              const style: CSSProperties = {
                position: 'absolute',
                top: 0,
                left: 0,
                width: '100%',
                height: virtual.size,
                transform: `translateY(${virtual.start}px)`,
              };
              if (row.kind === 'section') {
                return (
                  <div
                    key={`s:${row.section.id}`}
                    role="row"
                    aria-rowindex={virtual.index + 2}
                    style={style}
                    className="border-b border-slate-200 bg-slate-100/80 dark:border-slate-800 dark:bg-slate-900"
                  >
                    <div
                      role="rowheader"
                      aria-colspan={columns.length}
                      className="sticky left-0 flex h-full w-max items-center gap-2 px-2 text-sm font-semibold"
                    >
                      {row.section.title}
                      <span className="text-xs font-normal text-slate-500 dark:text-slate-400">
                        {row.count} {row.count === 1 ? 'item' : 'items'}
                      </span>
                    </div>
                  </div>
                );
              }
              const itemIndex = rowOfItem.get(row.item.id)!;
              return (
                <GridRow
                  key={row.item.id}
                  item={row.item}
                  rowIndex={itemIndex}
                  ariaRowIndex={virtual.index + 2}
                  style={style}
                  columns={columns}
                  template={template}
                  stickyLeft={stickyLeft}
                  activeCol={current.row === itemIndex ? current.col : -1}
                  selectedCols={itemIndex >= range.top && itemIndex <= range.bottom ? [range.left, range.right] : null}
                  editing={editing && editing.itemId === row.item.id ? editing : null}
                  context={context}
                  cellId={cellId}
                  onCellPointer={(col, extend) => {
                    if (editing) return;
                    moveTo({ row: itemIndex, col }, extend);
                    focusGrid();
                  }}
                  onCellDoubleClick={() => startEditing()}
                  onDraft={(draft) => setEditing((state) => (state ? { ...state, draft } : state))}
                  onCommit={commit}
                  onCancel={cancel}
                />
              );
            })}
          </div>
        </div>
        {itemRows.length === 0 ? <p className="p-4 text-sm text-slate-500">No items to show.</p> : null}
      </div>
    </div>
  );
}

function choiceText(column: GridColumn, value: string, _context: CellContext): string {
  if (column === 'status') return STATUS_LABELS[value as ItemView['status']] ?? value;
  if (column === 'risk') return value ? (RISK_LABELS[value as keyof typeof RISK_LABELS] ?? value) : '';
  if (column === 'owner') return value; // an id or '' (parseCell accepts ids of assignable members)
  return value;
}

const GridRow = memo(function GridRow({
  item,
  rowIndex,
  ariaRowIndex,
  style,
  columns,
  template,
  stickyLeft,
  activeCol,
  selectedCols,
  editing,
  context,
  cellId,
  onCellPointer,
  onCellDoubleClick,
  onDraft,
  onCommit,
  onCancel,
}: {
  item: ItemView;
  rowIndex: number;
  ariaRowIndex: number;
  style: CSSProperties;
  columns: GridColumn[];
  template: string;
  stickyLeft: (index: number) => number | null;
  activeCol: number;
  selectedCols: [number, number] | null;
  editing: Editing | null;
  context: CellContext;
  cellId: (row: number, col: number) => string;
  onCellPointer: (col: number, extend: boolean) => void;
  onCellDoubleClick: () => void;
  onDraft: (draft: string) => void;
  onCommit: (value: string, then: 'down' | 'right' | 'left' | 'stay') => void;
  onCancel: () => void;
}) {
  return (
    <div
      role="row"
      aria-rowindex={ariaRowIndex}
      data-item-id={item.id}
      style={{ ...style, gridTemplateColumns: template }}
      className="grid border-b border-slate-100 text-sm dark:border-slate-800/70"
    >
      {columns.map((column, col) => {
        const left = stickyLeft(col);
        const active = col === activeCol;
        const selected = selectedCols !== null && col >= selectedCols[0] && col <= selectedCols[1];
        const isEditing = active && editing?.column === column;
        const text = cellText(item, column, context);
        return (
          <div
            key={column}
            id={cellId(rowIndex, col)}
            role="gridcell"
            aria-selected={selected || active}
            aria-label={`${COLUMN_LABELS[column]} of ${item.title}`}
            data-column={column}
            onMouseDown={(event) => {
              if (isEditing) return;
              event.preventDefault();
              onCellPointer(col, event.shiftKey);
            }}
            onDoubleClick={onCellDoubleClick}
            className={`relative flex items-center overflow-hidden border-r border-slate-100 px-2 dark:border-slate-800/70 ${
              left !== null ? 'sticky z-[5] bg-white dark:bg-slate-950' : ''
            } ${selected ? 'bg-sky-50 dark:bg-sky-950/60' : ''} ${active ? 'outline outline-2 -outline-offset-2 outline-sky-500' : ''} ${
              column === 'comments' || column === 'due' ? 'tabular-nums' : ''
            } ${column === 'ref' ? 'font-mono text-xs' : ''}`}
            style={left !== null ? { left } : undefined}
          >
            {isEditing && editing ? (
              <CellEditor column={column} item={item} editing={editing} context={context} onDraft={onDraft} onCommit={onCommit} onCancel={onCancel} />
            ) : column === 'status' ? (
              <span className={`truncate rounded border px-1.5 py-0.5 text-xs font-medium ${STATUS_TONE[item.status]}`}>{text}</span>
            ) : column === 'changed' ? (
              // The list's line (decision 124), live: it re-renders on its own as the loader's list and the clock move.
              <span className="truncate text-xs text-slate-500 dark:text-slate-400">
                <LastChanged itemId={item.id} itemTitle={item.title} />
              </span>
            ) : (
              <span className="truncate" title={column === 'title' || column === 'figures' ? text : undefined}>
                {text}
              </span>
            )}
          </div>
        );
      })}
    </div>
  );
});

function CellEditor({
  column,
  item,
  editing,
  context,
  onDraft,
  onCommit,
  onCancel,
}: {
  column: GridColumn;
  item: ItemView;
  editing: Editing;
  context: CellContext;
  onDraft: (draft: string) => void;
  onCommit: (value: string, then: 'down' | 'right' | 'left' | 'stay') => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLInputElement & HTMLSelectElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    element.focus();
    if (element instanceof HTMLInputElement) element.setSelectionRange(element.value.length, element.value.length);
  }, []);
  const done = useRef(false);
  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    event.stopPropagation();
    if (event.key === 'Escape') {
      event.preventDefault();
      done.current = true;
      onCancel();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      done.current = true;
      onCommit(editing.draft, 'down');
    } else if (event.key === 'Tab') {
      event.preventDefault();
      done.current = true;
      onCommit(editing.draft, event.shiftKey ? 'left' : 'right');
    }
  };
  const onBlur = () => {
    if (!done.current) onCommit(editing.draft, 'stay');
  };
  const label = `${COLUMN_LABELS[column]} of ${item.title}`;
  const editorClass =
    'absolute inset-0 h-full w-full border-0 bg-white px-2 text-sm outline outline-2 -outline-offset-2 outline-sky-600 dark:bg-slate-900';
  if (CHOICE_COLUMNS.has(column)) {
    const options =
      column === 'status'
        ? ITEM_STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status] }))
        : column === 'risk'
          ? [{ value: '', label: 'No risk' }, ...RISK_LEVELS.map((risk) => ({ value: risk, label: RISK_LABELS[risk] }))]
          : [{ value: '', label: 'Unassigned' }, ...context.assignable.map((member) => ({ value: member.id, label: member.name }))];
    const known = options.some((option) => option.value === editing.draft);
    return (
      <select
        ref={ref}
        aria-label={label}
        value={editing.draft}
        onChange={(event) => onDraft(event.target.value)}
        onKeyDown={onKeyDown}
        onBlur={onBlur}
        className={editorClass}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
        {!known ? <option value={editing.draft}>{context.memberName(editing.draft) ?? 'Former member'} (cannot own items)</option> : null}
      </select>
    );
  }
  return (
    <input
      ref={ref}
      aria-label={label}
      value={editing.draft}
      maxLength={column === 'ref' ? REFERENCE_MAX_LENGTH : TITLE_MAX_LENGTH}
      placeholder={column === 'due' ? 'YYYY-MM-DD' : undefined}
      onChange={(event) => onDraft(event.target.value)}
      onKeyDown={onKeyDown}
      onBlur={onBlur}
      className={editorClass}
    />
  );
}

function Resizer({ column, width, onResize }: { column: GridColumn; width: number; onResize: (width: number) => void }) {
  const start = useRef<{ x: number; width: number } | null>(null);
  const clampWidth = (value: number) => Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.round(value)));
  return (
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${COLUMN_LABELS[column]}`}
      aria-valuenow={width}
      aria-valuemin={MIN_WIDTH}
      aria-valuemax={MAX_WIDTH}
      tabIndex={0}
      onPointerDown={(event) => {
        event.preventDefault();
        event.currentTarget.setPointerCapture(event.pointerId);
        start.current = { x: event.clientX, width };
      }}
      onPointerMove={(event) => {
        if (start.current) onResize(clampWidth(start.current.width + event.clientX - start.current.x));
      }}
      onPointerUp={() => {
        start.current = null;
      }}
      onKeyDown={(event) => {
        if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
          event.preventDefault();
          event.stopPropagation();
          onResize(clampWidth(width + (event.key === 'ArrowLeft' ? -16 : 16)));
        }
      }}
      className="absolute -right-1 top-0 z-10 h-full w-2 cursor-col-resize touch-none hover:bg-sky-400/50 focus:bg-sky-500/60 focus:outline-none"
    />
  );
}

function ColumnChooser({
  hidden,
  onToggle,
  onReset,
}: {
  hidden: GridColumn[];
  onToggle: (column: GridColumn, shown: boolean) => void;
  onReset: () => void;
}) {
  return (
    <details className="relative inline-block text-sm">
      <summary className="inline-flex h-8 cursor-pointer list-none items-center rounded-md border border-slate-300 bg-white px-2.5 font-medium text-slate-700 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200">
        Columns
      </summary>
      <div
        role="group"
        aria-label="Columns"
        className="absolute z-30 mt-1 w-56 space-y-1 rounded-md border border-slate-200 bg-white p-2 shadow-lg dark:border-slate-700 dark:bg-slate-900"
      >
        {HIDEABLE.map((column) => (
          <label key={column} className="flex items-center gap-2">
            <input
              type="checkbox"
              aria-label={`Show ${COLUMN_LABELS[column]}`}
              checked={!hidden.includes(column)}
              onChange={(event) => onToggle(column, event.target.checked)}
              className="h-4 w-4 accent-sky-600"
            />
            {COLUMN_LABELS[column]}
          </label>
        ))}
        <button type="button" onClick={onReset} className="mt-1 text-xs font-medium text-sky-700 hover:underline dark:text-sky-400">
          Reset columns and widths
        </button>
      </div>
    </details>
  );
}
