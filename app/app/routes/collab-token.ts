/*
 * A fresh access token for the collaboration socket (the live checklist asks before the old one expires, and
 * when the server refuses an expired one). Reading the session refreshes it and its cookies when needed.
 * JSON, never a redirect: the caller is script, and a signed-out answer must not look like a page. A plain
 * Response, because a resource route's `data()` loses its status under single fetch.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { getOptionalUser } from '~/utils/auth.server.ts';

export type CollabTokenResponse = { token: string; expiresAt: number | null } | { error: string };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getOptionalUser(request, context);
  const headers = new Headers(session?.headers);
  headers.set('Cache-Control', 'private, no-store');
  if (!session) {
    return Response.json({ error: 'Your session has ended: sign in again.' } satisfies CollabTokenResponse, { status: 401, headers });
  }
  const expiresAt = typeof session.claims.exp === 'number' ? session.claims.exp : null;
  return Response.json({ token: session.accessToken, expiresAt } satisfies CollabTokenResponse, { headers });
}
