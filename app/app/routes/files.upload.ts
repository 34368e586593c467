/*
 * POST /files/upload?checklistId=…&itemId=…&name=…[&fileGroup=…]: one file per request, the raw bytes as the body
 * (so the browser reports progress per file and can cancel each). Streamed to disk, never held whole in memory; the
 * size limit, the type allow-list, the bytes' real type and the person's right to upload are checked before anything
 * is stored or recorded. Answers JSON: { file } or { error } with a 4xx status.
 */
import type { ActionFunctionArgs } from '@remix-run/node';
import { getOptionalUser } from '~/utils/auth.server.ts';
import { bodyChunks, fileErrorResponse } from '~/utils/files.server.ts';

export async function action({ request, context }: ActionFunctionArgs) {
  const headers = { 'Cache-Control': 'private, no-store' };
  if (request.method !== 'POST') return Response.json({ error: 'Use POST' }, { status: 405, headers });
  const session = await getOptionalUser(request, context);
  if (!session) return Response.json({ error: 'Your session has ended: sign in again.' }, { status: 401, headers });
  const url = new URL(request.url);
  const length = request.headers.get('Content-Length');
  try {
    const file = await context.files.upload(
      session.claims,
      {
        checklistId: url.searchParams.get('checklistId') ?? '',
        itemId: url.searchParams.get('itemId') ?? '',
        name: url.searchParams.get('name') ?? '',
        claimedType: request.headers.get('Content-Type'),
        fileGroup: url.searchParams.get('fileGroup') || null,
        contentLength: length !== null && /^\d+$/.test(length) ? Number(length) : null,
      },
      bodyChunks(request.body),
      request.signal,
    );
    return Response.json({ file }, { status: 201, headers: { ...headers, ...Object.fromEntries(session.headers) } });
  } catch (error) {
    return fileErrorResponse(error);
  }
}
