import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, copyFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';

/*
 * One storage interface for file contents. Keys are '<workspace id>/<file id>' (validated), never a person's name.
 * - LocalFolderStorage: a folder under .data/ on the embedded default (`npm start` needs nothing else); the app
 *   serves it only through signed links.
 * - SupabaseStorage: a private bucket of the Supabase project, through supabase-js with the service role key
 *   (production). Objects are never public: downloads go through the app's signed, membership-checked links.
 */

export interface StoredObject {
  stream: Readable;
  size: number;
}

export interface FileStorage {
  readonly kind: 'local' | 'supabase';
  /** Moves a fully received, checked temporary file into storage under `key`. */
  putFile(key: string, tmpPath: string, contentType: string): Promise<void>;
  /** The object's bytes as a stream, or null when there is none. */
  read(key: string): Promise<StoredObject | null>;
  remove(key: string): Promise<void>;
}

const keyPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function storageKey(workspaceId: string, fileId: string): string {
  const key = `${workspaceId}/${fileId}`;
  assertKey(key);
  return key;
}

function assertKey(key: string): void {
  if (!keyPattern.test(key)) throw new Error(`Not a storage key: ${JSON.stringify(key)}`);
}

export class LocalFolderStorage implements FileStorage {
  readonly kind = 'local' as const;
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Where uploads are received before they are checked (same filesystem, so putFile is a rename). */
  get incomingDir(): string {
    return join(this.root, '.incoming');
  }

  private pathOf(key: string): string {
    assertKey(key);
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error('Storage key outside the storage folder');
    return path;
  }

  async putFile(key: string, tmpPath: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    try {
      await rename(tmpPath, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(tmpPath, path);
      await rm(tmpPath, { force: true });
    }
  }

  async read(key: string): Promise<StoredObject | null> {
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      return { stream: createReadStream(path), size: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

export class SupabaseStorage implements FileStorage {
  readonly kind = 'supabase' as const;
  private readonly client: SupabaseClient;
  constructor(
    options: { url: string; serviceRoleKey: string; bucket: string },
    readonly bucket = options.bucket,
  ) {
    this.client = createClient(options.url, options.serviceRoleKey, { auth: { persistSession: false, autoRefreshToken: false } });
  }

  /** Creates the private bucket if the project does not have it yet (idempotent; called at start). */
  async ensureBucket(maxBytes: number): Promise<void> {
    const { data } = await this.client.storage.getBucket(this.bucket);
    if (data) {
      if (data.public)
        throw new Error(`The storage bucket "${this.bucket}" is public: make it private, files must only be served through signed links`);
      return;
    }
    const { error } = await this.client.storage.createBucket(this.bucket, { public: false, fileSizeLimit: maxBytes });
    if (error && !/already exists/i.test(error.message)) throw new Error(`Could not create the storage bucket "${this.bucket}": ${error.message}`);
  }

  async putFile(key: string, tmpPath: string, contentType: string): Promise<void> {
    assertKey(key);
    const info = await stat(tmpPath);
    // Streamed from the checked temporary file (a web stream with duplex 'half'): never read whole into memory.
    const body = Readable.toWeb(createReadStream(tmpPath)) as ReadableStream<Uint8Array>;
    const { error } = await this.client.storage.from(this.bucket).upload(key, body, {
      contentType,
      upsert: false,
      duplex: 'half',
      headers: { 'content-length': String(info.size) },
    });
    await rm(tmpPath, { force: true });
    if (error) throw new Error(`Storing the file failed: ${error.message}`);
  }

  async read(key: string): Promise<StoredObject | null> {
    assertKey(key);
    const { data, error } = await this.client.storage.from(this.bucket).createSignedUrl(key, 60);
    if (error || !data) return null;
    const response = await fetch(data.signedUrl);
    if (response.status === 404 || response.status === 400) return null;
    if (!response.ok || !response.body) throw new Error(`Reading the file from storage failed (${response.status})`);
    const size = Number(response.headers.get('content-length') ?? '0');
    return { stream: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), size };
  }

  async remove(key: string): Promise<void> {
    assertKey(key);
    const { error } = await this.client.storage.from(this.bucket).remove([key]);
    if (error) throw new Error(`Removing the file from storage failed: ${error.message}`);
  }
}
