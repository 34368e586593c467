import type { AppLoadContext } from '@remix-run/node';
import { contentDisposition, type LinkPurpose } from '@tieout/files';
import { Readable } from 'node:stream';
import { getOptionalUser } from './auth.server.ts';

/*
 * The files service (app/server/files.ts) is built by app/server.ts, outside the Remix bundle: its errors are
 * recognised by name and status, not by class (the bundle holds its own copy of every module).
 */
function isFileRequestError(error: unknown): error is Error & { status: number } {
  return error instanceof Error && error.name === 'FileRequestError' && typeof (error as { status?: unknown }).status === 'number';
}

/** A web ReadableStream (a Request body) as an async iterable of chunks, read as they arrive. */
export async function* bodyChunks(body: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** JSON error answers of the file routes: a clear message and a 4xx status for refusals; other errors propagate. */
export function fileErrorResponse(error: unknown): Response {
  if (isFileRequestError(error)) {
    return Response.json({ error: error.message }, { status: error.status, headers: { 'Cache-Control': 'private, no-store' } });
  }
  throw error;
}

/*
 * Serves a file's bytes through a signed link. Whatever the file holds, it never runs in the app's origin: downloads
 * are attachments; previews carry a CSP sandbox (no scripts, no same-origin access) and nosniff, and every response the
 * content type found in the bytes at upload, not the name's.
 */
export async function serveFile(request: Request, context: AppLoadContext, fileId: string, purpose: Extract<LinkPurpose, 'download' | 'inline'>) {
  const session = await getOptionalUser(request, context);
  const plain = (message: string, status: number) =>
    new Response(message, {
      status,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
    });
  if (!session) return plain('Sign in to open this file.', 401);
  try {
    const { file, object } = await context.files.open(session.claims, fileId, new URL(request.url).searchParams.get('t') ?? '', purpose);
    const textual = file.contentType.startsWith('text/');
    const headers = new Headers({
      'Content-Type': textual ? `${file.contentType}; charset=utf-8` : file.contentType,
      'Content-Disposition': contentDisposition(purpose === 'download' ? 'attachment' : 'inline', file.name),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'",
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'private, no-store',
      'X-Checksum-Sha256': file.sha256,
    });
    if (object.size) headers.set('Content-Length', String(object.size));
    return new Response(Readable.toWeb(object.stream) as ReadableStream<Uint8Array>, { status: 200, headers });
  } catch (error) {
    if (isFileRequestError(error)) return plain(error.message, error.status);
    throw error;
  }
}
