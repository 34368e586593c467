export const MEMBER_ROLES = ['owner', 'editor', 'reviewer', 'viewer'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export function isMemberRole(value: unknown): value is MemberRole {
  return typeof value === 'string' && (MEMBER_ROLES as readonly string[]).includes(value);
}

/** Owners and editors change checklists; reviewers and viewers follow them live, read-only. */
export function canEdit(role: MemberRole | null): boolean {
  return role === 'owner' || role === 'editor';
}

export const ROLE_LABELS: Record<MemberRole, string> = {
  owner: 'Owner',
  editor: 'Editor',
  reviewer: 'Reviewer',
  viewer: 'Viewer',
};
