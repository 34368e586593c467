-- An approval covers what the reviewer saw (docs/decisions/133). The reviewer's client may send the fingerprint
-- of the item as it showed it; the trigger still stamps the projection's fingerprint, and refuses the approval
-- when the two differ (the projection has not caught up with edits the reviewer saw, or the item changed after
-- it was shown), so a recorded approval is both what was seen and what is stored. No fingerprint sent: the
-- projection's, as before.
create or replace function public.stamp_approval() returns trigger
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
  if new.fingerprint is not null and new.fingerprint is distinct from current_fingerprint then
    raise exception 'The item changed while you reviewed it, or its latest edits are still being saved: look at it again and decide again'
      using errcode = 'TR008';
  end if;
  new.fingerprint := current_fingerprint;
  new.decided_at := now();
  return new;
end $$;

-- The browser compares the latest approval's fingerprint with the item as it holds it live, so "changed since
-- approval" and the Done option follow edits before the projection has caught up.
create or replace view public.item_review_states with (security_invoker = true) as
select ci.checklist_id, ci.item_id, ci.workspace_id,
  case
    when a.decision is null then 'none'
    when a.decision = 'sent_back' then 'sent_back'
    when a.fingerprint is distinct from ci.content_fingerprint then 'changed_since_approval'
    else 'approved'
  end as state,
  a.decided_by, a.decided_at,
  case when a.decision = 'approved' then a.fingerprint end as approved_fingerprint,
  ci.content_fingerprint
from public.checklist_items ci
left join lateral (
  select ap.decision, ap.fingerprint, ap.decided_by, ap.decided_at from public.item_approvals ap
  where ap.checklist_id = ci.checklist_id and ap.item_id = ci.item_id
  order by ap.id desc limit 1
) a on true;
