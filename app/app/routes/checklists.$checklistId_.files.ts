/*
 * GET /checklists/:checklistId/files: the checklist's files (every version, removed ones left out) as JSON, for the
 * item panels (re-read when a live 'files' event arrives). POST intent=remove&fileGroup=…: soft-removes a file.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { getOptionalUser } from '~/utils/auth.server.ts';
import { fileErrorResponse } from '~/utils/files.server.ts';

const headers = { 'Cache-Control': 'private, no-store' };

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await getOptionalUser(request, context);
  if (!session) return Response.json({ error: 'Your session has ended: sign in again.' }, { status: 401, headers });
  const files = await context.files.list(session.claims, params.checklistId ?? '');
  return Response.json({ files, maxBytes: context.files.config.maxBytes }, { headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await getOptionalUser(request, context);
  if (!session) return Response.json({ error: 'Your session has ended: sign in again.' }, { status: 401, headers });
  const form = await request.formData();
  if (form.get('intent') !== 'remove') return Response.json({ error: 'Unknown action' }, { status: 400, headers });
  try {
    const removed = await context.files.remove(session.claims, String(form.get('fileGroup') ?? ''));
    return Response.json({ removed: removed.length }, { headers });
  } catch (error) {
    return fileErrorResponse(error);
  }
}
