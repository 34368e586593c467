import { inflateRawSync } from 'node:zlib';
import { IMPORT_LIMITS, ImportError, formatBytes } from './limits.ts';

/*
 * A workbook is a ZIP archive: a few hundred kilobytes can inflate to gigabytes (a "zip bomb"), and ExcelJS inflates
 * every entry in memory before reading a cell. So before ExcelJS sees it, each entry is inflated here with a hard cap
 * on its output (zlib's maxOutputLength: inflation stops at the cap, whatever the headers claim), the total is
 * bounded, and the cells of the worksheets are counted without parsing them (decision 104).
 */

/** Every entry's inflated bytes together (the XML of sheets, shared strings, styles). */
export const MAX_UNCOMPRESSED_BYTES = 32 * 1024 * 1024;
/** Cells an importable sheet can have: the row and column limits, plus the header row. */
export const MAX_CELLS = (IMPORT_LIMITS.maxRows + 1) * IMPORT_LIMITS.maxColumns;
const MAX_ENTRIES = 2_000;

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const damaged = () => new ImportError('The .xlsx file cannot be read (it may be damaged or password-protected).');
const tooBig = () =>
  new ImportError(
    `The workbook unpacks to more than ${formatBytes(MAX_UNCOMPRESSED_BYTES)}: it cannot be a request list of at most ${IMPORT_LIMITS.maxRows.toLocaleString('en-US')} rows. Save just the request sheet as .xlsx or CSV and upload that.`,
  );

export interface WorkbookCheck {
  uncompressedBytes: number;
  cells: number;
}

/** Throws an ImportError for a workbook that would inflate beyond the limits; otherwise says what it holds. */
export function checkWorkbookSize(bytes: Uint8Array): WorkbookCheck {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record: within the last 64 KiB + 22 bytes (its comment is at most 64 KiB).
  let eocd = -1;
  for (let offset = bytes.byteLength - 22; offset >= Math.max(0, bytes.byteLength - 22 - 0xffff); offset--) {
    if (view.getUint32(offset, true) === EOCD) {
      eocd = offset;
      break;
    }
  }
  if (eocd < 0) throw damaged();
  const entries = view.getUint16(eocd + 10, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  // ZIP64 markers: no request list needs an archive past 4 GB or 65,535 entries.
  if (entries === 0xffff || directoryOffset === 0xffffffff) throw tooBig();
  if (entries > MAX_ENTRIES) throw tooBig();

  let total = 0;
  let cells = 0;
  let cursor = directoryOffset;
  for (let index = 0; index < entries; index++) {
    if (cursor + 46 > bytes.byteLength || view.getUint32(cursor, true) !== CENTRAL) throw damaged();
    const flags = view.getUint16(cursor + 8, true);
    const method = view.getUint16(cursor + 10, true);
    const compressedSize = view.getUint32(cursor + 20, true);
    const declaredSize = view.getUint32(cursor + 24, true);
    const nameLength = view.getUint16(cursor + 28, true);
    const extraLength = view.getUint16(cursor + 30, true);
    const commentLength = view.getUint16(cursor + 32, true);
    const localOffset = view.getUint32(cursor + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(cursor + 46, cursor + 46 + nameLength));
    cursor += 46 + nameLength + extraLength + commentLength;

    if (flags & 0x1) throw damaged(); // encrypted
    if (compressedSize === 0xffffffff || declaredSize === 0xffffffff) throw tooBig();
    if (total + declaredSize > MAX_UNCOMPRESSED_BYTES) throw tooBig();
    if (localOffset + 30 > bytes.byteLength || view.getUint32(localOffset, true) !== LOCAL) throw damaged();
    const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (dataStart + compressedSize > bytes.byteLength) throw damaged();
    const data = bytes.subarray(dataStart, dataStart + compressedSize);

    const budget = MAX_UNCOMPRESSED_BYTES - total;
    let inflated: Uint8Array;
    if (method === 0) {
      inflated = data;
    } else if (method === 8) {
      try {
        // Never more than the budget (+1 to tell "exactly the budget" from "more"), whatever the headers say.
        inflated = inflateRawSync(data, { maxOutputLength: budget + 1 });
      } catch (error) {
        if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig();
        throw damaged();
      }
    } else {
      throw damaged();
    }
    if (inflated.byteLength > budget) throw tooBig();
    total += inflated.byteLength;
    if (/^xl\/worksheets\/[^/]+\.xml$/i.test(name)) {
      cells += countCells(inflated);
      if (cells > MAX_CELLS) {
        throw new ImportError(
          `The workbook has more than ${MAX_CELLS.toLocaleString('en-US')} cells: at most ${IMPORT_LIMITS.maxRows.toLocaleString('en-US')} rows of ${IMPORT_LIMITS.maxColumns} columns can be imported. Save just the request list and upload that.`,
        );
      }
    }
  }
  return { uncompressedBytes: total, cells };
}

/** `<c ...>` / `<c/>` elements of a worksheet's XML, counted on the bytes (no XML parse, no string copy). */
function countCells(xml: Uint8Array): number {
  let count = 0;
  for (let index = 0; index + 2 < xml.length; index++) {
    if (xml[index] !== 0x3c || xml[index + 1] !== 0x63) continue; // "<c"
    const next = xml[index + 2]!;
    if (next === 0x20 || next === 0x3e || next === 0x2f || next === 0x09 || next === 0x0a || next === 0x0d) count++;
  }
  return count;
}

/** At most this many uploads of one person are parsed at the same time. */
export const MAX_CONCURRENT_PARSES_PER_USER = 2;
const parsing = new Map<string, number>();

/** Runs `work` holding one of `owner`'s parse slots; refused while they already hold every slot. */
export async function withParseSlot<T>(owner: string, work: () => Promise<T>): Promise<T> {
  const held = parsing.get(owner) ?? 0;
  if (held >= MAX_CONCURRENT_PARSES_PER_USER) {
    throw new ImportError('Your other uploads are still being read: wait for them to finish, then try again.');
  }
  parsing.set(owner, held + 1);
  try {
    return await work();
  } finally {
    const left = (parsing.get(owner) ?? 1) - 1;
    if (left <= 0) parsing.delete(owner);
    else parsing.set(owner, left);
  }
}
