import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { listAuditTrail, type Database } from '@tieout/db';
import { createChecklistFixture, openScratchDatabase, type ChecklistFixture } from '@tieout/db/testing';
import { fileLinkKey, signFileLink } from '@tieout/files';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFilesService, type FilesService, type UploadInput } from '../server/files.ts';

/*
 * The upload and download paths with bad input: every refusal is a clear 4xx and leaves no stored object, no
 * temporary file and no row; links expire, and never open a file of another workspace.
 */

let db: Database;
let dispose: () => Promise<void>;
let dir: string;
let files: FilesService;
let a: ChecklistFixture;
let b: ChecklistFixture;
const secret = 'test-instance-secret-0123456789abcdefghijklmnop';
const MAX = 64 * 1024;

const minimalPdf = (text: string) =>
  Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 100]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n4 0 obj<</Length ${text.length + 30}>>stream\nBT /F1 12 Tf 10 50 Td (${text}) Tj ET\nendstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
  );

const input = (fixture: ChecklistFixture, name: string, extra: Partial<UploadInput> = {}): UploadInput => ({
  checklistId: fixture.checklistId,
  itemId: 'item-1',
  name,
  claimedType: null,
  fileGroup: null,
  contentLength: null,
  ...extra,
});

async function stored(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string) => {
    for (const entry of await readdir(path, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) await walk(join(path, entry.name));
      else out.push(join(path, entry.name));
    }
  };
  await walk(join(dir, 'files'));
  return out;
}

const rowCount = async () =>
  Number((await db.asService((sql) => sql.query<{ n: string }>(`select count(*) as n from public.item_files`))).rows[0]!.n);

beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'files-service' }));
  dir = await mkdtemp(join(tmpdir(), 'tieout-files-service-'));
  a = await createChecklistFixture(db);
  b = await createChecklistFixture(db);
  files = createFilesService({
    db,
    instanceSecret: secret,
    config: { storage: { kind: 'local', dir: join(dir, 'files') }, maxBytes: MAX, linkTtlSeconds: 60 },
  });
}, 120_000);
afterAll(async () => {
  await files?.close();
  await dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('uploads with bad input', () => {
  it('refuses an over-limit file (declared, or only found while streaming), a zero-byte file, bytes of another type, a type not on the list, a hostile name, and a viewer; nothing is left', async () => {
    const editor = a.users.editor.claims;
    const attempts: [string, () => Promise<unknown>, number, RegExp][] = [
      [
        'declared too large',
        () => files.upload(editor, input(a, 'big.pdf', { contentLength: MAX + 1 }), Readable.from([]), undefined),
        413,
        /larger than the limit of 64 KB/,
      ],
      [
        'streams past the limit',
        () => files.upload(editor, input(a, 'big.txt'), Readable.from([Buffer.alloc(MAX, 97), Buffer.alloc(10, 97)])),
        413,
        /larger than the limit/,
      ],
      ['zero bytes', () => files.upload(editor, input(a, 'empty.txt'), Readable.from([])), 400, /empty/],
      [
        'PNG bytes named .pdf',
        () =>
          files.upload(
            editor,
            input(a, 'scan.pdf'),
            Readable.from([Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex')]),
          ),
        415,
        /content is PNG image/,
      ],
      [
        'PDF bytes claimed as an image',
        () => files.upload(editor, input(a, 'x.pdf', { claimedType: 'image/png' }), Readable.from([minimalPdf('x')])),
        415,
        /sent as image\/png/,
      ],
      ['an executable', () => files.upload(editor, input(a, 'setup.exe'), Readable.from([Buffer.from('MZ')])), 415, /not accepted/],
      ['only separators', () => files.upload(editor, input(a, '../../'), Readable.from([Buffer.from('x')])), 415, /needs a name/],
      ['binary named .txt', () => files.upload(editor, input(a, 'notes.txt'), Readable.from([Buffer.from([0, 1, 2, 3])])), 415, /not UTF-8 text/],
      ['a viewer', () => files.upload(a.users.viewer.claims, input(a, 'ok.txt'), Readable.from([Buffer.from('hello')])), 403, /owners and editors/],
      [
        'an outsider',
        () => files.upload(b.users.owner.claims, input(a, 'ok.txt'), Readable.from([Buffer.from('hello')])),
        404,
        /not in a workspace you are a member of/,
      ],
    ];
    for (const [what, attempt, status, message] of attempts) {
      await expect(attempt(), what).rejects.toMatchObject({ name: 'FileRequestError', status, message: expect.stringMatching(message) });
    }
    expect(await stored()).toEqual([]);
    expect(await rowCount()).toBe(0);
  });

  it('an interrupted or cancelled upload leaves no file and no row', async () => {
    async function* broken() {
      yield Buffer.from('partial ');
      throw new Error('socket hang up');
    }
    await expect(files.upload(a.users.editor.claims, input(a, 'cut.txt'), broken())).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/interrupted/),
    });
    const controller = new AbortController();
    async function* cancelled() {
      yield Buffer.from('partial ');
      controller.abort();
      yield Buffer.from('rest');
    }
    await expect(files.upload(a.users.editor.claims, input(a, 'cancel.txt'), cancelled(), controller.signal)).rejects.toMatchObject({ status: 499 });
    expect(await stored()).toEqual([]);
    expect(await rowCount()).toBe(0);
  });

  it('500 files at once: every one stored and recorded once, with its own SHA-256', async () => {
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, index) =>
        files.upload(a.users.editor.claims, input(a, `note-${index}.txt`), Readable.from([Buffer.from(`note number ${index}`)])),
      ),
    );
    expect(new Set(results.map((file) => file.sha256)).size).toBe(500);
    expect(await rowCount()).toBe(500);
    expect((await stored()).filter((path) => !path.includes('.incoming'))).toHaveLength(500);
    expect(await readdir(join(dir, 'files', '.incoming'))).toEqual([]);
    await files.idle();
  }, 120_000);
});

describe('links', () => {
  it('a link works for a member until it expires, never for another workspace or another file, and a removed file is gone', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Leases').addRow(['Site', 'Rent']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const file = await files.upload(a.users.editor.claims, input(a, 'Leases.xlsx'), Readable.from([bytes]));
    expect(file).toMatchObject({ contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', preview: 'table', version: 1 });

    const { url } = await files.link(a.users.viewer.claims, file.id, 'download');
    const token = new URL(url, 'http://x').searchParams.get('t')!;
    const opened = await files.open(a.users.viewer.claims, file.id, token, 'download');
    opened.object.stream.destroy();
    expect(opened.file.sha256).toBe(file.sha256);
    // Another workspace's member with the copied link; another file's id; another purpose.
    await expect(files.open(b.users.owner.claims, file.id, token, 'download')).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/not for a workspace you are a member of/),
    });
    await expect(files.open(a.users.viewer.claims, randomUUID(), token, 'download')).rejects.toMatchObject({ status: 403 });
    await expect(files.open(a.users.viewer.claims, file.id, token, 'inline')).rejects.toMatchObject({ status: 403 });
    await expect(files.link(b.users.owner.claims, file.id, 'download')).rejects.toMatchObject({ status: 404 });
    // A link signed for workspace B naming A's file (as if B's instance had signed it) is refused too.
    const key = fileLinkKey(secret);
    const crossed = signFileLink(key, { f: file.id, w: b.workspaceId, p: 'download' }, 60).token;
    await expect(files.open(a.users.viewer.claims, file.id, crossed, 'download')).rejects.toMatchObject({ status: 403 });
    // Expired: signed an hour ago for a minute.
    const expired = signFileLink(key, { f: file.id, w: a.workspaceId, p: 'download' }, 60, Date.now() - 3_600_000).token;
    await expect(files.open(a.users.viewer.claims, file.id, expired, 'download')).rejects.toMatchObject({
      status: 410,
      message: expect.stringMatching(/expired/),
    });
    // Tampered.
    await expect(files.open(a.users.viewer.claims, file.id, `${token}x`, 'download')).rejects.toMatchObject({ status: 403 });

    // Table preview, then removal (soft, audited): links stop working, the record stays.
    const table = await files.table(
      a.users.viewer.claims,
      file.id,
      new URL((await files.link(a.users.viewer.claims, file.id, 'table')).url, 'http://x').searchParams.get('t')!,
    );
    expect(table.rows).toEqual([['Site', 'Rent']]);
    await expect(files.remove(a.users.viewer.claims, file.fileGroup)).rejects.toMatchObject({ status: 403 });
    await files.remove(a.users.editor.claims, file.fileGroup);
    await expect(files.open(a.users.viewer.claims, file.id, token, 'download')).rejects.toMatchObject({ status: 403 });
    const audit = await listAuditTrail(db, a.users.owner.claims, { checklistId: a.checklistId, kinds: ['file_uploaded', 'file_removed'] });
    expect(
      audit
        .filter((row) => (row.newValue as { fileId?: string } | null)?.fileId === file.id || row.kind === 'file_removed')
        .map((row) => row.kind)
        .sort(),
    ).toEqual(['file_removed', 'file_uploaded']);
  }, 60_000);
});
