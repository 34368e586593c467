// @ts-check
/*
 * The extraction worker (a worker thread started by extract.ts with a heap limit; a task past its deadline has the
 * whole worker terminated), so a hostile file (a zip bomb posing as XLSX, a PDF that never ends) cannot stall or
 * exhaust the server. Plain JavaScript, so it starts without a TypeScript loader; types in extract-types.ts.
 * Tasks: 'text' (what search indexes: PDF pages, every sheet's cells, CSV and plain text) and 'table' (the first
 * sheet of an XLSX or the rows of a CSV, for the preview). Libraries load on first use and stay loaded.
 */
import { Buffer } from 'node:buffer';
import { open, readFile } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import { parentPort } from 'node:worker_threads';

/** @typedef {import('./extract-types.ts').ExtractTask} ExtractTask */
/** @typedef {import('./extract-types.ts').ExtractResult} ExtractResult */
/** @typedef {import('./extract-types.ts').TextChunkOut} TextChunkOut */

const CHUNK_CHARS = 4000;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** @param {string} text @param {number | null} page @returns {TextChunkOut[]} */
function chunkText(text, page) {
  /** @type {TextChunkOut[]} */
  const out = [];
  let start = 0;
  while (start < text.length) {
    // Cut at a space near the boundary so a word is not split between two entries.
    let end = Math.min(text.length, start + CHUNK_CHARS);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > start + CHUNK_CHARS / 2) end = space;
    }
    out.push({ page, text: text.slice(start, end).trim() });
    start = end;
  }
  return out.filter((chunk) => chunk.text !== '');
}

/** @param {string} path @param {number} maxBytes */
async function readTextHead(path, maxBytes) {
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

/** @param {unknown} value @returns {string} */
function cellText(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = /** @type {Record<string, unknown>} */ (value);
    if (Array.isArray(v.richText)) return v.richText.map((part) => String(part?.text ?? '')).join('');
    if ('hyperlink' in v) return typeof v.text === 'string' ? v.text : '';
    if ('error' in v) return String(v.error);
    if ('result' in v) return cellText(v.result);
  }
  return '';
}

/** @type {Promise<typeof import('pdfjs-dist/legacy/build/pdf.mjs')> | null} */
let pdfjs = null;
/** @type {Promise<typeof import('exceljs')> | null} */
let exceljs = null;
/** @type {Promise<typeof import('papaparse')> | null} */
let papaparse = null;

/** @param {ExtractTask} task @returns {Promise<ExtractResult>} */
async function pdfText(task) {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  const { getDocument } = await pdfjs;
  const data = new Uint8Array(await readFile(task.path));
  const document = await getDocument({ data, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  /** @type {TextChunkOut[]} */
  const chunks = [];
  let total = 0;
  let truncated = false;
  try {
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
  } finally {
    await document.destroy();
  }
  return { task: 'text', chunks, truncated };
}

/**
 * Rows of the workbook, streamed (never the whole workbook in memory); `onRow` returns false to stop.
 * @param {ExtractTask} task @param {boolean} firstSheetOnly @param {(sheet: string, cells: string[]) => boolean} onRow
 */
async function xlsxRows(task, firstSheetOnly, onRow) {
  exceljs ??= import('exceljs');
  // CommonJS packages: the namespace's default export is the module.
  const ExcelJS = /** @type {typeof import('exceljs')} */ (/** @type {{ default: unknown }} */ (/** @type {unknown} */ (await exceljs)).default);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(task.path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  outer: for await (const sheet of reader) {
    const name = /** @type {{ name?: string }} */ (/** @type {unknown} */ (sheet)).name ?? 'Sheet';
    for await (const row of /** @type {AsyncIterable<{ values: unknown[] }>} */ (/** @type {unknown} */ (sheet))) {
      /** @type {string[]} */
      const cells = [];
      const values = Array.isArray(row.values) ? row.values : [];
      for (let column = 1; column < values.length && column <= task.maxColumns; column++) cells.push(cellText(values[column] ?? null));
      if (!onRow(name, cells)) break outer;
    }
    if (firstSheetOnly) break;
  }
}

/** @param {ExtractTask} task @returns {Promise<ExtractResult>} */
async function run(task) {
  const type = task.contentType;
  if (task.task === 'text') {
    if (type === 'application/pdf') return pdfText(task);
    if (type === 'text/plain' || type === 'text/csv') {
      const { text, truncated } = await readTextHead(task.path, Math.min(task.maxTextBytes, task.maxChars * 4));
      const kept = text.slice(0, task.maxChars);
      return { task: 'text', chunks: chunkText(kept, null), truncated: truncated || kept.length < text.length };
    }
    if (type === XLSX) {
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
  /** @type {string[][]} */
  const rows = [];
  let truncated = false;
  /** @type {string | null} */
  let sheetName = null;
  if (type === 'text/csv') {
    papaparse ??= import('papaparse');
    const Papa = /** @type {typeof import('papaparse')} */ (/** @type {{ default: unknown }} */ (/** @type {unknown} */ (await papaparse)).default);
    const { text, truncated: cut } = await readTextHead(task.path, task.maxTextBytes);
    const parsed = Papa.parse(text, { skipEmptyLines: 'greedy', preview: task.maxRows + 1 });
    for (const row of /** @type {unknown[][]} */ (parsed.data)) rows.push(row.slice(0, task.maxColumns).map((cell) => String(cell ?? '')));
    truncated = cut || rows.length > task.maxRows;
  } else if (type === XLSX) {
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

// One task at a time: { id, task } in, { id, ok, result | message } out.
parentPort?.on('message', (/** @type {{ id: number; task: ExtractTask }} */ message) => {
  run(message.task).then(
    (result) => parentPort?.postMessage({ id: message.id, ok: true, result }),
    (error) => parentPort?.postMessage({ id: message.id, ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});
