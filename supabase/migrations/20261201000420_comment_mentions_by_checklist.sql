-- The comment panel reads a checklist's mentions in one query (packages/db listChecklistThreads).
create index comment_mentions_checklist_idx on public.comment_mentions (checklist_id);
