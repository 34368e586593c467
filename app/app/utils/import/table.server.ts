import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { IMPORT_LIMITS, ImportError, formatBytes } from './limits.ts';
import type { ImportTable, TableRow } from './mapping.ts';
import { checkWorkbookSize, withParseSlot } from './xlsx-guard.server.ts';

/*
 * Turns an uploaded request list (CSV or XLSX) into a table of strings: the first non-empty row is the header,
 * empty rows are dropped, every row keeps its number in the file for error messages. Dates in XLSX cells become
 * YYYY-MM-DD; everything else is read as the text a user would see.
 */

export type UploadKind = 'csv' | 'xlsx';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((byte, index) => bytes[index] === byte);

/** What the file is, by its content first (a renamed file still works) and its name second. */
export function detectUploadKind(fileName: string, bytes: Uint8Array): UploadKind {
  if (startsWith(bytes, ZIP_MAGIC)) return 'xlsx';
  if (startsWith(bytes, OLE_MAGIC) || /\.xls$/i.test(fileName)) {
    throw new ImportError('Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV and upload that.');
  }
  if (/\.xlsx$/i.test(fileName)) throw new ImportError(`${fileName} is not a valid .xlsx file (it may be damaged).`);
  if (bytes.subarray(0, 8192).includes(0)) {
    throw new ImportError(`${fileName || 'The file'} is not a CSV or XLSX file. Upload a .csv or .xlsx request list.`);
  }
  return 'csv';
}

/**
 * `owner` (the uploader's user id) bounds how many of one person's uploads are parsed at once (decision 104).
 */
export async function parseUpload(fileName: string, bytes: Uint8Array, options: { owner?: string } = {}): Promise<ImportTable> {
  if (options.owner) {
    const owner = options.owner;
    return withParseSlot(owner, () => parseUpload(fileName, bytes));
  }
  if (bytes.byteLength === 0) throw new ImportError('The file is empty.');
  if (bytes.byteLength > IMPORT_LIMITS.maxFileBytes) {
    throw new ImportError(
      `The file is ${formatBytes(bytes.byteLength)}; the limit is ${formatBytes(IMPORT_LIMITS.maxFileBytes)}. Split it into smaller files.`,
    );
  }
  const kind = detectUploadKind(fileName, bytes);
  const records = kind === 'csv' ? parseCsv(bytes) : await parseXlsx(bytes);
  return toTable(records);
}

function parseCsv(bytes: Uint8Array): { number: number; cells: string[] }[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Spreadsheet programs on Windows still write Windows-1252 CSV files.
    text = new TextDecoder('windows-1252').decode(bytes);
  }
  text = text.replace(/^\uFEFF/, '');
  // Papa guesses the delimiter (comma, semicolon, tab, ...) reliably only without empty lines; row numbers need them.
  const { delimiter } = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy', preview: 50 }).meta;
  const result = Papa.parse<string[]>(text, { skipEmptyLines: false, delimiter });
  const fatal = result.errors.find((error) => error.type === 'Quotes');
  if (fatal) {
    const row = typeof fatal.row === 'number' ? ` in row ${fatal.row + 1}` : '';
    throw new ImportError(`The CSV file cannot be read: a quoted value${row} is not closed.`);
  }
  return result.data.map((cells, index) => ({ number: index + 1, cells: cells.map((cell) => String(cell ?? '')) }));
}

async function parseXlsx(bytes: Uint8Array): Promise<{ number: number; cells: string[] }[]> {
  // Bounded before anything is inflated for ExcelJS: uncompressed size and cell count (xlsx-guard.server.ts).
  checkWorkbookSize(bytes);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  } catch {
    throw new ImportError('The .xlsx file cannot be read (it may be damaged or password-protected).');
  }
  const sheet = workbook.worksheets.find((candidate) => candidate.actualRowCount > 0);
  if (!sheet) throw new ImportError('The workbook has no rows.');
  if (sheet.actualRowCount > IMPORT_LIMITS.maxRows + 1) throw tooManyRows(sheet.actualRowCount - 1);
  const records: { number: number; cells: string[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      cells[column - 1] = cellText(cell.value);
    });
    records.push({ number: rowNumber, cells: Array.from(cells, (cell) => cell ?? '') });
  });
  return records;
}

const isoDay = (date: Date) => (Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 10));

export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return isoDay(value);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : cellText(value.text as ExcelJS.CellValue);
  if ('error' in value) return String(value.error);
  if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
  return '';
}

const tooManyRows = (rows: number) =>
  new ImportError(
    `The file has ${rows.toLocaleString('en-US')} rows; at most ${IMPORT_LIMITS.maxRows.toLocaleString('en-US')} can be imported at once. Split it into smaller files.`,
  );

/** Header from the first non-empty record; the remaining non-empty records become rows. */
export function toTable(records: { number: number; cells: string[] }[]): ImportTable {
  const nonEmpty = records
    .map((record) => ({ number: record.number, cells: record.cells.map((cell) => cell.trim()) }))
    .filter((record) => record.cells.some((cell) => cell !== ''));
  const [header, ...body] = nonEmpty;
  if (!header) throw new ImportError('The file has no rows.');
  if (body.length === 0) throw new ImportError('The file has a header row but no requests below it.');
  if (body.length > IMPORT_LIMITS.maxRows) throw tooManyRows(body.length);
  const width = Math.max(header.cells.length, ...body.map((row) => row.cells.length));
  if (width > IMPORT_LIMITS.maxColumns) {
    throw new ImportError(`The file has ${width} columns; at most ${IMPORT_LIMITS.maxColumns} are supported.`);
  }
  const headers = Array.from({ length: width }, (_, index) => header.cells[index] || `Column ${columnLetter(index)}`);
  const rows: TableRow[] = body.map((row) => {
    const cells = Array.from({ length: width }, (_, index) => row.cells[index] ?? '');
    const long = cells.findIndex((cell) => cell.length > IMPORT_LIMITS.maxCellChars);
    if (long !== -1) {
      throw new ImportError(
        `Row ${row.number}, column “${headers[long]}”: the value is longer than ${IMPORT_LIMITS.maxCellChars.toLocaleString('en-US')} characters.`,
      );
    }
    return { number: row.number, cells };
  });
  return { headers, rows };
}

export function columnLetter(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}
