/*
 * Evidence files for the app: uploads (streamed, checked, then stored and recorded), signed links for downloads and
 * previews, removal, and text extraction for search in the background. Built once per process in app/server.ts and
 * handed to routes through the load context. Everything a person does runs as that person (RLS decides); only the
 * search index and the extraction bookkeeping are written as service_role.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { createLogger, type Logger } from '@tieout/config';
import {
  checklistUploadPlace,
  getItemFile,
  instanceSecret,
  indexFileName,
  indexFileText,
  insertItemFile,
  listItemFiles,
  pendingFileExtractions,
  recordAuditEvent,
  removeItemFile,
  setFileExtraction,
  unindexFiles,
  type Database,
  type ItemFile,
  type JwtClaims,
} from '@tieout/db';
import {
  ExtractError,
  FileLinkError,
  FileNameError,
  FileTypeError,
  SupabaseStorage,
  UploadError,
  acceptedTypeOf,
  cleanFileName,
  createExtractor,
  expectedTypeFor,
  formatBytes,
  fileLinkKey,
  openFileStorage,
  receiveUpload,
  signFileLink,
  sniffStoredType,
  storageKey,
  verifyFileLink,
  type Extractor,
  type FileStorage,
  type FilesConfig,
  type LinkPurpose,
  type PreviewKind,
  type StoredObject,
} from '@tieout/files';

export class FileRequestError extends Error {
  override name = 'FileRequestError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface FileView extends ItemFile {
  preview: PreviewKind;
  typeLabel: string;
}

export interface UploadInput {
  checklistId: string;
  itemId: string;
  name: string;
  claimedType: string | null;
  fileGroup: string | null;
  /** Content-Length, when the client sent one: refused before any byte is read if over the limit. */
  contentLength: number | null;
}

export interface FilesService {
  readonly config: FilesConfig;
  readonly storage: FileStorage;
  upload(claims: JwtClaims, input: UploadInput, body: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<FileView>;
  list(claims: JwtClaims, checklistId: string): Promise<FileView[]>;
  link(claims: JwtClaims, fileId: string, purpose: LinkPurpose): Promise<{ url: string; expiresAt: number }>;
  /** Checks a signed link for the signed-in person and opens the file's bytes. */
  open(claims: JwtClaims, fileId: string, token: string, purpose: LinkPurpose): Promise<{ file: FileView; object: StoredObject }>;
  /** The first sheet (XLSX) or the rows (CSV) for the preview. */
  table(
    claims: JwtClaims,
    fileId: string,
    token: string,
  ): Promise<{ file: FileView; sheetName: string | null; rows: string[][]; truncated: boolean }>;
  remove(claims: JwtClaims, fileGroup: string): Promise<ItemFile[]>;
  /** Resolves when every extraction queued so far has finished (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const itemIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

function view(file: ItemFile): FileView {
  const type = acceptedTypeOf(file.contentType);
  return { ...file, preview: type?.preview ?? 'none', typeLabel: type?.label ?? file.contentType };
}

export function createFilesService(options: {
  db: Database;
  config: FilesConfig;
  instanceSecret: string;
  /** Background text extraction (one file at a time) and previews (their own workers, so they never wait behind it). */
  extractor?: Extractor;
  previewer?: Extractor;
  /** pino; default a `files` logger at LOG_LEVEL. */
  logger?: Logger;
}): FilesService {
  const { db, config } = options;
  const { storage, incomingDir } = openFileStorage(config);
  const key = fileLinkKey(options.instanceSecret);
  const extractor = options.extractor ?? createExtractor({ concurrency: 1 });
  const previewer = options.previewer ?? createExtractor({ concurrency: 2 });
  const logger = options.logger ?? createLogger('files');

  // Text extraction, one file at a time, in the order uploaded (a restart picks up what was pending).
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  const enqueue = (file: ItemFile) => {
    queue = queue
      .then(() => (closed ? undefined : extract(file)))
      .catch((error: unknown) => logger.error({ err: error, fileId: file.id }, 'text extraction failed'));
  };

  async function extract(file: ItemFile): Promise<void> {
    const type = acceptedTypeOf(file.contentType);
    if (!type || !['pdf', 'table', 'text'].includes(type.preview)) {
      await db.asService((sql) => setFileExtraction(sql, file.id, 'none'));
      return;
    }
    const object = await storage.read(file.storageKey);
    if (!object) {
      await db.asService((sql) => setFileExtraction(sql, file.id, 'failed'));
      return;
    }
    // The worker reads a file on disk: the local folder's own path, or a temporary copy of a Supabase object.
    const path = join(tmpdir(), `tieout-extract-${randomUUID()}`);
    try {
      await pipeline(object.stream, createWriteStream(path, { mode: 0o600 }));
      const result = await extractor.text(path, file.contentType, file.sizeBytes);
      await db.asService(async (sql) => {
        const current = await getItemFile(sql, file.id);
        if (!current || current.removedAt) return;
        await indexFileText(sql, file, result.chunks);
        await setFileExtraction(sql, file.id, 'done');
      });
    } catch (error) {
      await db.asService((sql) => setFileExtraction(sql, file.id, error instanceof ExtractError && error.code === 'too_large' ? 'none' : 'failed'));
      if (!(error instanceof ExtractError)) throw error;
      logger.warn({ fileId: file.id, code: error.code, reason: error.message }, 'text not extracted');
    } finally {
      await rm(path, { force: true });
    }
  }

  void db
    .asService((sql) => pendingFileExtractions(sql, 1000))
    .then((files) => files.forEach(enqueue))
    .catch((error: unknown) => logger.error({ err: error }, 'could not list files waiting for text extraction'));

  async function readable(claims: JwtClaims, fileId: string): Promise<ItemFile> {
    if (!uuidPattern.test(fileId)) throw new FileRequestError('No such file', 404);
    const file = await db.asUser(claims, (sql) => getItemFile(sql, fileId));
    if (!file || file.removedAt) throw new FileRequestError('No such file, or it is not in a workspace you are a member of', 404);
    return file;
  }

  async function checkLink(claims: JwtClaims, fileId: string, token: string, purpose: LinkPurpose): Promise<ItemFile> {
    let link;
    try {
      link = verifyFileLink(key, token, purpose);
    } catch (error) {
      if (error instanceof FileLinkError) throw new FileRequestError(error.message, error.code === 'expired' ? 410 : 403);
      throw error;
    }
    if (link.f !== fileId) throw new FileRequestError('This link is for another file', 403);
    const file = await readable(claims, fileId).catch((error: unknown) => {
      if (error instanceof FileRequestError) throw new FileRequestError('This link is not for a workspace you are a member of', 403);
      throw error;
    });
    if (file.workspaceId !== link.w) throw new FileRequestError('This link is not for a workspace you are a member of', 403);
    return file;
  }

  return {
    config,
    storage,

    async upload(claims, input, body, signal) {
      if (!uuidPattern.test(input.checklistId) || !itemIdPattern.test(input.itemId)) throw new FileRequestError('Unknown checklist or item', 400);
      if (input.fileGroup !== null && !uuidPattern.test(input.fileGroup)) throw new FileRequestError('Unknown file to add a version to', 400);
      let name: string;
      let expected;
      try {
        name = cleanFileName(input.name);
        expected = expectedTypeFor(name, input.claimedType);
      } catch (error) {
        if (error instanceof FileNameError || error instanceof FileTypeError) throw new FileRequestError(error.message, 415);
        throw error;
      }
      if (input.contentLength !== null && input.contentLength > config.maxBytes) {
        throw new FileRequestError(`The file is larger than the limit of ${formatBytes(config.maxBytes)}`, 413);
      }
      if (input.contentLength === 0) throw new FileRequestError('The file is empty (0 bytes): nothing to attach', 400);
      // Who may upload here is checked before the body is read (and again by RLS when the row is written).
      const place = await db.asUser(claims, (sql) => checklistUploadPlace(sql, input.checklistId));
      if (!place) throw new FileRequestError('No such checklist, or it is not in a workspace you are a member of', 404);
      if (!place.canAttach) throw new FileRequestError('Only owners and editors can attach files', 403);

      let received;
      try {
        received = await receiveUpload(body, { tmpDir: incomingDir, maxBytes: config.maxBytes, signal });
      } catch (error) {
        if (error instanceof UploadError) throw new FileRequestError(error.message, error.status);
        throw error;
      }
      const id = randomUUID();
      const key = storageKey(place.workspaceId, id);
      let stored = false;
      try {
        const type = await sniffStoredType(received.path, expected).catch((error: unknown) => {
          if (error instanceof FileTypeError) throw new FileRequestError(error.message, 415);
          throw error;
        });
        if (signal?.aborted) throw new FileRequestError('The upload was cancelled', 499);
        await storage.putFile(key, received.path, type.contentType);
        stored = true;
        const file = await db.asUser(claims, async (sql) => {
          const inserted = await insertItemFile(sql, {
            id,
            fileGroup: input.fileGroup,
            workspaceId: place.workspaceId,
            dealId: place.dealId,
            checklistId: input.checklistId,
            itemId: input.itemId,
            name,
            sizeBytes: received.size,
            contentType: type.contentType,
            sha256: received.sha256,
            storageKey: key,
          });
          // Audited in the same transaction: the row exists if and only if the record does.
          await recordAuditEvent(sql, {
            workspaceId: inserted.workspaceId,
            dealId: inserted.dealId,
            checklistId: inserted.checklistId,
            itemId: inserted.itemId,
            kind: 'file_uploaded',
            newValue: { fileId: inserted.id, name: inserted.name, version: inserted.version, sha256: inserted.sha256, sizeBytes: inserted.sizeBytes },
          });
          return inserted;
        });
        await db.asService((sql) => indexFileName(sql, file));
        enqueue(file);
        return view(file);
      } catch (error) {
        await received.discard();
        if (stored) {
          await storage
            .remove(key)
            .catch((cleanup: unknown) => logger.error({ err: cleanup, fileId: id }, 'could not remove the stored copy of a refused file'));
        }
        if (error instanceof FileRequestError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        if (/removed: upload it as a new file/.test(message))
          throw new FileRequestError('This file was removed: upload it as a new file instead', 409);
        if (/same item/.test(message)) throw new FileRequestError('A new version must be uploaded to the same item', 400);
        if (/row-level security|permission denied/i.test(message)) throw new FileRequestError('Only owners and editors can attach files', 403);
        throw error;
      }
    },

    async list(claims, checklistId) {
      if (!uuidPattern.test(checklistId)) return [];
      return (await db.asUser(claims, (sql) => listItemFiles(sql, checklistId))).map(view);
    },

    async link(claims, fileId, purpose) {
      const file = await readable(claims, fileId);
      const { token, expiresAt } = signFileLink(key, { f: file.id, w: file.workspaceId, p: purpose }, config.linkTtlSeconds);
      const path = purpose === 'table' ? `/files/${file.id}/table` : `/files/${file.id}/${purpose === 'download' ? 'download' : 'view'}`;
      return { url: `${path}?${new URLSearchParams({ t: token })}`, expiresAt };
    },

    async open(claims, fileId, token, purpose) {
      const file = await checkLink(claims, fileId, token, purpose);
      const object = await storage.read(file.storageKey);
      if (!object) throw new FileRequestError('The file’s content is missing from storage', 404);
      return { file: view(file), object };
    },

    async table(claims, fileId, token) {
      const file = view(await checkLink(claims, fileId, token, 'table'));
      if (file.preview !== 'table') throw new FileRequestError('This file has no table preview', 400);
      const object = await storage.read(file.storageKey);
      if (!object) throw new FileRequestError('The file’s content is missing from storage', 404);
      const path = join(tmpdir(), `tieout-table-${randomUUID()}`);
      try {
        await pipeline(object.stream, createWriteStream(path, { mode: 0o600 }));
        const result = await previewer.table(path, file.contentType, file.sizeBytes);
        return { file, sheetName: result.sheetName, rows: result.rows, truncated: result.truncated };
      } catch (error) {
        if (error instanceof ExtractError) throw new FileRequestError(error.message, 422);
        throw error;
      } finally {
        await rm(path, { force: true });
      }
    },

    async remove(claims, fileGroup) {
      if (!uuidPattern.test(fileGroup)) throw new FileRequestError('No such file', 404);
      let removed: ItemFile[];
      try {
        removed = await db.asUser(claims, async (sql) => {
          const versions = await removeItemFile(sql, fileGroup, claims.sub);
          const latest = versions.reduce((a, b) => (b.version > a.version ? b : a));
          await recordAuditEvent(sql, {
            workspaceId: latest.workspaceId,
            dealId: latest.dealId,
            checklistId: latest.checklistId,
            itemId: latest.itemId,
            kind: 'file_removed',
            oldValue: { fileGroup, name: latest.name, versions: versions.map((v) => ({ fileId: v.id, version: v.version, sha256: v.sha256 })) },
          });
          return versions;
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (/No such file|row-level security|permission denied/i.test(message))
          throw new FileRequestError('No such file, or you may not remove it', 403);
        throw error;
      }
      await db.asService((sql) =>
        unindexFiles(
          sql,
          removed.map((f) => f.id),
        ),
      );
      return removed;
    },

    idle: () => queue,

    async close() {
      closed = true;
      await queue;
      await Promise.all([extractor.close(), previewer.close()]);
    },
  };
}

/** Starts the service with this instance's secret (`config`: loadFilesConfig, read at start with the rest). */
export async function startFiles(db: Database, config: FilesConfig, logger: Logger): Promise<FilesService> {
  const service = createFilesService({ db, config, logger, instanceSecret: await instanceSecret(db, 'file_link_secret') });
  if (service.storage instanceof SupabaseStorage) await service.storage.ensureBucket(config.maxBytes);
  return service;
}
