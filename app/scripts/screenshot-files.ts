/*
 * The evidence-files and search screenshots (called by screenshots.ts): an item with a PDF and a spreadsheet attached,
 * the PDF's preview, and search results across deals. The files are made here, not downloaded.
 */
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';

/** A small, valid PDF with one page of text per entry (hand-written: no PDF library needed here). */
export function samplePdf(pages: string[]): Buffer {
  const objects: string[] = [];
  const kids = pages.map((_, i) => `${3 + i * 2} 0 R`).join(' ');
  objects.push('<</Type/Catalog/Pages 2 0 R>>');
  objects.push(`<</Type/Pages/Kids[${kids}]/Count ${pages.length}>>`);
  pages.forEach((text, i) => {
    const lines = text
      .split('\n')
      .map((line, n) => `BT /F1 13 Tf 40 ${250 - n * 20} Td (${line.replace(/[()\\]/g, '')}) Tj ET`)
      .join('\n');
    objects.push(`<</Type/Page/Parent 2 0 R/MediaBox[0 0 420 300]/Contents ${4 + i * 2} 0 R/Resources<</Font<</F1 ${3 + pages.length * 2} 0 R>>>>>>`);
    objects.push(`<</Length ${lines.length}>>\nstream\n${lines}\nendstream`);
  });
  objects.push('<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>');
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<</Size ${objects.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

async function sampleXlsx(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Lease schedule');
  sheet.addRow(['Site', 'Landlord', 'MW', 'Term (years)', 'Expiry']);
  sheet.addRow(['Denton, TX', 'Denton Power LLC', 260, 12, '2037-06-30']);
  sheet.addRow(['Austin, TX', 'Travis Data Park', 90, 10, '2035-01-31']);
  sheet.addRow(['Calvert City, KY', 'Marshall County IDA', 150, 15, '2040-12-31']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function shootFilesAndSearch(editor: Page, itemTitle: string, shoot: (page: Page, name: string) => Promise<void>): Promise<void> {
  const toggle = editor.getByRole('button', { name: `Notes for ${itemTitle}`, exact: true });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const files = editor.getByRole('region', { name: `Files of ${itemTitle}`, exact: true });
  await files.waitFor();
  const pdfName = 'Utility capacity letter.pdf';
  if ((await files.getByText(pdfName, { exact: true }).count()) === 0) {
    await files.locator('input[type=file][multiple]').setInputFiles([
      {
        name: pdfName,
        mimeType: 'application/pdf',
        buffer: samplePdf([
          'Oncor Electric Delivery\nCapacity letter, Denton campus\n260 MW firm service from 1 March 2027',
          'Section 7: curtailment\nThe utility may curtail up to 30 percent\nof load during grid emergencies.',
        ]),
      },
      { name: 'Lease schedule.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await sampleXlsx() },
    ]);
    await files
      .getByRole('list', { name: `Files of ${itemTitle}` })
      .getByText('Lease schedule.xlsx', { exact: true })
      .waitFor();
    await files
      .getByRole('list', { name: `Files of ${itemTitle}` })
      .getByText(pdfName, { exact: true })
      .waitFor();
  }
  await files.scrollIntoViewIfNeeded();
  await shoot(editor, 'item-files');
  await editor.getByRole('button', { name: `Preview ${pdfName}`, exact: true }).click();
  const preview = editor.getByRole('region', { name: `Preview of ${pdfName}` });
  await preview.getByRole('status', { name: 'PDF page' }).filter({ hasText: 'Page 1 of 2' }).waitFor();
  await preview.getByRole('button', { name: 'Next page' }).click();
  await preview.getByRole('status', { name: 'PDF page' }).filter({ hasText: 'Page 2 of 2' }).waitFor();
  await preview.scrollIntoViewIfNeeded();
  await shoot(editor, 'file-preview');
  // Search across deals, once the PDF's text has been read in the background.
  for (let attempt = 0; attempt < 30; attempt++) {
    await editor.goto('/search?q=curtail');
    if ((await editor.getByRole('region', { name: 'Search results' }).getByRole('link').filter({ hasText: pdfName }).count()) > 0) break;
    await editor.waitForTimeout(1000);
  }
  await shoot(editor, 'search');
}
