import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { configVariables } from '@tieout/config/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileLinkError,
  FileNameError,
  FileTypeError,
  LocalFolderStorage,
  UploadError,
  cleanFileName,
  createExtractor,
  expectedTypeFor,
  fileLinkKey,
  loadFilesConfig,
  receiveUpload,
  signFileLink,
  sniffStoredType,
  verifyFileLink,
} from '../src/index.ts';
import { minimalPdf, minimalXlsx, pngBytes } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tieout-files-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function* chunks(total: number, size = 64 * 1024) {
  for (let sent = 0; sent < total; sent += size) yield new Uint8Array(Math.min(size, total - sent)).fill(97);
}

describe('file names', () => {
  it('drops paths, control characters and reserved names', () => {
    expect(cleanFileName('C:\\fakepath\\Lease schedule.xlsx')).toBe('Lease schedule.xlsx');
    expect(cleanFileName('../../etc/passwd.txt')).toBe('passwd.txt');
    expect(cleanFileName('a\u0000b\u202ecod.pdf')).toBe('a_b_cod.pdf');
    expect(cleanFileName('CON.txt')).toBe('_CON.txt');
    expect(cleanFileName('  .hidden.pdf  ')).toBe('hidden.pdf');
    expect(new TextEncoder().encode(cleanFileName(`${'é'.repeat(300)}.pdf`)).length).toBeLessThanOrEqual(255);
    expect(cleanFileName(`${'é'.repeat(300)}.pdf`).endsWith('.pdf')).toBe(true);
    expect(() => cleanFileName('///')).toThrow(FileNameError);
    expect(() => cleanFileName('\u0001\u0002')).toThrow(FileNameError);
  });
});

describe('types', () => {
  it('checks the name and the claim before reading, and the bytes after', async () => {
    expect(() => expectedTypeFor('run.exe', 'application/octet-stream')).toThrow(FileTypeError);
    expect(() => expectedTypeFor('PPA.pdf', 'image/png')).toThrow(/sent as image\/png/);
    expect(expectedTypeFor('PPA.pdf', '').contentType).toBe('application/pdf');
    expect(expectedTypeFor('rows.csv', 'application/vnd.ms-excel').contentType).toBe('text/csv');
    const png = join(dir, 'renamed.pdf');
    await writeFile(png, pngBytes());
    await expect(sniffStoredType(png, expectedTypeFor('renamed.pdf', 'application/pdf'))).rejects.toThrow(/content is PNG image/);
    const pdf = join(dir, 'real.pdf');
    await writeFile(pdf, await minimalPdf(['Hello']));
    expect((await sniffStoredType(pdf, expectedTypeFor('real.pdf', 'application/pdf'))).contentType).toBe('application/pdf');
    const binaryTxt = join(dir, 'binary.txt');
    await writeFile(binaryTxt, Buffer.from([0x41, 0x00, 0x42]));
    await expect(sniffStoredType(binaryTxt, expectedTypeFor('binary.txt', 'text/plain'))).rejects.toThrow(/not UTF-8 text/);
    const pdfAsTxt = join(dir, 'pdf.txt');
    await writeFile(pdfAsTxt, await minimalPdf(['x']));
    await expect(sniffStoredType(pdfAsTxt, expectedTypeFor('pdf.txt', 'text/plain'))).rejects.toThrow(/application\/pdf/);
    const xlsx = join(dir, 'book.xlsx');
    await writeFile(xlsx, await minimalXlsx([['a', 'b']]));
    expect(await sniffStoredType(xlsx, expectedTypeFor('book.xlsx', ''))).toMatchObject({ preview: 'table' });
  });
});

describe('receiving an upload', () => {
  it('streams to a temporary file with the SHA-256 and size', async () => {
    const incoming = join(dir, 'in1');
    const upload = await receiveUpload(Readable.from([Buffer.from('hello '), Buffer.from('world')]), { tmpDir: incoming, maxBytes: 100 });
    expect(upload.size).toBe(11);
    expect(upload.sha256).toBe('b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9');
    const storage = new LocalFolderStorage(join(dir, 'store'));
    const key = '11111111-1111-4111-8111-111111111111/22222222-2222-4222-8222-222222222222';
    await storage.putFile(key, upload.path);
    const read = await storage.read(key);
    expect(read?.size).toBe(11);
    read?.stream.destroy();
    expect(await readdir(incoming)).toEqual([]);
  });

  it('refuses over-limit, empty and interrupted bodies and leaves no partial file', async () => {
    const incoming = join(dir, 'in2');
    await expect(receiveUpload(chunks(1000, 100), { tmpDir: incoming, maxBytes: 999 })).rejects.toMatchObject({ code: 'too_large', status: 413 });
    await expect(receiveUpload(chunks(0), { tmpDir: incoming, maxBytes: 999 })).rejects.toMatchObject({ code: 'empty' });
    async function* broken() {
      yield new Uint8Array(10);
      throw new Error('socket hang up');
    }
    await expect(receiveUpload(broken(), { tmpDir: incoming, maxBytes: 999 })).rejects.toBeInstanceOf(UploadError);
    const controller = new AbortController();
    async function* cancelled() {
      yield new Uint8Array(10);
      controller.abort();
      yield new Uint8Array(10);
    }
    await expect(receiveUpload(cancelled(), { tmpDir: incoming, maxBytes: 999, signal: controller.signal })).rejects.toMatchObject({
      code: 'aborted',
    });
    expect(await readdir(incoming)).toEqual([]);
  });
});

describe('signed links', () => {
  const key = fileLinkKey('instance-secret-for-tests-0123456789abcdef');
  const claims = { f: 'file-1', w: 'workspace-1', p: 'download' as const };
  it('verifies, expires and refuses tampering and other purposes', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    const { token } = signFileLink(key, claims, 60, now);
    expect(verifyFileLink(key, token, 'download', now + 59_000)).toMatchObject(claims);
    expect(() => verifyFileLink(key, token, 'download', now + 60_000)).toThrow(/expired/);
    expect(() => verifyFileLink(key, token, 'inline', now)).toThrow(FileLinkError);
    const [body, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, w: 'workspace-2', e: 9e9 })).toString('base64url');
    expect(() => verifyFileLink(key, `${forged}.${sig}`, 'download', now)).toThrow(/not a valid/);
    expect(() => verifyFileLink(fileLinkKey('another-instance-secret-0123456789abcdef'), token, 'download', now)).toThrow(/not a valid/);
    expect(() => verifyFileLink(key, `${body}`, 'download', now)).toThrow(/not a valid/);
  });
});

describe('configuration', () => {
  it('defaults to a local folder and 100 MB, and lists problems', () => {
    expect(loadFilesConfig({}, { dataDir: '/data' })).toEqual({
      storage: { kind: 'local', dir: '/data/files' },
      maxBytes: 100 * 1024 * 1024,
      linkTtlSeconds: 300,
    });
    const problems = (source: Record<string, string>) => configVariables(() => loadFilesConfig(source, { dataDir: '/d' }));
    expect(problems({ FILES_STORAGE: 'supabase' })).toEqual(['FILES_SUPABASE_URL', 'SUPABASE_SERVICE_ROLE_KEY']);
    expect(problems({ FILES_MAX_BYTES: 'lots', FILES_STORAGE: 'disk' })).toEqual(['FILES_STORAGE', 'FILES_MAX_BYTES']);
    expect(
      loadFilesConfig(
        { FILES_STORAGE: 'supabase', SUPABASE_URL: 'https://abc.supabase.co/', SUPABASE_SERVICE_ROLE_KEY: 'k'.repeat(40) },
        { dataDir: '/d' },
      ).storage,
    ).toMatchObject({
      kind: 'supabase',
      url: 'https://abc.supabase.co',
      bucket: 'item-files',
    });
  });
});

describe('extraction', () => {
  const extractor = createExtractor({ limits: { timeoutMs: 20_000 } });
  afterAll(() => extractor.close());
  it('reads PDF pages, XLSX cells and CSV tables', async () => {
    const pdf = join(dir, 'x.pdf');
    await writeFile(pdf, await minimalPdf(['First page', 'The curtailment clause']));
    const text = await extractor.text(pdf, 'application/pdf', 1000);
    expect(text.chunks).toEqual([
      { page: 1, text: 'First page' },
      { page: 2, text: 'The curtailment clause' },
    ]);
    const xlsx = join(dir, 'x.xlsx');
    await writeFile(
      xlsx,
      await minimalXlsx([
        ['Site', 'MW'],
        ['Denton', '260'],
      ]),
    );
    const table = await extractor.table(xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 1000);
    expect(table.rows).toEqual([
      ['Site', 'MW'],
      ['Denton', '260'],
    ]);
    const sheetText = await extractor.text(xlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 1000);
    expect(sheetText.chunks.map((c) => c.text).join(' ')).toContain('Denton 260');
  }, 60_000);

  it('stops a file that takes too long, and one that is too large to open', async () => {
    const slow = createExtractor({ limits: { timeoutMs: 1 } });
    const pdf = join(dir, 'slow.pdf');
    await writeFile(pdf, await minimalPdf(['x']));
    await expect(slow.text(pdf, 'application/pdf', 10)).rejects.toMatchObject({ code: 'timeout' });
    await expect(extractor.text(pdf, 'application/pdf', 10 ** 12)).rejects.toMatchObject({ code: 'too_large' });
    // The killed worker is replaced: the next file is read by a fresh one.
    const patient = createExtractor({ limits: { timeoutMs: 1 } });
    await expect(patient.text(pdf, 'application/pdf', 10)).rejects.toMatchObject({ code: 'timeout' });
    await slow.close();
    await patient.close();
    const csv = join(dir, 'rows.csv');
    await writeFile(csv, 'a,b\n1,2\n');
    expect((await extractor.table(csv, 'text/csv', 10)).rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  }, 60_000);
});
