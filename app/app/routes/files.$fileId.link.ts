/*
 * GET /files/:fileId/link?purpose=download|inline|table: a fresh short-lived signed link to the file, for a member of
 * its workspace (others get 404). The link itself is checked again, against the person opening it, when used.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getOptionalUser } from '~/utils/auth.server.ts';
import { fileErrorResponse } from '~/utils/files.server.ts';

const purposes = ['download', 'inline', 'table'] as const;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const headers = { 'Cache-Control': 'private, no-store' };
  const session = await getOptionalUser(request, context);
  if (!session) return Response.json({ error: 'Your session has ended: sign in again.' }, { status: 401, headers });
  const purpose = new URL(request.url).searchParams.get('purpose');
  if (!purposes.includes(purpose as (typeof purposes)[number])) return Response.json({ error: 'Unknown purpose' }, { status: 400, headers });
  try {
    const link = await context.files.link(session.claims, params.fileId ?? '', purpose as (typeof purposes)[number]);
    return Response.json(link, { headers });
  } catch (error) {
    return fileErrorResponse(error);
  }
}
