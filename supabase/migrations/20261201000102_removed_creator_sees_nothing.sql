-- Issue 10 (low): a workspace's creator read it through `created_by = auth.uid()` forever, also after being removed
-- from it. The creator clause exists only so that `insert ... returning` works before the on_workspace_created
-- trigger has made them the owner: it now holds only while the workspace has no members at all.
create function public.workspace_has_members(target_workspace uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.workspace_members m where m.workspace_id = target_workspace)
$$;
revoke execute on function public.workspace_has_members(uuid) from public, anon;
grant execute on function public.workspace_has_members(uuid) to authenticated, service_role;

drop policy "workspaces: members read" on public.workspaces;
create policy "workspaces: members read" on public.workspaces for select to authenticated
  using (public.is_workspace_member(id) or (created_by = auth.uid() and not public.workspace_has_members(id)));
