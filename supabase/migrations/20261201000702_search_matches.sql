-- Search speed (issue 16, decision 162). Under RLS, Postgres may not use the GIN index for `tsv @@ query`: the
-- operator is not leakproof, so it must run after the policy's check, on every row of the caller's workspaces. This
-- function finds and ranks the matches with the index, restricted to the workspaces the caller is a member of (the
-- same rule as the policy "search: members read"), applying the filters before the limit; the search query then reads
-- the returned rows under RLS as usual. Security definer: it reads only ids and ranks, never returns another
-- workspace's row, and the caller's reading of the rows themselves still goes through RLS.

create function public.search_entry_matches(
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
  -- EXECUTE plans the statement for these values (the planner sees how selective this tsquery is, and picks the GIN
  -- index or a scan that stops at the cap). At most 1,000 matching entries are ranked: a word found nearly everywhere
  -- would otherwise rank the whole index; `candidates` tells the caller when the cap was reached.
  return query execute $q$
    with candidate as (
      select e.id, e.tsv
      from public.search_entries e
      where e.tsv @@ $1
        and e.workspace_id in (select m.workspace_id from public.workspace_members m where m.user_id = auth.uid())
        and ($2 is null or e.deal_id = $2)
        and ($3 is null or e.kind = any ($3))
        and ($4 is null or exists (select 1 from public.checklists c where c.id = e.checklist_id and c.workstream_id = $4))
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

revoke execute on function public.search_entry_matches(tsquery, uuid, text[], uuid, text, uuid, integer) from public, anon;
grant execute on function public.search_entry_matches(tsquery, uuid, text[], uuid, text, uuid, integer) to authenticated;
