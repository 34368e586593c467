export { EXPORT_COLUMNS, exportRow, exportRows, fileStem, figureText, type ExportColumn, type ExportRow } from './rows.ts';
export { dealCsv } from './csv.ts';
export { dealXlsx } from './xlsx.ts';
export { dealReportHtml } from './html.ts';
export { htmlToPdf, closePdfBrowser, chromiumPath, PdfError } from './pdf.ts';
