-- The projection writer's whole write of one checklist in one call (docs/decisions/178): the checklist row (key share:
-- it cannot be deleted under the write) and one writer per checklist at a time, the check that the rows are filed
-- under the checklist's own workspace and deal, the deletion and upsert of the rows, and the live event the deal and
-- home pages revalidate on. It was three or four statements, each a round trip; as one statement the collaboration
-- server sends every document's projection write of a tick in one script (packages/db service-batcher.ts).
--
-- p_rows: the rows to upsert (jsonb array, packages/db projection.ts ProjectionRow). p_ids: their item ids.
-- p_absent null: a full write (every other row of the checklist is deleted); else only the rows of p_absent, and the
-- rows of p_sections not in p_ids, are deleted. p_event: the live event's payload, sent when a row changed.
create function public.write_projection(
  p_checklist uuid, p_workspace uuid, p_deal uuid, p_rows jsonb, p_updated_by uuid,
  p_ids jsonb, p_absent jsonb, p_sections jsonb, p_event text
) returns table (deleted int, written int, inserted int)
language plpgsql set search_path = '' as $$
declare
  found_workspace uuid;
  found_deal uuid;
begin
  select c.workspace_id, c.deal_id into found_workspace, found_deal
    from public.checklists c where c.id = p_checklist for key share;
  if not found then
    raise exception 'No checklist with id %', p_checklist using errcode = 'TP001';
  end if;
  perform pg_advisory_xact_lock(hashtext('tieout.projection:' || p_checklist::text));
  if found_workspace <> p_workspace or found_deal <> p_deal then
    raise exception 'Checklist % belongs to workspace % and deal %, not workspace % and deal %',
      p_checklist, found_workspace, found_deal, p_workspace, p_deal using errcode = 'TP002';
  end if;

  with gone as (
    delete from public.checklist_items ci
     where ci.checklist_id = p_checklist
       and case when p_absent is null
                then ci.item_id not in (select jsonb_array_elements_text(p_ids))
                else ci.item_id in (select jsonb_array_elements_text(p_absent))
                     or (ci.section_id in (select jsonb_array_elements_text(p_sections))
                         and ci.item_id not in (select jsonb_array_elements_text(p_ids)))
           end
    returning ci.item_id
  ), upserted as (
    insert into public.checklist_items as ci
      (checklist_id, item_id, workspace_id, deal_id, section_id, section_title, position, title, reference, status,
       owner_id, due_date, risk, figures, content_fingerprint, updated_at, updated_by)
    select p_checklist, r.item_id, p_workspace, p_deal, r.section_id, r.section_title, r.position, r.title, r.reference,
           r.status, r.owner_id, r.due_date, r.risk, r.figures, r.content_fingerprint, now(), p_updated_by
      from jsonb_to_recordset(p_rows) as r(
        item_id text, section_id text, section_title text, position text, title text, reference text, status text,
        owner_id uuid, due_date date, risk text, figures jsonb, content_fingerprint text)
    on conflict (checklist_id, item_id) do update set
      section_id = excluded.section_id, section_title = excluded.section_title, position = excluded.position,
      title = excluded.title, reference = excluded.reference, status = excluded.status, owner_id = excluded.owner_id,
      due_date = excluded.due_date, risk = excluded.risk, figures = excluded.figures,
      content_fingerprint = excluded.content_fingerprint,
      workspace_id = excluded.workspace_id, deal_id = excluded.deal_id,
      updated_at = excluded.updated_at, updated_by = excluded.updated_by
    where (ci.section_id, ci.section_title, ci.position, ci.title, ci.reference, ci.status, ci.owner_id, ci.due_date,
           ci.risk, ci.figures, ci.content_fingerprint, ci.workspace_id, ci.deal_id)
          is distinct from
          (excluded.section_id, excluded.section_title, excluded.position, excluded.title, excluded.reference,
           excluded.status, excluded.owner_id, excluded.due_date, excluded.risk, excluded.figures,
           excluded.content_fingerprint, excluded.workspace_id, excluded.deal_id)
    returning (ci.xmax = 0) as is_new
  )
  select (select count(*) from gone)::int, (select count(*) from upserted)::int,
         (select count(*) from upserted where is_new)::int
    into deleted, written, inserted;

  if written + deleted > 0 and p_event is not null then
    perform pg_notify('tieout_live', p_event);
  end if;
  return next;
end
$$;
revoke execute on function public.write_projection(uuid, uuid, uuid, jsonb, uuid, jsonb, jsonb, jsonb, text) from public, anon, authenticated;
grant execute on function public.write_projection(uuid, uuid, uuid, jsonb, uuid, jsonb, jsonb, jsonb, text) to service_role;
