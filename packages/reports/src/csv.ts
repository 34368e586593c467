import type { DealReport } from '@tieout/db';
import Papa from 'papaparse';
import { EXPORT_COLUMNS, exportRows } from './rows.ts';

/**
 * The deal's items as CSV (RFC 4180 quoting by papaparse), one row per item with its workstream and checklist.
 * Cells that a spreadsheet would run as a formula (=, +, -, @ at the start) are prefixed with an apostrophe.
 */
export function dealCsv(report: DealReport): string {
  const rows = exportRows(report).map((row) => EXPORT_COLUMNS.map((column) => neutralise(row[column])));
  return `\uFEFF${Papa.unparse({ fields: [...EXPORT_COLUMNS], data: rows }, { newline: '\r\n' })}\r\n`;
}

export const neutralise = (value: string): string => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
