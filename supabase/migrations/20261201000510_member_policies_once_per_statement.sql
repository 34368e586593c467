-- Membership checked once per statement, not once per row (issue 10: "the home page aggregates every projected row
-- under RLS"). public.is_workspace_member(workspace_id) in a policy runs a membership lookup for every row read; the
-- caller's workspace ids in an InitPlan (`(select public.my_workspace_ids())`) are read once and compared in memory.
-- Same rule, same rows: members read. docs/decisions/140.
create function public.my_workspace_ids() returns uuid[]
language sql stable security definer set search_path = '' as $$
  select coalesce(array_agg(m.workspace_id), '{}'::uuid[]) from public.workspace_members m where m.user_id = auth.uid()
$$;
grant execute on function public.my_workspace_ids() to authenticated, service_role;

drop policy "items: members read" on public.checklist_items;
create policy "items: members read" on public.checklist_items for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));

drop policy "item counts: members read" on public.checklist_item_counts;
create policy "item counts: members read" on public.checklist_item_counts for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));

drop policy "progress days: members read" on public.checklist_progress_days;
create policy "progress days: members read" on public.checklist_progress_days for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));
