import { createDeflateRaw, crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ImportError } from '../app/utils/import/limits.ts';
import { parseUpload } from '../app/utils/import/table.server.ts';
import { MAX_CELLS, MAX_CONCURRENT_PARSES_PER_USER, MAX_UNCOMPRESSED_BYTES } from '../app/utils/import/xlsx-guard.server.ts';

/*
 * Issue 10, "XLSX import bomb" (decision 104): a small workbook that inflates far beyond any request list is refused
 * before ExcelJS inflates it, whatever its headers claim; so is one with more cells than can be imported; and one
 * person's uploads are parsed at most MAX_CONCURRENT_PARSES_PER_USER at a time.
 */

interface Entry {
  name: string;
  /** Raw-deflated bytes (method 8). */
  deflated: Uint8Array;
  crc: number;
  size: number;
  /** What the headers claim (default: the truth). */
  declaredSize?: number;
}

/** A ZIP archive of deflated entries, written by hand so a test can make its headers lie. */
function zip(entries: Entry[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const size = entry.declaredSize ?? entry.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.deflated.byteLength, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(entry.crc >>> 0, 16);
    central.writeUInt32LE(entry.deflated.byteLength, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, Buffer.from(entry.deflated));
    centrals.push(central, name);
    offset += 30 + name.length + entry.deflated.byteLength;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

const entryOf = (name: string, text: string): Entry => {
  const bytes = Buffer.from(text, 'utf8');
  return { name, deflated: deflateRawSync(bytes), crc: crc32(bytes), size: bytes.length };
};

/** An entry of `prefix`, then `repeat` copies of `unit`, then `suffix`, deflated as a stream (never whole in memory). */
async function streamedEntry(name: string, prefix: string, unit: string, repeat: number, suffix: string): Promise<Entry> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  let crc = 0;
  let size = 0;
  const write = async (chunk: Buffer) => {
    crc = crc32(chunk, crc);
    size += chunk.length;
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once('drain', resolve));
  };
  await write(Buffer.from(prefix));
  const block = Buffer.from(unit.repeat(Math.max(1, Math.floor((1 << 20) / unit.length))));
  const perBlock = block.length / unit.length;
  for (let left = repeat; left > 0; left -= perBlock) await write(left >= perBlock ? block : Buffer.from(unit.repeat(left)));
  await write(Buffer.from(suffix));
  deflate.end();
  await done;
  return { name, deflated: new Uint8Array(Buffer.concat(out)), crc, size };
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`;
const workbookXml = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Requests" sheetId="1" r:id="rId1"/></sheets></workbook>`;
const skeleton = [entryOf('[Content_Types].xml', contentTypes), entryOf('xl/workbook.xml', workbookXml)];
const sheetStart = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Title</t></is></c></row>`;
const sheetEnd = `</sheetData></worksheet>`;

async function refusal(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ImportError);
  return (error as Error).message;
}

describe('an XLSX bomb', () => {
  it('is refused before it is inflated: 128 MB of sheet XML in a file of a few hundred kB', async () => {
    const sheet = await streamedEntry('xl/worksheets/sheet1.xml', sheetStart, ' ', 128 * 1024 * 1024, sheetEnd);
    const file = zip([...skeleton, sheet]);
    expect(file.byteLength).toBeLessThan(1024 * 1024);
    expect(sheet.size).toBeGreaterThan(MAX_UNCOMPRESSED_BYTES);
    expect(await refusal(parseUpload('bomb.xlsx', file))).toMatch(/unpacks to more than 32 MB/);
  });

  it('is refused when its headers claim a small size: inflation stops at the limit whatever they say', async () => {
    const sheet = await streamedEntry('xl/worksheets/sheet1.xml', sheetStart, ' ', 64 * 1024 * 1024, sheetEnd);
    const file = zip([...skeleton, { ...sheet, declaredSize: 1_000 }]);
    expect(await refusal(parseUpload('liar.xlsx', file))).toMatch(/unpacks to more than 32 MB/);
  });

  it('is refused when it holds more cells than an import can have, although it is small unpacked', async () => {
    const sheet = await streamedEntry('xl/worksheets/sheet1.xml', sheetStart + '<row r="2">', '<c/>', MAX_CELLS + 1, '</row>' + sheetEnd);
    expect(sheet.size).toBeLessThan(MAX_UNCOMPRESSED_BYTES);
    expect(await refusal(parseUpload('cells.xlsx', zip([...skeleton, sheet])))).toMatch(/more than 500,100 cells/);
  });

  it('still lets a real workbook through', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Requests');
    sheet.addRow(['Title', 'Owner']);
    for (let row = 0; row < 200; row++) sheet.addRow([`Request ${row}`, 'Eddie']);
    const table = await parseUpload('list.xlsx', new Uint8Array(await workbook.xlsx.writeBuffer()));
    expect(table.rows).toHaveLength(200);
  });
});

describe('concurrent parses of one person', () => {
  it(`are limited to ${MAX_CONCURRENT_PARSES_PER_USER}; another person is not held up, and the slots come back`, async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Requests');
    sheet.addRow(['Title']);
    for (let row = 0; row < 2_000; row++) sheet.addRow([`Request ${row}`]);
    const file = new Uint8Array(await workbook.xlsx.writeBuffer());
    const running = Array.from({ length: MAX_CONCURRENT_PARSES_PER_USER }, () => parseUpload('list.xlsx', file, { owner: 'user-a' }));
    expect(await refusal(parseUpload('list.xlsx', file, { owner: 'user-a' }))).toMatch(/other uploads are still being read/);
    expect((await parseUpload('list.xlsx', file, { owner: 'user-b' })).rows).toHaveLength(2_000);
    for (const table of await Promise.all(running)) expect(table.rows).toHaveLength(2_000);
    expect((await parseUpload('list.xlsx', file, { owner: 'user-a' })).rows).toHaveLength(2_000);
  });
});
