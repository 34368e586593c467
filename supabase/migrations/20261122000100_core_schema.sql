-- Core tenancy and document storage. Runs unchanged on hosted Supabase, plain Postgres and PGlite
-- (the last two after packages/db/sql/supabase-bootstrap.sql).

create type public.member_role as enum ('owner', 'editor', 'reviewer', 'viewer');

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text not null,
  display_name text not null,
  created_at timestamptz not null default now()
);

create table public.workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 120),
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now()
);

create table public.workspace_members (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.member_role not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create index workspace_members_user_idx on public.workspace_members (user_id);

create table public.deals (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 200),
  buyer text,
  target text,
  value_usd numeric,
  stage text not null default 'diligence' check (stage in ('diligence', 'signing', 'closed', 'abandoned')),
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now()
);
create index deals_workspace_idx on public.deals (workspace_id);

create table public.workstreams (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  deal_id uuid not null references public.deals (id) on delete cascade,
  kind text not null check (kind in ('site_retrofits', 'energy_contracts', 'lease_exposure', 'custom')),
  name text not null check (char_length(name) between 1 and 200),
  position integer not null default 0,
  created_at timestamptz not null default now()
);
create index workstreams_deal_idx on public.workstreams (deal_id);

create table public.checklists (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  deal_id uuid not null references public.deals (id) on delete cascade,
  workstream_id uuid not null references public.workstreams (id) on delete cascade,
  title text not null check (char_length(title) between 1 and 200),
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now()
);
create index checklists_deal_idx on public.checklists (deal_id);
create index checklists_workstream_idx on public.checklists (workstream_id);

-- The Yjs document of a checklist: a compacted snapshot plus the update log after it.
-- The log is kept after compaction: it is the version history and the audit trail.
create table public.document_snapshots (
  checklist_id uuid primary key references public.checklists (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  state bytea not null,
  last_update_id bigint not null default 0,
  updated_at timestamptz not null default now()
);

create table public.document_updates (
  id bigserial primary key,
  checklist_id uuid not null references public.checklists (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  update bytea not null,
  user_id uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now()
);
create index document_updates_checklist_idx on public.document_updates (checklist_id, id);

-- Relational projection of checklist items, derived from the documents (rebuildable).
create table public.checklist_items (
  checklist_id uuid not null references public.checklists (id) on delete cascade,
  item_id text not null,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  deal_id uuid not null references public.deals (id) on delete cascade,
  section_id text,
  section_title text,
  position text not null,
  title text not null,
  status text not null,
  owner_id uuid,
  due_date date,
  risk text,
  figures jsonb not null default '[]'::jsonb,
  updated_at timestamptz not null default now(),
  updated_by uuid,
  primary key (checklist_id, item_id)
);
create index checklist_items_workspace_idx on public.checklist_items (workspace_id, status);

-- Membership helpers. security definer so policies on workspace_members do not recurse.
create function public.workspace_role(target_workspace uuid) returns public.member_role
language sql stable security definer set search_path = '' as $$
  select m.role from public.workspace_members m
  where m.workspace_id = target_workspace and m.user_id = auth.uid()
$$;

create function public.is_workspace_member(target_workspace uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select public.workspace_role(target_workspace) is not null
$$;

create function public.can_edit_workspace(target_workspace uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce(public.workspace_role(target_workspace) in ('owner', 'editor'), false)
$$;

create function public.is_workspace_owner(target_workspace uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce(public.workspace_role(target_workspace) = 'owner', false)
$$;

-- A new auth user gets a profile; a new workspace makes its creator the owner.
create function public.handle_new_user() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into public.profiles (id, email, display_name)
  values (new.id, new.email, coalesce(new.raw_user_meta_data ->> 'display_name', split_part(new.email, '@', 1)))
  on conflict (id) do nothing;
  return new;
end $$;
create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();

create function public.handle_new_workspace() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.created_by is not null then
    insert into public.workspace_members (workspace_id, user_id, role)
    values (new.id, new.created_by, 'owner') on conflict do nothing;
  end if;
  return new;
end $$;
create trigger on_workspace_created after insert on public.workspaces
  for each row execute function public.handle_new_workspace();

-- Row Level Security on every table.
alter table public.profiles enable row level security;
alter table public.workspaces enable row level security;
alter table public.workspace_members enable row level security;
alter table public.deals enable row level security;
alter table public.workstreams enable row level security;
alter table public.checklists enable row level security;
alter table public.document_snapshots enable row level security;
alter table public.document_updates enable row level security;
alter table public.checklist_items enable row level security;

create policy "profiles: self and co-members read" on public.profiles for select to authenticated
  using (id = auth.uid() or exists (
    select 1 from public.workspace_members mine
    join public.workspace_members theirs on theirs.workspace_id = mine.workspace_id
    where mine.user_id = auth.uid() and theirs.user_id = profiles.id));
create policy "profiles: self update" on public.profiles for update to authenticated
  using (id = auth.uid()) with check (id = auth.uid());

create policy "workspaces: members read" on public.workspaces for select to authenticated
  using (public.is_workspace_member(id) or created_by = auth.uid());
create policy "workspaces: signed-in users create" on public.workspaces for insert to authenticated
  with check (created_by = auth.uid());
create policy "workspaces: owners update" on public.workspaces for update to authenticated
  using (public.is_workspace_owner(id)) with check (public.is_workspace_owner(id));
create policy "workspaces: owners delete" on public.workspaces for delete to authenticated
  using (public.is_workspace_owner(id));

create policy "members: co-members read" on public.workspace_members for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "members: owners add" on public.workspace_members for insert to authenticated
  with check (public.is_workspace_owner(workspace_id));
create policy "members: owners change roles" on public.workspace_members for update to authenticated
  using (public.is_workspace_owner(workspace_id)) with check (public.is_workspace_owner(workspace_id));
create policy "members: owners remove, anyone leaves" on public.workspace_members for delete to authenticated
  using (public.is_workspace_owner(workspace_id) or user_id = auth.uid());

create policy "deals: members read" on public.deals for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "deals: editors create" on public.deals for insert to authenticated
  with check (public.can_edit_workspace(workspace_id));
create policy "deals: editors update" on public.deals for update to authenticated
  using (public.can_edit_workspace(workspace_id)) with check (public.can_edit_workspace(workspace_id));
create policy "deals: owners delete" on public.deals for delete to authenticated
  using (public.is_workspace_owner(workspace_id));

create policy "workstreams: members read" on public.workstreams for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "workstreams: editors create" on public.workstreams for insert to authenticated
  with check (public.can_edit_workspace(workspace_id)
    and exists (select 1 from public.deals d where d.id = deal_id and d.workspace_id = workstreams.workspace_id));
create policy "workstreams: editors update" on public.workstreams for update to authenticated
  using (public.can_edit_workspace(workspace_id)) with check (public.can_edit_workspace(workspace_id));
create policy "workstreams: owners delete" on public.workstreams for delete to authenticated
  using (public.is_workspace_owner(workspace_id));

create policy "checklists: members read" on public.checklists for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "checklists: editors create" on public.checklists for insert to authenticated
  with check (public.can_edit_workspace(workspace_id)
    and exists (select 1 from public.workstreams w
      where w.id = workstream_id and w.deal_id = checklists.deal_id and w.workspace_id = checklists.workspace_id));
create policy "checklists: editors update" on public.checklists for update to authenticated
  using (public.can_edit_workspace(workspace_id)) with check (public.can_edit_workspace(workspace_id));
create policy "checklists: owners delete" on public.checklists for delete to authenticated
  using (public.is_workspace_owner(workspace_id));

create policy "snapshots: members read" on public.document_snapshots for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "snapshots: editors write" on public.document_snapshots for insert to authenticated
  with check (public.can_edit_workspace(workspace_id)
    and exists (select 1 from public.checklists c where c.id = checklist_id and c.workspace_id = document_snapshots.workspace_id));
create policy "snapshots: editors replace" on public.document_snapshots for update to authenticated
  using (public.can_edit_workspace(workspace_id)) with check (public.can_edit_workspace(workspace_id));

create policy "updates: members read" on public.document_updates for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "updates: editors append as themselves" on public.document_updates for insert to authenticated
  with check (user_id = auth.uid() and public.can_edit_workspace(workspace_id)
    and exists (select 1 from public.checklists c where c.id = checklist_id and c.workspace_id = document_updates.workspace_id));

create policy "items: members read" on public.checklist_items for select to authenticated
  using (public.is_workspace_member(workspace_id));

-- Privileges as Supabase grants them; RLS decides the rows.
grant usage on schema public to anon, authenticated, service_role;
grant select, insert, update, delete on all tables in schema public to authenticated;
grant all on all tables in schema public to service_role;
grant usage, select on all sequences in schema public to authenticated, service_role;
grant execute on all functions in schema public to authenticated, service_role;
