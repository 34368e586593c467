-- Versions of checklist documents (docs/decisions/122-document-versions.md): the full Yjs state at a point of the
-- update log, recorded automatically by the collaboration server (after a burst of editing settles, and at most every
-- hour of continuous editing), by name on demand (owners and editors, through the app), and on every restore.
-- Members read them; they are written by the server side only (service role), which takes the state from the
-- stored document itself, so no client can file a version whose bytes the log does not hold.

create table public.document_versions (
  id uuid primary key default gen_random_uuid(),
  checklist_id uuid not null references public.checklists (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  state bytea not null,
  state_vector bytea not null,
  name text check (name is null or (char_length(name) between 1 and 200 and name = btrim(name))),
  kind text not null check (kind in ('auto', 'named', 'restore')),
  -- who edited between the previous version and this one
  editors uuid[] not null default '{}',
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  -- the last update-log row the state includes (0: none)
  last_update_id bigint not null check (last_update_id >= 0),
  -- for kind 'restore': the version restored (whole or one item)
  restored_from uuid references public.document_versions (id) on delete set null,
  restored_item_id text check (restored_item_id is null or char_length(restored_item_id) between 1 and 64),
  check ((kind = 'named') = (name is not null)),
  check (kind = 'restore' or (restored_from is null and restored_item_id is null))
);
create index document_versions_checklist_idx on public.document_versions (checklist_id, created_at desc, id desc);

alter table public.document_versions enable row level security;
create policy "versions: members read" on public.document_versions for select to authenticated
  using (public.is_workspace_member(workspace_id));

revoke all on public.document_versions from public, anon, authenticated, service_role;
grant select on public.document_versions to authenticated;
grant select, insert on public.document_versions to service_role;
-- The foreign key's "on delete set null" of restored_from / created_by is the only update.
grant update (restored_from, created_by) on public.document_versions to service_role;

-- A version's workspace is its checklist's.
create function public.check_version_workspace() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if not exists (select 1 from public.checklists c where c.id = new.checklist_id and c.workspace_id = new.workspace_id) then
    raise exception 'checklist % is not in workspace %', new.checklist_id, new.workspace_id using errcode = '23514';
  end if;
  perform pg_notify('tieout_live', json_build_object('topic', 'versions', 'workspaceId', new.workspace_id, 'checklistId', new.checklist_id)::text);
  return new;
end $$;
create trigger check_version_workspace before insert on public.document_versions
  for each row execute function public.check_version_workspace();
revoke all on function public.check_version_workspace() from public, anon, authenticated;
