/*
 * GET /live: the signed-in person's live events (Server-Sent Events), e.g. "items of checklist X changed".
 * Pages re-read their loader when one concerns them (useLiveEvents, app/app/utils/live.ts).
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getOptionalUser } from '~/utils/auth.server.ts';
import { liveEventStream } from '~/utils/live.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getOptionalUser(request, context);
  const headers = new Headers(session?.headers);
  headers.set('Cache-Control', 'private, no-store');
  if (!session) return Response.json({ error: 'Your session has ended: sign in again.' }, { status: 401, headers });
  try {
    return await liveEventStream(context.db, session.claims, request.signal, headers);
  } catch {
    return Response.json({ error: 'Live updates are unavailable right now.' }, { status: 503, headers });
  }
}
