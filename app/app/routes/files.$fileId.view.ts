/* GET /files/:fileId/view?t=<signed link>: the file for an in-page preview, sandboxed (CSP sandbox, nosniff). */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { serveFile } from '~/utils/files.server.ts';

export const loader = ({ request, context, params }: LoaderFunctionArgs) => serveFile(request, context, params.fileId ?? '', 'inline');
