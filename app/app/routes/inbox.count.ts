/* GET /inbox/count: { unread } for the header's inbox link (re-read on live 'notifications' events for the user). */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { unreadNotificationCount } from '@tieout/db';
import { getOptionalUser } from '~/utils/auth.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getOptionalUser(request, context);
  const headers = { 'Cache-Control': 'private, no-store' };
  if (!session) return Response.json({ error: 'Your session has ended: sign in again.' }, { status: 401, headers });
  return Response.json({ unread: await unreadNotificationCount(context.db, session.claims) }, { headers });
}
