-- Membership checked once per statement on the tables the cross-checklist item list and the dashboard join to the
-- projection (issue 14: the unfiltered list of a 5,000-item workspace joined every row to public.checklists, whose
-- policy ran public.is_workspace_member() once per joined row: 5,000 membership lookups for 200 rows shown). As
-- 20261201000510 did for the projection and the counts: the caller's workspace ids in an InitPlan, read once.
-- Same rule, same rows: members read. docs/decisions/143.
drop policy "checklists: members read" on public.checklists;
create policy "checklists: members read" on public.checklists for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));

drop policy "workstreams: members read" on public.workstreams;
create policy "workstreams: members read" on public.workstreams for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));

drop policy "deals: members read" on public.deals;
create policy "deals: members read" on public.deals for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));

drop policy "approvals: members read" on public.item_approvals;
create policy "approvals: members read" on public.item_approvals for select to authenticated
  using (workspace_id = any ((select public.my_workspace_ids())::uuid[]));
