-- The audit writer's progress per checklist (docs/decisions/121): every change of a logged update with id up to
-- audited_update_id has its audit rows, except the notes edits still held while their author types (`held`: one
-- entry per item and author, with the first log id the held row covers). Written in the same transaction as the audit
-- rows, so after a crash the server replays the log from the cursor and the trail loses nothing. Compaction never
-- goes past it (compactDocument), so the log state at the cursor can always be rebuilt.
create table public.audit_cursors (
  checklist_id uuid primary key references public.checklists (id) on delete cascade,
  audited_update_id bigint not null check (audited_update_id >= 0),
  held jsonb not null default '[]' check (jsonb_typeof(held) = 'array'),
  updated_at timestamptz not null default now()
);

alter table public.audit_cursors enable row level security;
revoke all on public.audit_cursors from public, anon, authenticated, service_role;
-- Only the collaboration server (service role, which bypasses RLS, decision 011) reads and moves it; no policy: nobody
-- else sees it.
grant select, insert, update on public.audit_cursors to service_role;
