-- The item's reference (its request-list number, "1.2.3" or "A-4") in the relational projection (issue 14: the
-- exports' "Ref" column was empty, and the cross-checklist item list could neither show nor sort by it). The writer
-- (packages/db projection.ts) copies it from the document like every other projected field.
alter table public.checklist_items add column reference text;

-- References sort as people number them: "1.2" before "1.10", "A-9" before "A-10", case ignored. Each run of digits
-- becomes its length (two digits) followed by the digits, so a shorter number sorts first; other runs are lower-cased.
-- Compared in the "C" collation, so every database sorts the same way.
create function public.reference_sort_key(reference text) returns text
language sql immutable parallel safe set search_path = '' as $$
  select string_agg(
           case when m.part[1] ~ '^[0-9]+$' then lpad(length(m.part[1])::text, 2, '0') || m.part[1] else lower(m.part[1]) end,
           '' order by m.n)
    from regexp_matches(reference, '[0-9]+|[^0-9]+', 'g') with ordinality as m(part, n)
$$;
grant execute on function public.reference_sort_key(text) to authenticated, service_role;

alter table public.checklist_items
  add column reference_key text collate "C" generated always as (public.reference_sort_key(reference)) stored;

-- Existing rows: the reference where the search index already holds it (its item entry's title is the reference,
-- a space and the title, packages/db search.ts). Every other row gets it when the collaboration server next loads
-- the checklist (its first projection after a load rewrites every row) or from `npm run projection:rebuild -w @tieout/db`.
update public.checklist_items ci
   set reference = left(e.title, length(e.title) - length(ci.title) - 1)
  from public.search_entries e
 where e.checklist_id = ci.checklist_id and e.item_id = ci.item_id and e.kind = 'item' and e.source_id = ci.item_id
   and length(e.title) > length(ci.title) + 1
   and right(e.title, length(ci.title) + 1) = ' ' || ci.title
   and btrim(left(e.title, length(e.title) - length(ci.title) - 1)) <> ''
   and ci.reference is null;
