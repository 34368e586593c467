/* GET /files/:fileId/table?t=<signed link>: the first sheet of an XLSX (or a CSV's rows) as JSON, for the preview. */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getOptionalUser } from '~/utils/auth.server.ts';
import { fileErrorResponse } from '~/utils/files.server.ts';

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await getOptionalUser(request, context);
  if (!session) return Response.json({ error: 'Sign in to open this file.' }, { status: 401, headers: { 'Cache-Control': 'no-store' } });
  try {
    const { sheetName, rows, truncated } = await context.files.table(
      session.claims,
      params.fileId ?? '',
      new URL(request.url).searchParams.get('t') ?? '',
    );
    return Response.json({ sheetName, rows, truncated }, { headers: { 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' } });
  } catch (error) {
    return fileErrorResponse(error);
  }
}
