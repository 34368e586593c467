import type { LoaderFunctionArgs } from '@remix-run/node';
import { data } from '@remix-run/node';
import { getChecklist, listMembers } from '@tieout/db';
import { canEdit } from '@tieout/db/roles';
import { z } from 'zod';
import { requireUser } from '~/utils/auth.server.ts';
import { collabBaseUrl, userColor } from '~/utils/collab.ts';

/**
 * What every live view of a checklist (the list and the grid) loads: the checklist, its members (with whether
 * each may own items: owners and editors), the signed-in person, and how to reach the collaboration server.
 */
export async function loadChecklistPage({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const checklistId = z.uuid().safeParse(params.checklistId);
  const checklist = checklistId.success ? await getChecklist(context.db, session.claims, checklistId.data) : null;
  if (!checklist) {
    throw data('This checklist does not exist or you do not have access to it.', {
      status: 404,
      headers: session.headers,
    });
  }
  const members = await listMembers(context.db, session.claims, checklist.workspaceId);
  return {
    session,
    page: {
      checklist,
      members: members.map(({ userId, displayName, email, role }) => ({
        id: userId,
        name: displayName,
        email,
        role,
        canOwnItems: canEdit(role),
      })),
      canEdit: canEdit(checklist.role),
      me: { id: session.user.id, name: session.user.name, color: userColor(session.user.id) },
      // No access token in the page: a copy the service worker keeps for offline use must not hold one (issue 10);
      // the page asks /collab-token (never cached) for it.
      token: null,
      tokenExpiresAt: null,
      collabUrl: collabBaseUrl(request.url, context.config.collabUrl, request.headers.get('X-Forwarded-Proto')),
    },
  };
}

export const pageHeaders = (headers: Headers) => ({ ...Object.fromEntries(headers), 'Cache-Control': 'private, no-cache' });
