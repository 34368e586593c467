import { DataAccessError, type DataAccessKind, type TenancyErrorCode } from '@tieout/db';
import { z } from 'zod';
import { memberRoles } from '@tieout/db/roles';

/**
 * Workspace, member and invitation management for the routes, and the app's one mapping from a refused or invalid data
 * access (a DataAccessError from packages/db or the app's models, docs/decisions/015) to an HTTP status. The rules live
 * in the database (docs/decisions/012); this module only validates form input and turns the typed refusals into
 * statuses and messages the pages show.
 */

const HTTP_STATUS: Record<DataAccessKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  unavailable: 503,
};

/** The HTTP status of a refusal, from its kind. */
export function accessStatus(error: DataAccessError): number {
  return HTTP_STATUS[error.kind];
}

export type Refusal = { ok: false; kind: DataAccessKind; code: string; message: string; status: number };

/** Runs `work`; a DataAccessError becomes `{ ok: false, ... }` with its status, anything else is rethrown. */
export async function attempt<T>(work: () => Promise<T>): Promise<{ ok: true; value: T } | Refusal> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof DataAccessError)
      return { ok: false, kind: error.kind, code: error.code, message: error.message, status: accessStatus(error) };
    throw error;
  }
}

const email = z.string().trim().min(1, 'Enter an email address').pipe(z.email('Enter a valid email address').max(254, 'Use at most 254 characters'));
const role = z.enum(memberRoles, { error: 'Choose a role' });
const userId = z.uuid('Choose a member');

export const workspaceNameSchema = z.object({
  name: z.string().trim().min(1, 'Enter a name for the workspace').max(120, 'Use at most 120 characters'),
});

/** The members page's forms, told apart by their `intent` button. */
export const memberIntentSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('invite'), email, role }),
  z.object({ intent: z.literal('revoke'), invitationId: z.uuid('Choose an invitation') }),
  z.object({ intent: z.literal('change-role'), userId, role }),
  z.object({ intent: z.literal('remove'), userId }),
  z.object({ intent: z.literal('leave') }),
]);
export type MemberIntent = z.output<typeof memberIntentSchema>['intent'];

export const MEMBER_INTENTS: readonly MemberIntent[] = ['invite', 'revoke', 'change-role', 'remove', 'leave'];

export function isMemberIntent(value: unknown): value is MemberIntent {
  return typeof value === 'string' && (MEMBER_INTENTS as readonly string[]).includes(value);
}

/** The absolute link an invitee opens, on the origin the owner's browser used. */
export function invitationUrl(request: Request, token: string): string {
  const url = new URL(request.url);
  const proto = request.headers.get('X-Forwarded-Proto')?.split(',')[0]?.trim();
  if (proto === 'https' || proto === 'http') url.protocol = `${proto}:`;
  return new URL(`/invitations/${encodeURIComponent(token)}`, url.origin).toString();
}

/** Shown on the invitation page for each refusal of public.accept_invitation, with what to do next. */
export const INVITATION_REFUSAL_TITLES: Partial<Record<TenancyErrorCode, string>> = {
  invitation_invalid: 'This invitation link is not valid',
  invitation_expired: 'This invitation has expired',
  invitation_used: 'This invitation has already been used',
  invitation_email_mismatch: 'This invitation is for someone else',
  already_member: 'You are already a member',
};
