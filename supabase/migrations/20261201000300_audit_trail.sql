-- The audit trail (docs/decisions/121-audit-trail.md): append-only, item-level rows derived by the collaboration
-- server from each persisted batch per author, plus rows for other audited actions (membership, invitations,
-- deletions, restores, sign-offs, approvals, exports, files). No role can update or delete a row: no grants, no
-- policies, and a trigger that refuses UPDATE, DELETE and TRUNCATE for everyone, the table owner included.
-- Rows keep no foreign keys to deals or checklists: deleting one is itself audited and must not erase its history.

create table public.audit_trail (
  id bigserial primary key,
  workspace_id uuid not null,
  -- null for workspace-level events (membership, invitations)
  deal_id uuid,
  checklist_id uuid,
  item_id text check (item_id is null or char_length(item_id) between 1 and 64),
  kind text not null check (kind ~ '^[a-z][a-z_]{1,62}$'),
  field text check (field is null or field ~ '^[a-z][a-z_]{0,62}$'),
  old_value jsonb,
  new_value jsonb,
  -- who did it; null when no person did (a system job)
  user_id uuid,
  -- the update-log row an item-level change came from
  update_id bigint,
  created_at timestamptz not null default now(),
  check (pg_column_size(old_value) <= 16384 and pg_column_size(new_value) <= 16384)
);
create index audit_trail_workspace_idx on public.audit_trail (workspace_id, created_at desc, id desc);
create index audit_trail_deal_idx on public.audit_trail (deal_id, created_at desc, id desc) where deal_id is not null;
create index audit_trail_item_idx on public.audit_trail (checklist_id, item_id, created_at desc, id desc) where checklist_id is not null;

alter table public.audit_trail enable row level security;
create policy "audit trail: members read" on public.audit_trail for select to authenticated
  using (public.is_workspace_member(workspace_id));

revoke all on public.audit_trail from public, anon, authenticated, service_role;
grant select on public.audit_trail to authenticated;
-- The server's audit writer appends as service_role (decision 011); nobody updates or deletes.
grant select, insert on public.audit_trail to service_role;
revoke all on sequence public.audit_trail_id_seq from public, anon, authenticated;
grant usage on sequence public.audit_trail_id_seq to service_role;

create function public.audit_trail_is_append_only() returns trigger
language plpgsql set search_path = '' as $$
begin
  raise exception 'public.audit_trail is append-only: % is not allowed', tg_op using errcode = '42501';
end $$;
create trigger audit_trail_append_only before update or delete on public.audit_trail
  for each row execute function public.audit_trail_is_append_only();
create trigger audit_trail_no_truncate before truncate on public.audit_trail
  for each statement execute function public.audit_trail_is_append_only();

-- Audited actions written from SQL run through this schema, which PostgREST does not expose.
create schema tieout_audit;
revoke all on schema tieout_audit from public;
grant usage on schema tieout_audit to authenticated, service_role;

-- The acting user from the request's claims, or null (service role, owner connection, malformed sub).
create function tieout_audit.actor() returns uuid
language sql stable set search_path = '' as $$
  select case when s ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then s::uuid end
  from (select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  ) as s) as claims
$$;

-- True for the service role (the session's role setting, which a security definer function does not change).
create function tieout_audit.is_service() returns boolean
language sql stable set search_path = '' as $$
  select coalesce(current_setting('role', true), '') = 'service_role'
$$;

-- Kinds only the collaboration server derives from the document (a person cannot claim them).
create function tieout_audit.is_document_kind(kind text) returns boolean
language sql immutable set search_path = '' as $$
  select kind in ('item_created', 'item_deleted', 'item_field', 'section_created', 'section_deleted', 'section_field', 'checklist_field')
$$;

/*
 * Records one audited action (packages/db recordAuditEvent). A signed-in caller records as themselves, in a workspace
 * they belong to, and not a document-derived kind; the service role may name any user. The deal and checklist, when
 * given, must belong to the workspace.
 */
create function tieout_audit.record_event(
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
revoke all on function tieout_audit.record_event(uuid, text, uuid, uuid, text, text, jsonb, jsonb, uuid) from public, anon;
grant execute on function tieout_audit.record_event(uuid, text, uuid, uuid, text, text, jsonb, jsonb, uuid) to authenticated, service_role;
revoke all on function tieout_audit.actor(), tieout_audit.is_service(), tieout_audit.is_document_kind(text) from public, anon;
grant execute on function tieout_audit.actor(), tieout_audit.is_service(), tieout_audit.is_document_kind(text) to authenticated, service_role;

-- Membership, invitations and deletions are audited where they happen, whatever path made them.
create function tieout_audit.on_membership() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    insert into public.audit_trail (workspace_id, kind, new_value, user_id)
    values (new.workspace_id, 'member_added', jsonb_build_object('userId', new.user_id, 'role', new.role), tieout_audit.actor());
  elsif tg_op = 'UPDATE' then
    if new.role is distinct from old.role then
      insert into public.audit_trail (workspace_id, kind, field, old_value, new_value, user_id)
      values (new.workspace_id, 'member_role_changed', 'role',
              jsonb_build_object('userId', old.user_id, 'role', old.role), jsonb_build_object('userId', new.user_id, 'role', new.role),
              tieout_audit.actor());
    end if;
  else
    -- Not when the whole workspace goes (its deletion removes every membership).
    if exists (select 1 from public.workspaces w where w.id = old.workspace_id) then
      insert into public.audit_trail (workspace_id, kind, old_value, user_id)
      values (old.workspace_id, 'member_removed', jsonb_build_object('userId', old.user_id, 'role', old.role), tieout_audit.actor());
    end if;
  end if;
  return null;
end $$;
create trigger audit_membership after insert or update or delete on public.workspace_members
  for each row execute function tieout_audit.on_membership();

create function tieout_audit.on_invitation() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    insert into public.audit_trail (workspace_id, kind, new_value, user_id)
    values (new.workspace_id, 'invitation_created',
            jsonb_build_object('invitationId', new.id, 'email', new.email, 'role', new.role, 'expiresAt', new.expires_at),
            coalesce(tieout_audit.actor(), new.invited_by));
  elsif new.revoked_at is not null and old.revoked_at is null then
    insert into public.audit_trail (workspace_id, kind, old_value, user_id)
    values (new.workspace_id, 'invitation_revoked', jsonb_build_object('invitationId', new.id, 'email', new.email, 'role', new.role),
            tieout_audit.actor());
  elsif new.accepted_at is not null and old.accepted_at is null then
    insert into public.audit_trail (workspace_id, kind, new_value, user_id)
    values (new.workspace_id, 'invitation_accepted', jsonb_build_object('invitationId', new.id, 'email', new.email, 'role', new.role),
            coalesce(new.accepted_by, tieout_audit.actor()));
  end if;
  return null;
end $$;
create trigger audit_invitation after insert or update on public.workspace_invitations
  for each row execute function tieout_audit.on_invitation();

create function tieout_audit.on_deletion() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if not exists (select 1 from public.workspaces w where w.id = old.workspace_id) then
    return null;
  end if;
  if tg_table_name = 'deals' then
    insert into public.audit_trail (workspace_id, deal_id, kind, old_value, user_id)
    values (old.workspace_id, old.id, 'deal_deleted', jsonb_build_object('name', old.name), tieout_audit.actor());
  else
    insert into public.audit_trail (workspace_id, deal_id, checklist_id, kind, old_value, user_id)
    values (old.workspace_id, old.deal_id, old.id, 'checklist_deleted', jsonb_build_object('title', old.title), tieout_audit.actor());
  end if;
  return null;
end $$;
create trigger audit_deal_deletion after delete on public.deals
  for each row execute function tieout_audit.on_deletion();
create trigger audit_checklist_deletion after delete on public.checklists
  for each row execute function tieout_audit.on_deletion();

revoke all on function tieout_audit.on_membership(), tieout_audit.on_invitation(), tieout_audit.on_deletion() from public, anon, authenticated;
