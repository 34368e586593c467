-- Reviews: comment threads (on an item, or anchored to a range of its notes), mentions, approvals and send-backs,
-- checklist sign-offs, the "done requires approval" setting, the review state of each item, the notifications
-- inbox, per-user email preferences and the email outbox. Comments are relational rows, never part of the
-- checklist's Yjs document: anyone who can write the document could otherwise forge or rewrite them.
--
-- Refusals with a clear message use SQLSTATE class TR (packages/db/src/reviews.ts translates them):
-- TR001 thread resolved, TR002 thread deleted, TR003 mention of a non-member, TR004 item not in the checklist,
-- TR005 send back without a comment, TR006 sign-off while items are not approved, TR007 comment already deleted.

-- What a reviewer approved: a fingerprint of the item's reviewed content (doc-model itemFingerprint), written by
-- the projection with the rest of the row.
alter table public.checklist_items add column content_fingerprint text;

-- Per-checklist review settings (owners decide; an editor must not be able to switch the rule off).
create table public.checklist_review_settings (
  checklist_id uuid primary key references public.checklists (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  done_requires_approval boolean not null default false,
  updated_by uuid references auth.users (id) on delete set null default auth.uid(),
  updated_at timestamptz not null default now()
);

create table public.comment_threads (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  checklist_id uuid not null references public.checklists (id) on delete cascade,
  item_id text not null check (char_length(item_id) between 1 and 64),
  -- A range of the item's notes: Yjs relative positions (JSON of Y.relativePositionToJSON), and the text quoted
  -- when the thread was opened, shown if the range's text is deleted later ("detached").
  anchor jsonb check (anchor is null or (jsonb_typeof(anchor) = 'object' and anchor ? 'start' and anchor ? 'end'
    and octet_length(anchor::text) <= 2000)),
  quote text check (quote is null or char_length(quote) between 1 and 1000),
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  resolved_by uuid references auth.users (id) on delete set null,
  -- Set when the thread's first comment is deleted: the thread is shown as deleted and takes no replies.
  deleted_at timestamptz,
  check ((anchor is null) = (quote is null)),
  check (resolved_at is null or resolved_by is not null)
);
create index comment_threads_checklist_idx on public.comment_threads (checklist_id, item_id);

create table public.comments (
  id uuid primary key default gen_random_uuid(),
  thread_id uuid not null references public.comment_threads (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  checklist_id uuid not null references public.checklists (id) on delete cascade,
  author_id uuid references auth.users (id) on delete set null default auth.uid(),
  body text not null check (char_length(btrim(body)) between 1 and 10000),
  created_at timestamptz not null default now(),
  edited_at timestamptz,
  deleted_at timestamptz
);
create index comments_thread_idx on public.comments (thread_id, created_at);
create index comments_checklist_idx on public.comments (checklist_id);

create table public.comment_mentions (
  comment_id uuid not null references public.comments (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  thread_id uuid not null references public.comment_threads (id) on delete cascade,
  checklist_id uuid not null references public.checklists (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (comment_id, user_id)
);
create index comment_mentions_user_idx on public.comment_mentions (user_id);

-- Approvals and send-backs, append-only: the latest decision per item is its review state.
create table public.item_approvals (
  id bigserial primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  checklist_id uuid not null references public.checklists (id) on delete cascade,
  item_id text not null check (char_length(item_id) between 1 and 64),
  decision text not null check (decision in ('approved', 'sent_back')),
  -- Taken from the projection by a trigger, never from the caller.
  fingerprint text,
  comment_id uuid references public.comments (id) on delete set null,
  decided_by uuid references auth.users (id) on delete set null default auth.uid(),
  decided_at timestamptz not null default now()
);
create index item_approvals_item_idx on public.item_approvals (checklist_id, item_id, id desc);

-- A sign-off of a whole checklist: the document state it covers (state vector, a hash of the full state, and the
-- last update-log id in it), so it can be shown later exactly what was signed.
create table public.checklist_signoffs (
  id bigserial primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  checklist_id uuid not null references public.checklists (id) on delete cascade,
  state_vector bytea not null,
  state_hash text not null check (state_hash ~ '^[0-9a-f]{64}$'),
  last_update_id bigint not null,
  item_count integer not null check (item_count >= 0),
  signed_by uuid references auth.users (id) on delete set null default auth.uid(),
  signed_at timestamptz not null default now()
);
create index checklist_signoffs_checklist_idx on public.checklist_signoffs (checklist_id, id desc);

create table public.notifications (
  id bigserial primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  kind text not null check (kind in ('mention', 'reply', 'assigned', 'sent_back', 'approved', 'due_soon', 'overdue')),
  checklist_id uuid references public.checklists (id) on delete cascade,
  item_id text,
  thread_id uuid references public.comment_threads (id) on delete cascade,
  comment_id uuid references public.comments (id) on delete cascade,
  actor_id uuid references auth.users (id) on delete set null,
  -- One notification per thing: a comment notifies each person once (a mention outranks a reply), an item
  -- due date once per date.
  dedupe_key text not null,
  created_at timestamptz not null default now(),
  read_at timestamptz,
  unique (user_id, dedupe_key)
);
create index notifications_inbox_idx on public.notifications (user_id, created_at desc);

create table public.notification_preferences (
  user_id uuid primary key references auth.users (id) on delete cascade default auth.uid(),
  email text not null default 'immediately' check (email in ('immediately', 'daily_digest', 'off')),
  updated_at timestamptz not null default now()
);

-- The email outbox: rows are written in the same transaction as what they announce, then delivered by the
-- outbox worker (packages/db/src/notifications.ts): claim with `for update skip locked` (status 'sending' and a
-- lease, committed), send, mark sent; a failure is retried with backoff; a worker that died mid-send leaves a
-- lease that expires, and the row is sent again with the same Message-ID (docs/decisions/131).
create table public.email_outbox (
  id bigserial primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  kind text not null check (kind in ('immediate', 'digest')),
  notification_id bigint references public.notifications (id) on delete cascade,
  -- Digests: the notifications they cover.
  notification_ids bigint[] not null default '{}',
  dedupe_key text not null unique,
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed', 'skipped')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_until timestamptz,
  last_error text,
  message_id text not null default (gen_random_uuid()::text || '@tieout'),
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index email_outbox_due_idx on public.email_outbox (next_attempt_at) where status in ('pending', 'sending');

alter table public.checklist_review_settings enable row level security;
alter table public.comment_threads enable row level security;
alter table public.comments enable row level security;
alter table public.comment_mentions enable row level security;
alter table public.item_approvals enable row level security;
alter table public.checklist_signoffs enable row level security;
alter table public.notifications enable row level security;
alter table public.notification_preferences enable row level security;
alter table public.email_outbox enable row level security;

-- Does the checklist belong to the workspace? (Rows must not point across workspaces.)
create function public.checklist_in_workspace(target_checklist uuid, target_workspace uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.checklists c where c.id = target_checklist and c.workspace_id = target_workspace)
$$;

create policy "review settings: members read" on public.checklist_review_settings for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "review settings: owners set" on public.checklist_review_settings for insert to authenticated
  with check (public.is_workspace_owner(workspace_id) and updated_by = auth.uid()
    and public.checklist_in_workspace(checklist_id, workspace_id));
create policy "review settings: owners change" on public.checklist_review_settings for update to authenticated
  using (public.is_workspace_owner(workspace_id)) with check (public.is_workspace_owner(workspace_id) and updated_by = auth.uid());
create policy "review settings: owners delete" on public.checklist_review_settings for delete to authenticated
  using (public.is_workspace_owner(workspace_id));

create policy "threads: members read" on public.comment_threads for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "threads: commenters open" on public.comment_threads for insert to authenticated
  with check (public.can_comment_workspace(workspace_id) and created_by = auth.uid()
    and resolved_at is null and deleted_at is null and public.checklist_in_workspace(checklist_id, workspace_id));
-- Resolve and reopen (any commenter); the columns granted below are the only ones that can change.
create policy "threads: commenters resolve" on public.comment_threads for update to authenticated
  using (public.can_comment_workspace(workspace_id) and deleted_at is null)
  with check (public.can_comment_workspace(workspace_id) and (resolved_by is null or resolved_by = auth.uid()));

create policy "comments: members read" on public.comments for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "comments: commenters write as themselves" on public.comments for insert to authenticated
  with check (public.can_comment_workspace(workspace_id) and author_id = auth.uid() and deleted_at is null
    and edited_at is null
    and exists (select 1 from public.comment_threads t where t.id = thread_id
      and t.workspace_id = comments.workspace_id and t.checklist_id = comments.checklist_id));
create policy "comments: authors edit and delete their own" on public.comments for update to authenticated
  using (author_id = auth.uid() and deleted_at is null and public.can_comment_workspace(workspace_id))
  with check (author_id = auth.uid() and public.can_comment_workspace(workspace_id));

create policy "mentions: members read" on public.comment_mentions for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "mentions: the comment's author mentions members" on public.comment_mentions for insert to authenticated
  with check (public.can_comment_workspace(workspace_id) and exists (select 1 from public.comments c
      where c.id = comment_id and c.author_id = auth.uid() and c.deleted_at is null and c.workspace_id = comment_mentions.workspace_id
      and c.thread_id = comment_mentions.thread_id and c.checklist_id = comment_mentions.checklist_id));
create policy "mentions: the comment's author removes them" on public.comment_mentions for delete to authenticated
  using (public.can_comment_workspace(workspace_id)
    and exists (select 1 from public.comments c where c.id = comment_id and c.author_id = auth.uid()));

create policy "approvals: members read" on public.item_approvals for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "approvals: reviewers decide as themselves" on public.item_approvals for insert to authenticated
  with check (public.can_review_workspace(workspace_id) and decided_by = auth.uid()
    and public.checklist_in_workspace(checklist_id, workspace_id)
    and (comment_id is null or exists (select 1 from public.comments c where c.id = comment_id
      and c.author_id = auth.uid() and c.checklist_id = item_approvals.checklist_id)));

create policy "sign-offs: members read" on public.checklist_signoffs for select to authenticated
  using (public.is_workspace_member(workspace_id));
create policy "sign-offs: owners sign as themselves" on public.checklist_signoffs for insert to authenticated
  with check (public.is_workspace_owner(workspace_id) and signed_by = auth.uid()
    and public.checklist_in_workspace(checklist_id, workspace_id));

create policy "notifications: own, while a member" on public.notifications for select to authenticated
  using (user_id = auth.uid() and public.is_workspace_member(workspace_id));
create policy "notifications: mark own read" on public.notifications for update to authenticated
  using (user_id = auth.uid()) with check (user_id = auth.uid());
create policy "notifications: delete own" on public.notifications for delete to authenticated
  using (user_id = auth.uid());

create policy "preferences: own" on public.notification_preferences for select to authenticated
  using (user_id = auth.uid());
create policy "preferences: set own" on public.notification_preferences for insert to authenticated
  with check (user_id = auth.uid());
create policy "preferences: change own" on public.notification_preferences for update to authenticated
  using (user_id = auth.uid()) with check (user_id = auth.uid());
create policy "preferences: delete own" on public.notification_preferences for delete to authenticated
  using (user_id = auth.uid());
-- email_outbox: no policy for authenticated; only the outbox worker (service_role) reads and writes it.

-- Column privileges: what each kind of change may touch.
revoke update on public.comment_threads, public.comments, public.notifications from authenticated;
grant update (resolved_at, resolved_by) on public.comment_threads to authenticated;
grant update (body, edited_at, deleted_at) on public.comments to authenticated;
grant update (read_at) on public.notifications to authenticated;
revoke update, delete on public.item_approvals, public.checklist_signoffs from authenticated;
revoke delete on public.comment_threads, public.comments from authenticated;
revoke all on public.email_outbox from authenticated, anon;
grant select, insert, update, delete on public.checklist_review_settings, public.comment_mentions,
  public.notification_preferences to authenticated;
grant select, insert on public.comment_threads, public.comments, public.item_approvals, public.checklist_signoffs to authenticated;
grant select, delete on public.notifications to authenticated;
grant all on public.checklist_review_settings, public.comment_threads, public.comments, public.comment_mentions,
  public.item_approvals, public.checklist_signoffs, public.notifications, public.notification_preferences,
  public.email_outbox to service_role;
grant usage, select on all sequences in schema public to authenticated, service_role;

-- The review state of every projected item. security_invoker: the caller's RLS applies to both tables.
create view public.item_review_states with (security_invoker = true) as
select ci.checklist_id, ci.item_id, ci.workspace_id,
  case
    when a.decision is null then 'none'
    when a.decision = 'sent_back' then 'sent_back'
    when a.fingerprint is distinct from ci.content_fingerprint then 'changed_since_approval'
    else 'approved'
  end as state,
  a.decided_by, a.decided_at
from public.checklist_items ci
left join lateral (
  select ap.decision, ap.fingerprint, ap.decided_by, ap.decided_at from public.item_approvals ap
  where ap.checklist_id = ci.checklist_id and ap.item_id = ci.item_id
  order by ap.id desc limit 1
) a on true;
grant select on public.item_review_states to authenticated, service_role;

-- Live events (CONTRACTS.md): ids only.
create function public.publish_review_event() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  topic text := case tg_table_name when 'item_approvals' then 'approvals' when 'checklist_signoffs' then 'approvals'
    when 'checklist_review_settings' then 'approvals' else 'comments' end;
  row_data jsonb := to_jsonb(case when tg_op = 'DELETE' then old else new end);
begin
  perform pg_notify('tieout_live', json_build_object('topic', topic, 'workspaceId', row_data ->> 'workspace_id',
    'checklistId', row_data ->> 'checklist_id', 'itemId', row_data ->> 'item_id')::text);
  return null;
end $$;
create trigger comment_threads_live after insert or update on public.comment_threads
  for each row execute function public.publish_review_event();
create trigger comments_live after insert or update on public.comments
  for each row execute function public.publish_review_event();
create trigger item_approvals_live after insert on public.item_approvals
  for each row execute function public.publish_review_event();
create trigger checklist_signoffs_live after insert on public.checklist_signoffs
  for each row execute function public.publish_review_event();
create trigger checklist_review_settings_live after insert or update on public.checklist_review_settings
  for each row execute function public.publish_review_event();

-- A thread's item must be an item of the checklist (as the projection knows it).
create function public.check_thread_item() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if not exists (select 1 from public.checklist_items ci where ci.checklist_id = new.checklist_id and ci.item_id = new.item_id) then
    raise exception 'There is no such item in this checklist' using errcode = 'TR004';
  end if;
  if tg_op = 'INSERT' then
    new.resolved_at := null; new.resolved_by := null; new.deleted_at := null; new.created_at := now();
  end if;
  return new;
end $$;
create trigger comment_threads_item before insert on public.comment_threads
  for each row execute function public.check_thread_item();

-- Resolving stamps who and when; reopening clears both.
create function public.stamp_thread_resolution() returns trigger
language plpgsql set search_path = '' as $$
begin
  if new.resolved_at is not null and old.resolved_at is null then
    new.resolved_at := now(); new.resolved_by := auth.uid();
  elsif new.resolved_at is null then
    new.resolved_by := null;
  else
    new.resolved_at := old.resolved_at; new.resolved_by := old.resolved_by;
  end if;
  return new;
end $$;
create trigger comment_threads_resolution before update on public.comment_threads
  for each row execute function public.stamp_thread_resolution();

-- Replies go to open threads only; edits stamp edited_at; deletion is soft and final, and deleting a thread's
-- first comment deletes the thread.
create function public.guard_comment() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  thread public.comment_threads;
begin
  if tg_op = 'INSERT' then
    select * into thread from public.comment_threads t where t.id = new.thread_id;
    if thread.deleted_at is not null then
      raise exception 'This thread was deleted: it takes no more replies' using errcode = 'TR002';
    end if;
    if thread.resolved_at is not null then
      raise exception 'This thread is resolved: reopen it to reply' using errcode = 'TR001';
    end if;
    new.created_at := now(); new.edited_at := null; new.deleted_at := null;
    return new;
  end if;
  if old.deleted_at is not null then
    raise exception 'This comment was deleted' using errcode = 'TR007';
  end if;
  if new.deleted_at is not null then
    new.deleted_at := now(); new.body := old.body; new.edited_at := old.edited_at;
  elsif new.body is distinct from old.body then
    new.edited_at := now();
  else
    new.edited_at := old.edited_at;
  end if;
  return new;
end $$;
create trigger comments_guard before insert or update on public.comments
  for each row execute function public.guard_comment();

create function public.delete_thread_with_first_comment() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.deleted_at is not null and old.deleted_at is null and not exists (
    select 1 from public.comments c where c.thread_id = new.thread_id
      and (c.created_at, c.id) < (new.created_at, new.id)) then
    update public.comment_threads set deleted_at = now() where id = new.thread_id;
  end if;
  return null;
end $$;
create trigger comments_delete_thread after update of deleted_at on public.comments
  for each row execute function public.delete_thread_with_first_comment();

-- Only members of the workspace can be mentioned.
create function public.check_mention() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if not exists (select 1 from public.workspace_members m where m.workspace_id = new.workspace_id and m.user_id = new.user_id) then
    raise exception 'Only members of this workspace can be mentioned' using errcode = 'TR003';
  end if;
  new.created_at := now();
  return new;
end $$;
create trigger comment_mentions_member before insert on public.comment_mentions
  for each row execute function public.check_mention();

-- An approval records the fingerprint the projection holds now; a send-back needs a comment; the item must exist.
create function public.stamp_approval() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  current_fingerprint text;
begin
  select ci.content_fingerprint into current_fingerprint from public.checklist_items ci
  where ci.checklist_id = new.checklist_id and ci.item_id = new.item_id;
  if not found then
    raise exception 'There is no such item in this checklist' using errcode = 'TR004';
  end if;
  if new.decision = 'sent_back' and new.comment_id is null then
    raise exception 'Sending an item back needs a comment saying why' using errcode = 'TR005';
  end if;
  new.fingerprint := current_fingerprint;
  new.decided_at := now();
  return new;
end $$;
create trigger item_approvals_stamp before insert on public.item_approvals
  for each row execute function public.stamp_approval();

-- A sign-off needs every item of the checklist approved, and covers the stored document as it is.
create function public.check_signoff() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  items integer;
  unapproved integer;
begin
  -- The projection must not change underneath (same lock as packages/db/src/projection.ts).
  perform pg_advisory_xact_lock(hashtext('tieout.projection:' || new.checklist_id::text));
  select count(*), count(*) filter (where s.state <> 'approved') into items, unapproved
  from public.item_review_states s where s.checklist_id = new.checklist_id;
  if items = 0 then
    raise exception 'This checklist has no items to sign off' using errcode = 'TR006';
  end if;
  if unapproved > 0 then
    raise exception '% of % items are not approved yet: every item needs a current approval before sign-off', unapproved, items
      using errcode = 'TR006';
  end if;
  if new.last_update_id is distinct from (select coalesce(max(u.id), 0) from public.document_updates u where u.checklist_id = new.checklist_id) then
    raise exception 'The checklist changed while it was being signed off: look at it again and sign' using errcode = 'TR006';
  end if;
  new.item_count := items;
  new.signed_at := now();
  return new;
end $$;
create trigger checklist_signoffs_check before insert on public.checklist_signoffs
  for each row execute function public.check_signoff();

-- Notifications are written by these triggers (and, for due dates, by the outbox worker as service_role).
create function public.notify_user(
  target_user uuid, target_workspace uuid, notification_kind text, target_checklist uuid, target_item text,
  target_thread uuid, target_comment uuid, actor uuid, key text
) returns void
language plpgsql security definer set search_path = '' as $$
declare
  inserted_id bigint;
begin
  if target_user is null or target_user is not distinct from actor then
    return;
  end if;
  if not exists (select 1 from public.workspace_members m where m.workspace_id = target_workspace and m.user_id = target_user) then
    return;
  end if;
  insert into public.notifications (user_id, workspace_id, kind, checklist_id, item_id, thread_id, comment_id, actor_id, dedupe_key)
  values (target_user, target_workspace, notification_kind, target_checklist, target_item, target_thread, target_comment, actor, key)
  on conflict (user_id, dedupe_key) do update set kind = excluded.kind
    where notifications.kind = 'reply' and excluded.kind = 'mention'
  returning id into inserted_id;
  if inserted_id is not null then
    perform pg_notify('tieout_live', json_build_object('topic', 'notifications', 'workspaceId', target_workspace,
      'userId', target_user)::text);
  end if;
end $$;

-- Email: immediately (the default), or gathered in a daily digest by the worker, or not at all.
create function public.enqueue_notification_email() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if coalesce((select p.email from public.notification_preferences p where p.user_id = new.user_id), 'immediately') = 'immediately' then
    insert into public.email_outbox (user_id, kind, notification_id, dedupe_key)
    values (new.user_id, 'immediate', new.id, 'notification:' || new.id::text)
    on conflict (dedupe_key) do nothing;
  end if;
  return null;
end $$;
create trigger notifications_email after insert on public.notifications
  for each row execute function public.enqueue_notification_email();

create function public.notify_on_comment() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  thread public.comment_threads;
  participant uuid;
begin
  select * into thread from public.comment_threads t where t.id = new.thread_id;
  for participant in
    select distinct p.user_id from (
      select thread.created_by as user_id
      union select c.author_id from public.comments c where c.thread_id = new.thread_id and c.id <> new.id
    ) p where p.user_id is not null
  loop
    perform public.notify_user(participant, new.workspace_id, 'reply', new.checklist_id, thread.item_id, new.thread_id,
      new.id, new.author_id, 'comment:' || new.id::text);
  end loop;
  return null;
end $$;
create trigger comments_notify after insert on public.comments
  for each row execute function public.notify_on_comment();

create function public.notify_on_mention() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  thread public.comment_threads;
  author uuid;
begin
  select * into thread from public.comment_threads t where t.id = new.thread_id;
  select c.author_id into author from public.comments c where c.id = new.comment_id;
  perform public.notify_user(new.user_id, new.workspace_id, 'mention', new.checklist_id, thread.item_id, new.thread_id,
    new.comment_id, author, 'comment:' || new.comment_id::text);
  return null;
end $$;
create trigger comment_mentions_notify after insert on public.comment_mentions
  for each row execute function public.notify_on_mention();

create function public.notify_on_decision() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  item_owner uuid;
begin
  select ci.owner_id into item_owner from public.checklist_items ci where ci.checklist_id = new.checklist_id and ci.item_id = new.item_id;
  perform public.notify_user(item_owner, new.workspace_id, new.decision, new.checklist_id, new.item_id, null,
    new.comment_id, new.decided_by, 'decision:' || new.id::text);
  return null;
end $$;
create trigger item_approvals_notify after insert on public.item_approvals
  for each row execute function public.notify_on_decision();

-- A new owner of an item is told (the projection writes owner_id from the document). Rows written by nobody in
-- particular (seed, projection rebuild: updated_by null) notify no one.
create function public.notify_on_assignment() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.owner_id is not null and new.updated_by is not null
    and (tg_op = 'INSERT' or new.owner_id is distinct from old.owner_id) then
    perform public.notify_user(new.owner_id, new.workspace_id, 'assigned', new.checklist_id, new.item_id, null, null,
      new.updated_by, 'assigned:' || new.checklist_id::text || ':' || new.item_id || ':' || new.owner_id::text || ':'
        || extract(epoch from new.updated_at)::text);
  end if;
  return null;
end $$;
create trigger checklist_items_assignment after insert or update of owner_id on public.checklist_items
  for each row execute function public.notify_on_assignment();

-- Items of a user due within 3 days or overdue (not done), one notification per item, due date and kind.
-- Run by the outbox worker; returns how many notifications were created.
create function public.notify_due_items(today date) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  item record;
  created integer := 0;
  before_count integer;
begin
  select count(*) into before_count from public.notifications;
  for item in
    select ci.* from public.checklist_items ci
    where ci.owner_id is not null and ci.status <> 'done' and ci.due_date is not null and ci.due_date <= today + 3
  loop
    perform public.notify_user(item.owner_id, item.workspace_id,
      case when item.due_date < today then 'overdue' else 'due_soon' end, item.checklist_id, item.item_id, null, null, null,
      (case when item.due_date < today then 'overdue:' else 'due_soon:' end) || item.checklist_id::text || ':' || item.item_id
        || ':' || item.due_date::text);
  end loop;
  select count(*) - before_count into created from public.notifications;
  return created;
end $$;

revoke execute on function public.notify_user(uuid, uuid, text, uuid, text, uuid, uuid, uuid, text),
  public.notify_due_items(date), public.publish_review_event(), public.check_thread_item(),
  public.stamp_thread_resolution(), public.guard_comment(), public.delete_thread_with_first_comment(),
  public.check_mention(), public.stamp_approval(), public.check_signoff(), public.enqueue_notification_email(),
  public.notify_on_comment(), public.notify_on_mention(), public.notify_on_decision(), public.notify_on_assignment()
  from public, anon, authenticated;
grant execute on function public.notify_due_items(date) to service_role;
revoke execute on function public.checklist_in_workspace(uuid, uuid) from public, anon;
grant execute on function public.checklist_in_workspace(uuid, uuid) to authenticated, service_role;
