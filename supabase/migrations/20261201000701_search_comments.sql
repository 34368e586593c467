-- Comments in the search index (issue 16): kept current by a trigger, so every way a comment is written, edited or
-- deleted updates its entry in the same transaction. Deleted comments and comments of deleted threads leave the index.

create function public.search_index_comment() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  thread public.comment_threads;
  deal uuid;
  author text;
begin
  if tg_op = 'DELETE' then
    delete from public.search_entries where checklist_id = old.checklist_id and kind = 'comment' and source_id = old.id::text;
    return null;
  end if;
  select * into thread from public.comment_threads t where t.id = new.thread_id;
  if new.deleted_at is not null or thread.deleted_at is not null then
    delete from public.search_entries where checklist_id = new.checklist_id and kind = 'comment' and source_id = new.id::text;
    return null;
  end if;
  select c.deal_id into deal from public.checklists c where c.id = new.checklist_id;
  select p.display_name into author from public.profiles p where p.id = new.author_id;
  insert into public.search_entries (workspace_id, deal_id, checklist_id, item_id, kind, source_id, title, body)
  values (new.workspace_id, deal, new.checklist_id, thread.item_id, 'comment', new.id::text,
    'Comment by ' || coalesce(author, 'a former member') || coalesce(' on “' || left(thread.quote, 200) || '”', ''), left(new.body, 20000))
  on conflict (checklist_id, kind, source_id) do update set title = excluded.title, body = excluded.body, updated_at = now();
  return null;
end $$;

create trigger search_index_comment after insert or update of body, deleted_at or delete on public.comments
  for each row execute function public.search_index_comment();

-- A thread deleted (or its first comment deleted) takes its comments out of the index.
create function public.search_unindex_thread() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.deleted_at is not null and old.deleted_at is null then
    delete from public.search_entries e using public.comments c
    where c.thread_id = new.id and e.checklist_id = c.checklist_id and e.kind = 'comment' and e.source_id = c.id::text;
  end if;
  return null;
end $$;

create trigger search_unindex_thread after update of deleted_at on public.comment_threads
  for each row execute function public.search_unindex_thread();

revoke execute on function public.search_index_comment() from public, anon, authenticated;
revoke execute on function public.search_unindex_thread() from public, anon, authenticated;

-- Comments written before this migration.
insert into public.search_entries (workspace_id, deal_id, checklist_id, item_id, kind, source_id, title, body)
select c.workspace_id, l.deal_id, c.checklist_id, t.item_id, 'comment', c.id::text,
  'Comment by ' || coalesce(p.display_name, 'a former member') || coalesce(' on “' || left(t.quote, 200) || '”', ''), left(c.body, 20000)
from public.comments c
join public.comment_threads t on t.id = c.thread_id
join public.checklists l on l.id = c.checklist_id
left join public.profiles p on p.id = c.author_id
where c.deleted_at is null and t.deleted_at is null
on conflict (checklist_id, kind, source_id) do nothing;
