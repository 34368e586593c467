/*
 * Runs in a worker thread (extract.ts starts it with a heap limit and kills it at a deadline), so a hostile file
 * (a zip bomb posing as XLSX, a PDF that never ends) cannot stall or exhaust the server: the worker just dies.
 * Tasks: 'text' (what search indexes: PDF pages, every sheet's cells, CSV and plain text) and 'table' (the first
 * sheet of an XLSX or CSV as rows, for the preview).
 */
import { open, readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';

export interface ExtractTask {
  task: 'text' | 'table';
  path: string;
  contentType: string;
  maxChars: number;
  maxRows: number;
  maxColumns: number;
  maxTextBytes: number;
}

export interface TextChunkOut {
  page: number | null;
  text: string;
}

export type ExtractResult =
  | { task: 'text'; chunks: TextChunkOut[]; truncated: boolean }
  | { task: 'table'; sheetName: string | null; rows: string[][]; truncated: boolean };

const CHUNK_CHARS = 4000;

function chunkText(text: string, page: number | null): TextChunkOut[] {
  const out: TextChunkOut[] = [];
  for (let start = 0; start < text.length; start += CHUNK_CHARS) {
    // Cut at a space near the boundary so a word is not split between two entries.
    let end = Math.min(text.length, start + CHUNK_CHARS);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > start + CHUNK_CHARS / 2) end = space;
    }
    out.push({ page, text: text.slice(start, end) });
    start = end - CHUNK_CHARS;
  }
  return out;
}

async function readTextHead(path: string, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const truncated = bytesRead > maxBytes;
    const text = new TextDecoder('utf-8').decode(buffer.subarray(0, Math.min(bytesRead, maxBytes))).replace(/^\uFEFF/, '');
    return { text, truncated };
  } finally {
    await handle.close();
  }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : '';
    if ('error' in value) return String(value.error);
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('sharedFormula' in value || 'formula' in value) return '';
  }
  return '';
}

async function pdfText(task: ExtractTask): Promise<ExtractResult> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const data = new Uint8Array(await readFile(task.path));
  const document = await pdfjs.getDocument({ data, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  const chunks: TextChunkOut[] = [];
  let total = 0;
  let truncated = false;
  for (let number = 1; number <= document.numPages; number++) {
    const page = await document.getPage(number);
    const content = await page.getTextContent();
    const text = content.items
      .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : ''))
      .join('')
      .replace(/[ \t]+/g, ' ')
      .trim();
    page.cleanup();
    if (!text) continue;
    const room = task.maxChars - total;
    if (room <= 0) {
      truncated = true;
      break;
    }
    const kept = text.slice(0, room);
    total += kept.length;
    chunks.push(...chunkText(kept, number));
    if (kept.length < text.length) {
      truncated = true;
      break;
    }
  }
  await document.destroy();
  return { task: 'text', chunks, truncated };
}

async function xlsxRows(task: ExtractTask, firstSheetOnly: boolean, onRow: (sheet: string, cells: string[]) => boolean): Promise<void> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(task.path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  outer: for await (const sheet of reader) {
    const name = (sheet as unknown as { name?: string }).name ?? 'Sheet';
    for await (const row of sheet) {
      const cells: string[] = [];
      const values = (row as ExcelJS.Row).values as ExcelJS.CellValue[];
      for (let column = 1; column < values.length && column <= task.maxColumns; column++) cells.push(cellText(values[column] ?? null));
      if (!onRow(name, cells)) break outer;
    }
    if (firstSheetOnly) break;
  }
}

async function run(task: ExtractTask): Promise<ExtractResult> {
  const type = task.contentType;
  if (task.task === 'text') {
    if (type === 'application/pdf') return pdfText(task);
    if (type === 'text/plain' || type === 'text/csv') {
      const { text, truncated } = await readTextHead(task.path, Math.min(task.maxTextBytes, task.maxChars * 4));
      const kept = text.slice(0, task.maxChars);
      return { task: 'text', chunks: chunkText(kept, null), truncated: truncated || kept.length < text.length };
    }
    if (type === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') {
      let text = '';
      let truncated = false;
      let lastSheet = '';
      await xlsxRows(task, false, (sheet, cells) => {
        if (sheet !== lastSheet) {
          text += `${sheet}\n`;
          lastSheet = sheet;
        }
        text += `${cells.filter((c) => c !== '').join(' ')}\n`;
        if (text.length >= task.maxChars) {
          truncated = true;
          return false;
        }
        return true;
      });
      return { task: 'text', chunks: chunkText(text.slice(0, task.maxChars), null), truncated };
    }
    return { task: 'text', chunks: [], truncated: false };
  }
  // table
  const rows: string[][] = [];
  let truncated = false;
  let sheetName: string | null = null;
  if (type === 'text/csv') {
    const { text, truncated: cut } = await readTextHead(task.path, task.maxTextBytes);
    const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy', preview: task.maxRows + 1 });
    for (const row of parsed.data) rows.push(row.slice(0, task.maxColumns).map((cell) => String(cell ?? '')));
    truncated = cut || rows.length > task.maxRows;
  } else if (type === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') {
    await xlsxRows(task, true, (sheet, cells) => {
      sheetName = sheet;
      if (rows.length >= task.maxRows) {
        truncated = true;
        return false;
      }
      rows.push(cells);
      return true;
    });
  } else {
    throw new Error(`No table preview for ${type}`);
  }
  return { task: 'table', sheetName, rows: rows.slice(0, task.maxRows), truncated };
}

if (parentPort) {
  run(workerData as ExtractTask).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (error: unknown) => parentPort!.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
