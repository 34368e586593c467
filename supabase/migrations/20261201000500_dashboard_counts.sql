-- Managers' numbers without aggregating every projected row (issue 14; issue 10, "one large checklist slows every
-- workspace"): per-checklist item counts by status, risk and owner, maintained from the projection's own writes by
-- statement-level triggers (deltas from the transition tables, so a batch costs what it changed, not the
-- checklist's size), a day-by-day record of done/total per checklist (the progress chart until the audit trail
-- has history), indexes for the date and figure reads that stay per row, and the deal's target signing date.
-- docs/decisions/140-pre-aggregated-dashboard-counts.md.

alter table public.deals add column target_signing_date date;

create table public.checklist_item_counts (
  checklist_id uuid not null references public.checklists (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  deal_id uuid not null references public.deals (id) on delete cascade,
  status text not null,
  risk text,
  owner_id uuid,
  items integer not null check (items >= 0),
  constraint checklist_item_counts_key unique nulls not distinct (checklist_id, status, risk, owner_id)
);
create index checklist_item_counts_workspace_idx on public.checklist_item_counts (workspace_id);
create index checklist_item_counts_deal_idx on public.checklist_item_counts (deal_id);

create table public.checklist_progress_days (
  checklist_id uuid not null references public.checklists (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  deal_id uuid not null references public.deals (id) on delete cascade,
  day date not null,
  total integer not null,
  done integer not null,
  primary key (checklist_id, day)
);
create index checklist_progress_days_deal_idx on public.checklist_progress_days (deal_id, day);

-- Reads that depend on today (overdue, due this week) or on the item itself (figures, the item list) use indexes
-- that start with the tenant key, so another workspace's rows are never visited.
create index checklist_items_open_due_idx on public.checklist_items (workspace_id, due_date)
  where status <> 'done' and due_date is not null;
create index checklist_items_deal_idx on public.checklist_items (deal_id, status);
create index checklist_items_figures_idx on public.checklist_items (deal_id) where figures <> '[]'::jsonb;

-- The net change per count key of a list of {checklist_id, status, risk, owner_id, n}.
create function public.checklist_count_deltas(changes jsonb)
returns table (checklist_id uuid, status text, risk text, owner_id uuid, n integer)
language sql immutable set search_path = '' as $$
  select (e ->> 'checklist_id')::uuid, e ->> 'status', e ->> 'risk', (e ->> 'owner_id')::uuid, sum((e ->> 'n')::int)::int
  from jsonb_array_elements(changes) e
  group by 1, 2, 3, 4
  having sum((e ->> 'n')::int) <> 0
$$;

-- Applies net changes to the counts, then records today's done/total for the checklists touched. Only the
-- triggers below call it.
create function public.checklist_counts_apply(changes jsonb) returns void
language plpgsql security definer set search_path = '' as $$
begin
  update public.checklist_item_counts c set items = c.items + d.n
  from public.checklist_count_deltas(changes) d
  where c.checklist_id = d.checklist_id and c.status = d.status
    and c.risk is not distinct from d.risk and c.owner_id is not distinct from d.owner_id;
  insert into public.checklist_item_counts (checklist_id, workspace_id, deal_id, status, risk, owner_id, items)
  select d.checklist_id, cl.workspace_id, cl.deal_id, d.status, d.risk, d.owner_id, d.n
  from public.checklist_count_deltas(changes) d
  join public.checklists cl on cl.id = d.checklist_id
  where d.n > 0 and not exists (
    select 1 from public.checklist_item_counts c
    where c.checklist_id = d.checklist_id and c.status = d.status
      and c.risk is not distinct from d.risk and c.owner_id is not distinct from d.owner_id);
  delete from public.checklist_item_counts c
  where c.items = 0 and c.checklist_id in (select distinct d.checklist_id from public.checklist_count_deltas(changes) d);

  insert into public.checklist_progress_days as p (checklist_id, workspace_id, deal_id, day, total, done)
  select cl.id, cl.workspace_id, cl.deal_id, (now() at time zone 'utc')::date,
         coalesce((select sum(c.items) from public.checklist_item_counts c where c.checklist_id = cl.id), 0),
         coalesce((select sum(c.items) from public.checklist_item_counts c where c.checklist_id = cl.id and c.status = 'done'), 0)
  from public.checklists cl
  where cl.id in (select distinct d.checklist_id from public.checklist_count_deltas(changes) d)
  on conflict (checklist_id, day) do update set total = excluded.total, done = excluded.done,
    workspace_id = excluded.workspace_id, deal_id = excluded.deal_id;
end $$;
revoke execute on function public.checklist_counts_apply(jsonb) from public, anon, authenticated;
revoke execute on function public.checklist_count_deltas(jsonb) from public, anon, authenticated;

create function public.checklist_items_counted() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  changes jsonb;
begin
  if tg_op = 'INSERT' then
    select jsonb_agg(jsonb_build_object('checklist_id', r.checklist_id, 'status', r.status, 'risk', r.risk, 'owner_id', r.owner_id, 'n', r.n))
      into changes
      from (select checklist_id, status, risk, owner_id, count(*) as n from new_rows group by 1, 2, 3, 4) r;
  elsif tg_op = 'DELETE' then
    select jsonb_agg(jsonb_build_object('checklist_id', r.checklist_id, 'status', r.status, 'risk', r.risk, 'owner_id', r.owner_id, 'n', -r.n))
      into changes
      from (select checklist_id, status, risk, owner_id, count(*) as n from old_rows group by 1, 2, 3, 4) r;
  else
    -- Only rows whose status, risk or owner changed move between counts (a title edit changes none).
    select jsonb_agg(jsonb_build_object('checklist_id', r.checklist_id, 'status', r.status, 'risk', r.risk, 'owner_id', r.owner_id, 'n', r.n))
      into changes
      from (
        select checklist_id, status, risk, owner_id, sum(n) as n from (
          select o.checklist_id, o.status, o.risk, o.owner_id, -1 as n
            from old_rows o join new_rows w on w.checklist_id = o.checklist_id and w.item_id = o.item_id
            where (o.status, o.risk, o.owner_id) is distinct from (w.status, w.risk, w.owner_id)
          union all
          select w.checklist_id, w.status, w.risk, w.owner_id, 1 as n
            from old_rows o join new_rows w on w.checklist_id = o.checklist_id and w.item_id = o.item_id
            where (o.status, o.risk, o.owner_id) is distinct from (w.status, w.risk, w.owner_id)
        ) moved group by 1, 2, 3, 4 having sum(n) <> 0
      ) r;
  end if;
  if changes is not null then
    perform public.checklist_counts_apply(changes);
  end if;
  return null;
end $$;

create trigger checklist_items_counted_insert after insert on public.checklist_items
  referencing new table as new_rows for each statement execute function public.checklist_items_counted();
create trigger checklist_items_counted_update after update on public.checklist_items
  referencing old table as old_rows new table as new_rows for each statement execute function public.checklist_items_counted();
create trigger checklist_items_counted_delete after delete on public.checklist_items
  referencing old table as old_rows for each statement execute function public.checklist_items_counted();

-- What the projection holds already.
insert into public.checklist_item_counts (checklist_id, workspace_id, deal_id, status, risk, owner_id, items)
select ci.checklist_id, cl.workspace_id, cl.deal_id, ci.status, ci.risk, ci.owner_id, count(*)
from public.checklist_items ci join public.checklists cl on cl.id = ci.checklist_id
group by 1, 2, 3, 4, 5, 6;
insert into public.checklist_progress_days (checklist_id, workspace_id, deal_id, day, total, done)
select c.checklist_id, min(c.workspace_id::text)::uuid, min(c.deal_id::text)::uuid, (now() at time zone 'utc')::date,
       sum(c.items), coalesce(sum(c.items) filter (where c.status = 'done'), 0)
from public.checklist_item_counts c group by c.checklist_id;

alter table public.checklist_item_counts enable row level security;
alter table public.checklist_progress_days enable row level security;
create policy "item counts: members read" on public.checklist_item_counts for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "progress days: members read" on public.checklist_progress_days for select to authenticated
  using (public.is_workspace_member(workspace_id));
-- Derived data: only the triggers write it.
revoke insert, update, delete, truncate on public.checklist_item_counts, public.checklist_progress_days from anon, authenticated;
grant select on public.checklist_item_counts, public.checklist_progress_days to authenticated;
grant all on public.checklist_item_counts, public.checklist_progress_days to service_role;
