/* GET /files/:fileId/download?t=<signed link>: the file as an attachment (never rendered in the app's origin). */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { serveFile } from '~/utils/files.server.ts';

export const loader = ({ request, context, params }: LoaderFunctionArgs) => serveFile(request, context, params.fileId ?? '', 'download');
