-- Checklist templates. Built-in templates (workspace_id is null) ship with Tieout (packages/templates) and are
-- readable by every signed-in user; a workspace's own templates are visible to its members and managed by
-- its editors and owners. `body` is the template JSON as validated by checklistTemplateSchema (@tieout/doc-model).

create table public.checklist_templates (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid references public.workspaces (id) on delete cascade,
  key text not null check (key ~ '^[a-z0-9-]+$' and char_length(key) <= 100),
  name text not null check (char_length(name) between 1 and 200),
  workstream text not null check (workstream in ('site_retrofits', 'energy_contracts', 'lease_exposure', 'custom')),
  description text not null default '' check (char_length(description) <= 2000),
  body jsonb not null check (jsonb_typeof(body) = 'object' and jsonb_typeof(body -> 'sections') = 'array'),
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  -- One template per key among the built-ins and within each workspace.
  constraint checklist_templates_key_unique unique nulls not distinct (workspace_id, key)
);
create index checklist_templates_workspace_idx on public.checklist_templates (workspace_id);

alter table public.checklist_templates enable row level security;

create policy "templates: built-ins and members read" on public.checklist_templates for select to authenticated
  using (workspace_id is null or public.is_workspace_member(workspace_id));
create policy "templates: editors create" on public.checklist_templates for insert to authenticated
  with check (workspace_id is not null and public.can_edit_workspace(workspace_id) and created_by = auth.uid());
create policy "templates: editors update" on public.checklist_templates for update to authenticated
  using (workspace_id is not null and public.can_edit_workspace(workspace_id))
  with check (workspace_id is not null and public.can_edit_workspace(workspace_id));
create policy "templates: editors delete" on public.checklist_templates for delete to authenticated
  using (workspace_id is not null and public.can_edit_workspace(workspace_id));

grant select, insert, update, delete on public.checklist_templates to authenticated;
grant all on public.checklist_templates to service_role;
