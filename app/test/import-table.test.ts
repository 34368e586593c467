import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ImportError } from '../app/utils/import/limits.ts';
import { cellText, columnLetter, detectUploadKind, parseUpload, toTable } from '../app/utils/import/table.server.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

async function xlsx(build: (sheet: ExcelJS.Worksheet, workbook: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  build(workbook.addWorksheet('Requests'), workbook);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

describe('CSV', () => {
  it('reads quoted values with commas and newlines, a BOM, and drops empty rows', async () => {
    const table = await parseUpload('list.csv', utf8('\uFEFFTitle,Notes,MW\r\n"ESA, amended","line 1\nline 2",300\r\n,,\r\nConsents,,\r\n'));
    expect(table.headers).toEqual(['Title', 'Notes', 'MW']);
    expect(table.rows).toEqual([
      { number: 2, cells: ['ESA, amended', 'line 1\nline 2', '300'] },
      { number: 4, cells: ['Consents', '', ''] },
    ]);
  });

  it('detects semicolon-separated files and reads Windows-1252 text', async () => {
    const table = await parseUpload('list.csv', new Uint8Array([...utf8('Title;Owner\nCaf'), 0xe9, ...utf8(' lease;x\n')]));
    expect(table.rows[0]!.cells).toEqual(['Café lease', 'x']);
  });

  it('names empty headers by their column letter and pads short rows', async () => {
    const table = await parseUpload('list.csv', utf8('Title,,Risk\nA\n'));
    expect(table.headers).toEqual(['Title', 'Column B', 'Risk']);
    expect(table.rows[0]!.cells).toEqual(['A', '', '']);
  });

  it('refuses an unclosed quote, an empty file, a header without rows and binary content', async () => {
    await expect(parseUpload('list.csv', utf8('Title\n"never closed\n'))).rejects.toThrow('a quoted value in row 2 is not closed');
    await expect(parseUpload('list.csv', new Uint8Array())).rejects.toThrow('The file is empty.');
    await expect(parseUpload('list.csv', utf8('Title,Status\n\n'))).rejects.toThrow('a header row but no requests');
    await expect(parseUpload('photo.csv', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]))).rejects.toThrow('is not a CSV or XLSX file');
  });

  it('enforces the size, row and column limits', async () => {
    await expect(parseUpload('big.csv', new Uint8Array(5 * 1024 * 1024 + 1).fill(0x61))).rejects.toThrow('The file is 5 MB; the limit is 5 MB');
    const rows = ['Title', ...Array.from({ length: 5001 }, (_, i) => `Item ${i}`)].join('\n');
    await expect(parseUpload('rows.csv', utf8(rows))).rejects.toThrow('The file has 5,001 rows; at most 5,000');
    await expect(parseUpload('wide.csv', utf8(`${Array.from({ length: 101 }, (_, i) => `C${i}`).join(',')}\nx\n`))).rejects.toThrow('101 columns');
    await expect(parseUpload('long.csv', utf8(`Title\n${'x'.repeat(5001)}\n`))).rejects.toThrow(
      'Row 2, column “Title”: the value is longer than 5,000 characters',
    );
  });
});

describe('XLSX', () => {
  it('reads the first sheet with rows: text, numbers, dates, rich text, formulas and hyperlinks', async () => {
    const bytes = await xlsx((sheet, workbook) => {
      workbook.addWorksheet('Empty');
      sheet.addRow([]);
      sheet.addRow(['Title', 'Due', 'MW', 'Link', 'Total']);
      sheet.addRow([
        { richText: [{ text: 'ESA ' }, { text: 'amended', font: { bold: true } }] },
        new Date(Date.UTC(2026, 11, 15)),
        300,
        { text: 'data room', hyperlink: 'https://example.com' },
        { formula: 'C3*2', result: 600 },
      ]);
      sheet.addRow(['Consents', null, null, null, true]);
    });
    const table = await parseUpload('list.xlsx', bytes);
    expect(table.headers).toEqual(['Title', 'Due', 'MW', 'Link', 'Total']);
    expect(table.rows).toEqual([
      { number: 3, cells: ['ESA amended', '2026-12-15', '300', 'data room', '600'] },
      { number: 4, cells: ['Consents', '', '', '', 'TRUE'] },
    ]);
  });

  it('recognises an XLSX by its content whatever its name, and refuses damaged and old-format files', async () => {
    const bytes = await xlsx((sheet) => {
      sheet.addRow(['Title']);
      sheet.addRow(['A']);
    });
    expect(detectUploadKind('export.csv', bytes)).toBe('xlsx');
    await expect(parseUpload('list.xlsx', bytes.slice(0, 200))).rejects.toThrow('cannot be read');
    await expect(parseUpload('list.xlsx', utf8('Title\nA\n'))).rejects.toThrow('is not a valid .xlsx file');
    await expect(parseUpload('old.xls', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1]))).rejects.toThrow(ImportError);
  });

  it('refuses a sheet with too many rows before reading it', async () => {
    const bytes = await xlsx((sheet) => {
      sheet.addRow(['Title']);
      for (let i = 0; i < 5001; i++) sheet.addRow([`Item ${i}`]);
    });
    await expect(parseUpload('rows.xlsx', bytes)).rejects.toThrow('The file has 5,001 rows');
  });
});

describe('helpers', () => {
  it('names columns like a spreadsheet', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });

  it('reads error cells as their code so validation can report them', () => {
    expect(cellText({ error: '#N/A' } as ExcelJS.CellErrorValue)).toBe('#N/A');
    expect(cellText(undefined)).toBe('');
  });

  it('needs a header and a body', () => {
    expect(() => toTable([])).toThrow('The file has no rows.');
  });
});
