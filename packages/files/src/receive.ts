import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';

/*
 * Receiving an upload: the body is streamed to a temporary file in chunks (never held whole in memory), the SHA-256
 * computed on the way, the size limit enforced as bytes arrive. Any failure (too large, empty, aborted, disk error)
 * deletes the temporary file, so nothing is left half-way.
 */

export class UploadError extends Error {
  override name = 'UploadError';
  constructor(
    readonly code: 'too_large' | 'empty' | 'aborted' | 'refused',
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ReceivedUpload {
  /** The temporary file: move it into storage, or call discard(). */
  path: string;
  size: number;
  sha256: string;
  discard(): Promise<void>;
}

export const formatBytes = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;

export async function receiveUpload(
  body: AsyncIterable<Uint8Array>,
  options: { tmpDir: string; maxBytes: number; signal?: AbortSignal },
): Promise<ReceivedUpload> {
  await mkdir(options.tmpDir, { recursive: true });
  const path = join(options.tmpDir, `${randomUUID()}.part`);
  const discard = () => rm(path, { force: true });
  const hash = createHash('sha256');
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  let size = 0;
  try {
    for await (const chunk of body) {
      if (options.signal?.aborted) throw new UploadError('aborted', 'The upload was cancelled', 499);
      size += chunk.byteLength;
      if (size > options.maxBytes) {
        throw new UploadError('too_large', `The file is larger than the limit of ${formatBytes(options.maxBytes)}`, 413);
      }
      hash.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    if (options.signal?.aborted) throw new UploadError('aborted', 'The upload was cancelled', 499);
    out.end();
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    await once(out, 'close').catch(() => {});
    await discard();
    if (error instanceof UploadError) throw error;
    throw new UploadError('aborted', 'The upload was interrupted before the whole file arrived', 400);
  }
  if (size === 0) {
    await discard();
    throw new UploadError('empty', 'The file is empty (0 bytes): nothing to attach', 400);
  }
  return { path, size, sha256: hash.digest('hex'), discard };
}
