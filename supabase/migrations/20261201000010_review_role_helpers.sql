-- The review and comment rules as SQL helpers, mirroring canReview / canComment in packages/db/src/roles.ts
-- (packages/db/test/roles.test.ts checks that the two agree). Policies on review tables use these.

create function public.can_review_workspace(target_workspace uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce(public.workspace_role(target_workspace) in ('owner', 'reviewer'), false)
$$;

create function public.can_comment_workspace(target_workspace uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce(public.workspace_role(target_workspace) in ('owner', 'editor', 'reviewer'), false)
$$;

revoke execute on function public.can_review_workspace(uuid), public.can_comment_workspace(uuid) from public, anon;
grant execute on function public.can_review_workspace(uuid), public.can_comment_workspace(uuid) to authenticated, service_role;
