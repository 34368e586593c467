/**
 * The workspace roles and what each may do: the one definition used by the app, the collaboration server and
 * the packages. It mirrors the SQL helpers of supabase/migrations (`public.can_edit_workspace`,
 * `public.is_workspace_owner`, …); packages/db/test/roles.test.ts checks that the two agree.
 * Browser-safe (no imports): the app's client code imports it as `@tieout/db/roles`.
 */
export const memberRoles = ['owner', 'editor', 'reviewer', 'viewer'] as const;
export type MemberRole = (typeof memberRoles)[number];

export const roleLabels: Record<MemberRole, string> = {
  owner: 'Owner',
  editor: 'Editor',
  reviewer: 'Reviewer',
  viewer: 'Viewer',
};

export function isMemberRole(value: unknown): value is MemberRole {
  return typeof value === 'string' && (memberRoles as readonly string[]).includes(value);
}

/** Owners and editors change checklists; reviewers and viewers follow them live, read-only. */
export function canEdit(role: MemberRole | null | undefined): boolean {
  return role === 'owner' || role === 'editor';
}

/** Owners and reviewers approve items or send them back. */
export function canReview(role: MemberRole | null | undefined): boolean {
  return role === 'owner' || role === 'reviewer';
}

/** Everyone but viewers takes part in comment threads. */
export function canComment(role: MemberRole | null | undefined): boolean {
  return role === 'owner' || role === 'editor' || role === 'reviewer';
}

/** Owners manage members, invitations and the workspace itself. */
export function isOwner(role: MemberRole | null | undefined): boolean {
  return role === 'owner';
}
