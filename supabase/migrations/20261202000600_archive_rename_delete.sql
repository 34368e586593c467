-- Issue 15: owners rename, archive and delete deals, workstreams and checklists; owners and editors change a deal's
-- stage (docs/decisions/153-archive-rename-delete.md).

-- 1. Archived rows are kept (with everything under them) and hidden from lists, dashboards and search.
alter table public.deals add column archived_at timestamptz;
alter table public.workstreams add column archived_at timestamptz;
alter table public.checklists add column archived_at timestamptz;

-- 2. Renaming and archiving are for owners. The update policies still let editors change the other columns the
--    product lets them change (a deal's stage, value and target signing date); this trigger refuses a change of the
--    name or of archived_at by a signed-in caller who is not an owner of the row's workspace, whatever path
--    (app, PostgREST) made it. The service role and the database owner (migrations, seed) are not signed-in callers.
create function public.owners_rename_and_archive() returns trigger
language plpgsql set search_path = '' as $$
declare
  what text := case tg_table_name when 'deals' then 'deal' when 'workstreams' then 'workstream' else 'checklist' end;
  -- The name column differs per table (title for checklists): read through jsonb, not as a field of OLD/NEW.
  name_column text := case tg_table_name when 'checklists' then 'title' else 'name' end;
  renamed boolean := (to_jsonb(old) ->> name_column) is distinct from (to_jsonb(new) ->> name_column);
begin
  if current_user not in ('authenticated', 'anon') then
    return new;
  end if;
  if (renamed or old.archived_at is distinct from new.archived_at) and not public.is_workspace_owner(old.workspace_id) then
    raise exception 'Only owners of this workspace can rename, archive or unarchive a %', what
      using errcode = '42501', hint = 'Ask an owner of the workspace';
  end if;
  return new;
end $$;
revoke execute on function public.owners_rename_and_archive() from public, anon, authenticated;

create trigger owners_rename_and_archive before update on public.deals
  for each row execute function public.owners_rename_and_archive();
create trigger owners_rename_and_archive before update on public.workstreams
  for each row execute function public.owners_rename_and_archive();
create trigger owners_rename_and_archive before update on public.checklists
  for each row execute function public.owners_rename_and_archive();

-- 3. The audit trail records renames, archiving, unarchiving and stage changes where they happen (like deletions,
--    decision 121), and the deletion of a workstream (its checklists' deletions are recorded one by one).
create function tieout_audit.on_structure_change() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  what text := case tg_table_name when 'deals' then 'deal' when 'workstreams' then 'workstream' else 'checklist' end;
  name_column text := case tg_table_name when 'checklists' then 'title' else 'name' end;
  deal uuid := case tg_table_name when 'deals' then new.id else (to_jsonb(new) ->> 'deal_id')::uuid end;
  checklist uuid := case tg_table_name when 'checklists' then new.id end;
  old_name text := to_jsonb(old) ->> name_column;
  new_name text := to_jsonb(new) ->> name_column;
  subject jsonb := jsonb_build_object('id', new.id, 'name', new_name);
begin
  if old_name is distinct from new_name then
    insert into public.audit_trail (workspace_id, deal_id, checklist_id, kind, field, old_value, new_value, user_id)
    values (new.workspace_id, deal, checklist, what || '_renamed', 'name',
            jsonb_build_object('id', old.id, 'name', old_name), subject, tieout_audit.actor());
  end if;
  if old.archived_at is null and new.archived_at is not null then
    insert into public.audit_trail (workspace_id, deal_id, checklist_id, kind, new_value, user_id)
    values (new.workspace_id, deal, checklist, what || '_archived', subject, tieout_audit.actor());
  elsif old.archived_at is not null and new.archived_at is null then
    insert into public.audit_trail (workspace_id, deal_id, checklist_id, kind, new_value, user_id)
    values (new.workspace_id, deal, checklist, what || '_unarchived', subject, tieout_audit.actor());
  end if;
  if tg_table_name = 'deals' then
    if old.stage is distinct from new.stage then
      insert into public.audit_trail (workspace_id, deal_id, kind, field, old_value, new_value, user_id)
      values (new.workspace_id, new.id, 'deal_stage_changed', 'stage', to_jsonb(old.stage), to_jsonb(new.stage), tieout_audit.actor());
    end if;
  end if;
  return null;
end $$;
create trigger audit_deal_change after update on public.deals
  for each row execute function tieout_audit.on_structure_change();
create trigger audit_workstream_change after update on public.workstreams
  for each row execute function tieout_audit.on_structure_change();
create trigger audit_checklist_change after update on public.checklists
  for each row execute function tieout_audit.on_structure_change();

create function tieout_audit.on_workstream_deletion() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  -- Not when its deal (or the whole workspace) goes: that deletion is recorded itself.
  if not exists (select 1 from public.deals d where d.id = old.deal_id) then
    return null;
  end if;
  insert into public.audit_trail (workspace_id, deal_id, kind, old_value, user_id)
  values (old.workspace_id, old.deal_id, 'workstream_deleted', jsonb_build_object('id', old.id, 'name', old.name), tieout_audit.actor());
  return null;
end $$;
create trigger audit_workstream_deletion after delete on public.workstreams
  for each row execute function tieout_audit.on_workstream_deletion();

revoke all on function tieout_audit.on_structure_change(), tieout_audit.on_workstream_deletion() from public, anon, authenticated;

-- 4. Which checklists are listed: one definition for lists, dashboards and search. `hidden` = the checklist or its
--    workstream is archived; `deal_archived` = its deal is. A deal's own pages (opened from the Archived view) hide
--    only the first; workspace-wide reads hide both. security_invoker: read with the caller's RLS.
create view public.checklist_listing with (security_invoker = true) as
  select c.id, c.workspace_id, c.deal_id, c.workstream_id,
         (c.archived_at is not null or w.archived_at is not null) as hidden,
         (d.archived_at is not null) as deal_archived
  from public.checklists c
  join public.workstreams w on w.id = c.workstream_id
  join public.deals d on d.id = c.deal_id;
revoke all on public.checklist_listing from public, anon;
grant select on public.checklist_listing to authenticated, service_role;

-- 5. Search (decision 162's function) leaves out entries of archived checklists, workstreams and deals.
create or replace function public.search_entry_matches(
  query tsquery,
  deal uuid,
  kinds text[],
  workstream uuid,
  item_status text,
  item_owner uuid,
  max_rows integer
) returns table (entry_id bigint, rank real, candidates bigint)
language plpgsql stable security definer set search_path = '' as $$
begin
  return query execute $q$
    with candidate as (
      select e.id, e.tsv
      from public.search_entries e
      where e.tsv @@ $1
        and e.workspace_id in (select m.workspace_id from public.workspace_members m where m.user_id = auth.uid())
        and ($2 is null or e.deal_id = $2)
        and ($3 is null or e.kind = any ($3))
        and ($4 is null or exists (select 1 from public.checklists c where c.id = e.checklist_id and c.workstream_id = $4))
        and exists (select 1 from public.checklist_listing l where l.id = e.checklist_id and not l.hidden and not l.deal_archived)
        and exists (select 1 from public.checklist_items i where i.checklist_id = e.checklist_id and i.item_id = e.item_id
          and ($5 is null or i.status = $5) and ($6 is null or i.owner_id = $6))
      limit 1000
    )
    select candidate.id, ts_rank(candidate.tsv, $1), count(*) over ()
    from candidate
    order by 2 desc, 1
    limit $7
  $q$ using query, deal, kinds, workstream, item_status, item_owner, least(greatest(max_rows, 1), 200);
end $$;
