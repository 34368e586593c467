-- Evidence files on checklist items, and one full-text search index across deals (issue 16).
-- Runs on hosted Supabase, plain Postgres and PGlite: only built-in full-text search (tsvector, GIN).

-- A file on an item. Versions of one file share `file_group`; each upload is a row (older versions stay listed).
-- The bytes live in storage (Supabase Storage or the embedded folder) under `storage_key`; nothing here is the content.
create table public.item_files (
  id uuid primary key default gen_random_uuid(),
  file_group uuid not null default gen_random_uuid(),
  version integer not null default 1 check (version >= 1),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  deal_id uuid not null references public.deals (id) on delete cascade,
  checklist_id uuid not null references public.checklists (id) on delete cascade,
  item_id text not null check (char_length(item_id) between 1 and 64),
  name text not null check (char_length(name) between 1 and 255 and name !~ '[/\\[:cntrl:]]'),
  size_bytes bigint not null check (size_bytes > 0),
  content_type text not null check (char_length(content_type) between 3 and 120),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  storage_key text not null unique check (storage_key ~ '^[0-9a-f-]{36}/[0-9a-f-]{36}$'),
  uploaded_by uuid references auth.users (id) on delete set null default auth.uid(),
  uploaded_at timestamptz not null default now(),
  removed_at timestamptz,
  removed_by uuid references auth.users (id) on delete set null,
  -- Text extraction for search runs after the upload, in the background.
  extraction text not null default 'pending' check (extraction in ('pending', 'done', 'failed', 'none')),
  unique (file_group, version),
  check ((removed_at is null) = (removed_by is null))
);
create index item_files_item_idx on public.item_files (checklist_id, item_id, file_group, version desc);
create index item_files_workspace_idx on public.item_files (workspace_id);

-- A new version continues an existing file of the same item: the number is the next one, under a lock per file.
create function public.item_files_next_version() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  first public.item_files;
begin
  perform pg_advisory_xact_lock(hashtextextended('item_files:' || new.file_group::text, 0));
  select * into first from public.item_files f where f.file_group = new.file_group order by f.version limit 1;
  if not found then
    new.version := 1;
    return new;
  end if;
  if first.workspace_id <> new.workspace_id or first.checklist_id <> new.checklist_id or first.item_id <> new.item_id then
    raise exception 'A new version must belong to the same item as the file it replaces' using errcode = '42501';
  end if;
  if exists (select 1 from public.item_files f where f.file_group = new.file_group and f.removed_at is not null) then
    raise exception 'This file was removed: upload it as a new file instead' using errcode = 'TF001';
  end if;
  select coalesce(max(f.version), 0) + 1 into new.version from public.item_files f where f.file_group = new.file_group;
  return new;
end $$;
create trigger item_files_next_version before insert on public.item_files
  for each row execute function public.item_files_next_version();

-- Live event (topic 'files') for other browsers on the checklist.
create function public.item_files_notify() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform pg_notify('tieout_live', json_build_object(
    'topic', 'files', 'workspaceId', new.workspace_id, 'checklistId', new.checklist_id,
    'itemId', new.item_id, 'fileId', new.id)::text);
  return null;
end $$;
create trigger item_files_notify after insert or update of removed_at on public.item_files
  for each row execute function public.item_files_notify();

alter table public.item_files enable row level security;

create policy "item files: members read" on public.item_files for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "item files: editors upload as themselves" on public.item_files for insert to authenticated
  with check (public.can_edit_workspace(workspace_id) and uploaded_by = auth.uid()
    and removed_at is null and extraction = 'pending'
    and exists (select 1 from public.checklists c
      where c.id = checklist_id and c.workspace_id = item_files.workspace_id and c.deal_id = item_files.deal_id));
create policy "item files: editors remove" on public.item_files for update to authenticated
  using (public.can_edit_workspace(workspace_id))
  with check (public.can_edit_workspace(workspace_id) and removed_by = auth.uid());

-- People may only mark a file removed (soft, audited); rows are never deleted by a user.
revoke update, delete on public.item_files from authenticated;
grant update (removed_at, removed_by) on public.item_files to authenticated;
grant select, insert on public.item_files to authenticated;
grant all on public.item_files to service_role;

-- One search index across deals: items (title and reference), notes, comments, figure labels, files (name) and
-- the text extracted from files (one row per page or chunk, so a hit can open the preview where it matched).
-- Written by the service only (the collaboration server's search extension and the upload path).
create table public.search_entries (
  id bigserial primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  deal_id uuid not null references public.deals (id) on delete cascade,
  checklist_id uuid not null references public.checklists (id) on delete cascade,
  item_id text not null,
  kind text not null check (kind in ('item', 'note', 'comment', 'figure', 'file', 'file_text')),
  -- What the entry is within its kind: the item id, a comment or figure id, a file id, '<file id>:<chunk>'.
  source_id text not null,
  file_id uuid references public.item_files (id) on delete cascade,
  -- 1-based page of a PDF (or null) for file_text entries.
  page integer,
  title text not null default '',
  body text not null default '',
  tsv tsvector generated always as (
    setweight(to_tsvector('english', left(title, 2000)), 'A') || setweight(to_tsvector('english', left(body, 200000)), 'B')
  ) stored,
  updated_at timestamptz not null default now(),
  unique (checklist_id, kind, source_id)
);
create index search_entries_tsv_idx on public.search_entries using gin (tsv);
create index search_entries_workspace_idx on public.search_entries (workspace_id, deal_id);
create index search_entries_item_idx on public.search_entries (checklist_id, item_id);
create index search_entries_file_idx on public.search_entries (file_id) where file_id is not null;

alter table public.search_entries enable row level security;
create policy "search: members read" on public.search_entries for select to authenticated
  using (public.is_workspace_member(workspace_id));

revoke insert, update, delete on public.search_entries from authenticated;
grant select on public.search_entries to authenticated;
grant all on public.search_entries to service_role;
grant usage, select on sequence public.search_entries_id_seq to service_role;

revoke execute on function public.item_files_next_version() from public, anon, authenticated;
revoke execute on function public.item_files_notify() from public, anon, authenticated;
