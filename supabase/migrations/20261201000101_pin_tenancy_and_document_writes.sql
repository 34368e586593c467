-- Issue 10 (high): what PostgREST callers must not be able to change, even where RLS lets them update a row
-- (decision 101).

-- 1. A row never moves to another workspace (or a workstream/checklist to another deal): a `with check` on the new
--    row alone lets an editor of two workspaces move a deal between them. Refused with 42501 like any RLS refusal.
create function public.pin_workspace_id() returns trigger
language plpgsql set search_path = '' as $$
begin
  raise exception 'A row of % cannot be moved to another workspace', tg_table_name
    using errcode = '42501', hint = 'workspace_id is fixed when the row is created';
end $$;

create function public.pin_deal_id() returns trigger
language plpgsql set search_path = '' as $$
begin
  raise exception 'A row of % cannot be moved to another deal', tg_table_name
    using errcode = '42501', hint = 'deal_id is fixed when the row is created';
end $$;

-- A checklist may change workstream only within its own deal (its workspace and deal are pinned above).
create function public.keep_checklist_workstream_in_deal() returns trigger
language plpgsql set search_path = '' as $$
begin
  if not exists (select 1 from public.workstreams w
                 where w.id = new.workstream_id and w.deal_id = new.deal_id and w.workspace_id = new.workspace_id) then
    raise exception 'A checklist can only move to a workstream of its own deal' using errcode = '42501';
  end if;
  return new;
end $$;

create trigger pin_workspace_id before update on public.deals
  for each row when (old.workspace_id is distinct from new.workspace_id) execute function public.pin_workspace_id();
create trigger pin_workspace_id before update on public.workstreams
  for each row when (old.workspace_id is distinct from new.workspace_id) execute function public.pin_workspace_id();
create trigger pin_workspace_id before update on public.checklists
  for each row when (old.workspace_id is distinct from new.workspace_id) execute function public.pin_workspace_id();
create trigger pin_workspace_id before update on public.document_snapshots
  for each row when (old.workspace_id is distinct from new.workspace_id) execute function public.pin_workspace_id();
create trigger pin_workspace_id before update on public.document_updates
  for each row when (old.workspace_id is distinct from new.workspace_id) execute function public.pin_workspace_id();
create trigger pin_deal_id before update on public.workstreams
  for each row when (old.deal_id is distinct from new.deal_id) execute function public.pin_deal_id();
create trigger pin_deal_id before update on public.checklists
  for each row when (old.deal_id is distinct from new.deal_id) execute function public.pin_deal_id();
create trigger keep_workstream_in_deal before update on public.checklists
  for each row when (old.workstream_id is distinct from new.workstream_id) execute function public.keep_checklist_workstream_in_deal();

revoke execute on function public.pin_workspace_id(), public.pin_deal_id(), public.keep_checklist_workstream_in_deal()
  from public, anon, authenticated;

-- 2. A person edits only their display name: the email of a profile comes from auth.users (the sign-up trigger),
--    never from the person, or anyone could take on a colleague's address.
revoke update on public.profiles from anon, authenticated;
grant update (display_name) on public.profiles to authenticated;

-- 3. Document bytes are written only on the collaboration server's path, never by `authenticated` directly
--    (through PostgREST a member could replace a snapshot or log raw bytes that make a checklist unloadable).
--    The server switches to tieout_document_writer for those inserts: it is `authenticated` plus INSERT on the
--    two tables, NOLOGIN, and granted only to the database owner the server connects as, so PostgREST (whose
--    authenticator can become anon, authenticated and service_role only) cannot switch to it. RLS stays keyed on
--    auth.uid(): the "editors append as themselves" policies apply to it as a member of authenticated, so every
--    update is still inserted as its author.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'tieout_document_writer') then
    create role tieout_document_writer nologin inherit;
  end if;
end $$;
grant authenticated to tieout_document_writer;
grant tieout_document_writer to current_user;

revoke insert, update, delete, truncate on public.document_snapshots, public.document_updates from anon, authenticated;
grant insert on public.document_snapshots, public.document_updates to tieout_document_writer;
-- Snapshots are replaced only by compaction (service_role); the first one is inserted with its checklist.
drop policy "snapshots: editors replace" on public.document_snapshots;
