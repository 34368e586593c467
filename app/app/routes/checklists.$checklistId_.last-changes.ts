/*
 * GET /checklists/:checklistId/last-changes: who changed each item last ("Last changed by … · 5 min ago"), as JSON,
 * for the list and grid pages to re-read when a live `activity` event names the checklist. A read of its own rather
 * than a revalidation of the page: a failed read (offline, say) leaves the page as it is (decision 124).
 * `?item=<id>&item=<id>…` (at most LAST_CHANGES_MAX_ITEMS): only those items, as the live events name them; the
 * answer then has `items` (the ids asked for), and items nobody changed are absent from `lastChanges`.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { checklistAccess, lastItemChanges } from '@tieout/db';
import { attempt } from '~/models/tenancy.server.ts';
import { z } from 'zod';
import { getOptionalUser } from '~/utils/auth.server.ts';

const headers = { 'Cache-Control': 'private, no-store' };

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await getOptionalUser(request, context);
  if (!session) return Response.json({ error: 'Your session has ended: sign in again.' }, { status: 401, headers });
  const checklistId = params.checklistId ?? '';
  if (!z.uuid().safeParse(checklistId).success || !(await checklistAccess(context.db, session.claims, checklistId))) {
    return Response.json({ error: 'This checklist does not exist or you do not have access to it.' }, { status: 404, headers });
  }
  const named = new URL(request.url).searchParams.getAll('item');
  const items = named.length > 0 ? [...new Set(named)] : null;
  const responseHeaders = { ...Object.fromEntries(session.headers), ...headers };
  // The item list is checked once, where it is read (at most LAST_CHANGES_MAX_ITEMS ids of 1 to 64 characters): a
  // refusal comes back as the app's one mapping of data-access errors gives it (400 for a bad list).
  const read = await attempt(() => lastItemChanges(context.db, session.claims, checklistId, items ?? undefined));
  if (!read.ok) return Response.json({ error: read.message }, { status: read.status, headers: responseHeaders });
  return Response.json({ lastChanges: [...read.value.values()], ...(items ? { items } : {}) }, { headers: responseHeaders });
}
