-- Issue 12: approvals, send-backs and sign-offs are audited (docs/decisions/121-audit-trail.md, 133). Triggers write
-- the rows where the decision is stored, whatever path (app, PostgREST, service role) stored it, in the same
-- transaction: a decision is audited if and only if it is stored. audit_trail's kind check is a pattern these kinds
-- already match. Field 'review' groups the three kinds for the activity feed's filter. A signed-in caller cannot claim
-- them through record_event (a viewer must not write "approved" without an approval), nor the document-derived kinds.

create function tieout_audit.on_review() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  checklist_deal uuid;
  item_title text;
begin
  select c.deal_id into checklist_deal from public.checklists c where c.id = new.checklist_id;
  if tg_table_name = 'item_approvals' then
    select ci.title into item_title from public.checklist_items ci
    where ci.checklist_id = new.checklist_id and ci.item_id = new.item_id;
    insert into public.audit_trail (workspace_id, deal_id, checklist_id, item_id, kind, field, new_value, user_id, created_at)
    values (new.workspace_id, checklist_deal, new.checklist_id, new.item_id,
            case new.decision when 'approved' then 'item_approved' else 'item_sent_back' end, 'review',
            jsonb_build_object('decision', new.decision, 'approvalId', new.id, 'title', item_title,
                               'fingerprint', new.fingerprint, 'commentId', new.comment_id),
            coalesce(new.decided_by, tieout_audit.actor()), new.decided_at);
  else
    insert into public.audit_trail (workspace_id, deal_id, checklist_id, kind, field, new_value, user_id, created_at)
    values (new.workspace_id, checklist_deal, new.checklist_id, 'checklist_signed_off', 'review',
            jsonb_build_object('signoffId', new.id, 'items', new.item_count, 'stateHash', new.state_hash,
                               'lastUpdateId', new.last_update_id),
            coalesce(new.signed_by, tieout_audit.actor()), new.signed_at);
  end if;
  return null;
end $$;
revoke all on function tieout_audit.on_review() from public, anon, authenticated;

create trigger audit_item_approval after insert on public.item_approvals
  for each row execute function tieout_audit.on_review();
create trigger audit_checklist_signoff after insert on public.checklist_signoffs
  for each row execute function tieout_audit.on_review();

-- Kinds written by the triggers above only.
create function tieout_audit.is_review_kind(kind text) returns boolean
language sql immutable set search_path = '' as $$
  select kind in ('item_approved', 'item_sent_back', 'checklist_signed_off')
$$;
revoke all on function tieout_audit.is_review_kind(text) from public, anon;
grant execute on function tieout_audit.is_review_kind(text) to authenticated, service_role;

-- record_event as in 20261201000300_audit_trail.sql, refusing the review kinds to signed-in callers as well.
create or replace function tieout_audit.record_event(
  p_workspace_id uuid, p_kind text, p_deal_id uuid, p_checklist_id uuid, p_item_id text, p_field text,
  p_old_value jsonb, p_new_value jsonb, p_user_id uuid
) returns bigint
language plpgsql security definer set search_path = '' as $$
declare
  service boolean := tieout_audit.is_service();
  actor uuid := tieout_audit.actor();
  written bigint;
begin
  if not service then
    if actor is null or not exists (select 1 from public.workspace_members m where m.workspace_id = p_workspace_id and m.user_id = actor) then
      raise exception 'only members of the workspace record its audit events' using errcode = '42501';
    end if;
    if p_user_id is not null and p_user_id <> actor then
      raise exception 'an audit event is recorded as the signed-in user' using errcode = '42501';
    end if;
    if tieout_audit.is_document_kind(p_kind) then
      raise exception 'audit events of kind % are derived by the collaboration server', p_kind using errcode = '42501';
    end if;
    if tieout_audit.is_review_kind(p_kind) then
      raise exception 'audit events of kind % are written when the decision is stored', p_kind using errcode = '42501';
    end if;
  end if;
  if p_deal_id is not null and not exists (select 1 from public.deals d where d.id = p_deal_id and d.workspace_id = p_workspace_id) then
    raise exception 'deal % is not in workspace %', p_deal_id, p_workspace_id using errcode = '22023';
  end if;
  if p_checklist_id is not null and not exists (
    select 1 from public.checklists c where c.id = p_checklist_id and c.workspace_id = p_workspace_id
      and (p_deal_id is null or c.deal_id = p_deal_id)) then
    raise exception 'checklist % is not in workspace %', p_checklist_id, p_workspace_id using errcode = '22023';
  end if;
  insert into public.audit_trail (workspace_id, deal_id, checklist_id, item_id, kind, field, old_value, new_value, user_id)
  values (p_workspace_id, p_deal_id, p_checklist_id, p_item_id, p_kind, p_field, p_old_value, p_new_value,
          case when service then p_user_id else actor end)
  returning id into written;
  return written;
end $$;
