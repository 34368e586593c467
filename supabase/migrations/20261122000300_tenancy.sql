-- Tenancy: invitations by email, acceptance, and the rule that a workspace always keeps an owner.

-- Embedded mode only (auth schema created by packages/db/sql/supabase-bootstrap.sql, owned by us): the embedded
-- auth API and test fixtures work as service_role (docs/decisions/011). On hosted Supabase, Supabase Auth owns
-- these tables and this block does nothing.
do $$ begin
  if exists (select 1 from pg_tables where schemaname = 'auth' and tablename = 'users' and tableowner = current_user) then
    grant select, insert, update, delete on auth.users, auth.refresh_tokens to service_role;
    grant usage, select on all sequences in schema auth to service_role;
  end if;
end $$;

create table public.workspace_invitations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  email text not null check (email = lower(btrim(email)) and email like '_%@_%' and char_length(email) <= 254),
  role public.member_role not null default 'editor',
  -- sha256 (hex) of the link's random token: the token itself is shown once, to the inviting owner.
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  invited_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  revoked_at timestamptz,
  check (expires_at > created_at and expires_at <= created_at + interval '30 days'),
  check ((accepted_at is null) = (accepted_by is null)),
  check (accepted_at is null or revoked_at is null)
);
create index workspace_invitations_workspace_idx on public.workspace_invitations (workspace_id, created_at desc);
-- One open invitation per address and workspace; inviting again replaces it (packages/db/src/members.ts).
create unique index workspace_invitations_open_idx on public.workspace_invitations (workspace_id, email)
  where accepted_at is null and revoked_at is null;

alter table public.workspace_invitations enable row level security;

create policy "invitations: owners read" on public.workspace_invitations for select to authenticated
  using (public.is_workspace_owner(workspace_id));
create policy "invitations: owners create" on public.workspace_invitations for insert to authenticated
  with check (public.is_workspace_owner(workspace_id) and invited_by = auth.uid()
    and accepted_at is null and accepted_by is null and revoked_at is null);
create policy "invitations: owners revoke" on public.workspace_invitations for update to authenticated
  using (public.is_workspace_owner(workspace_id)) with check (public.is_workspace_owner(workspace_id));
create policy "invitations: owners delete" on public.workspace_invitations for delete to authenticated
  using (public.is_workspace_owner(workspace_id));

grant select, insert, delete on public.workspace_invitations to authenticated;
-- Owners may only revoke an invitation; acceptance goes through public.accept_invitation.
grant update (revoked_at) on public.workspace_invitations to authenticated;
grant all on public.workspace_invitations to service_role;

-- A membership row may change its role only: moving it to another user or workspace would be an unchecked add.
revoke update on public.workspace_members from authenticated;
grant update (role) on public.workspace_members to authenticated;

-- Custom SQLSTATEs (class TO) that packages/db translates to typed refusals:
-- TO001 last owner, TO002 invitation not found, TO003 expired, TO004 already used, TO005 other email, TO006 already a member.

-- A workspace keeps at least one owner: its last owner can neither leave, be removed nor be demoted.
-- Deleting the workspace itself, or the owner's account, is not blocked.
create function public.keep_last_owner() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if old.role <> 'owner' then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if tg_op = 'UPDATE' then
    if new.role = 'owner' and new.workspace_id = old.workspace_id then
      return new;
    end if;
  end if;
  -- Serialise owner changes per workspace so two owners cannot demote each other at once.
  perform 1 from public.workspaces w where w.id = old.workspace_id for update;
  if found
    and exists (select 1 from auth.users u where u.id = old.user_id)
    and not exists (
      select 1 from public.workspace_members m
      where m.workspace_id = old.workspace_id and m.role = 'owner' and m.user_id <> old.user_id)
  then
    raise exception 'A workspace must keep at least one owner: make another member an owner first'
      using errcode = 'TO001';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;

create trigger keep_last_owner before update or delete on public.workspace_members
  for each row execute function public.keep_last_owner();

-- Accepting an invitation: the signed-in user's email must be the invited one; the link is single use.
create function public.accept_invitation(token text) returns public.workspace_members
language plpgsql security definer set search_path = '' as $$
declare
  invitation public.workspace_invitations;
  caller uuid := auth.uid();
  caller_email text := lower(btrim(coalesce(auth.jwt() ->> 'email', '')));
  membership public.workspace_members;
begin
  if caller is null then
    raise exception 'Sign in to accept an invitation' using errcode = '42501';
  end if;
  select * into invitation from public.workspace_invitations i
  where i.token_hash = encode(sha256(convert_to(coalesce(token, ''), 'UTF8')), 'hex')
  for update;
  if not found or invitation.revoked_at is not null then
    raise exception 'This invitation link is not valid (it may have been revoked)' using errcode = 'TO002';
  end if;
  if invitation.accepted_at is not null then
    raise exception 'This invitation has already been used' using errcode = 'TO004';
  end if;
  if invitation.expires_at <= now() then
    raise exception 'This invitation has expired: ask an owner of the workspace for a new one' using errcode = 'TO003';
  end if;
  if caller_email <> invitation.email then
    raise exception 'This invitation was sent to another email address' using errcode = 'TO005';
  end if;
  if exists (select 1 from public.workspace_members m where m.workspace_id = invitation.workspace_id and m.user_id = caller) then
    raise exception 'You are already a member of this workspace' using errcode = 'TO006';
  end if;
  insert into public.workspace_members (workspace_id, user_id, role)
  values (invitation.workspace_id, caller, invitation.role)
  returning * into membership;
  update public.workspace_invitations set accepted_at = now(), accepted_by = caller where id = invitation.id;
  return membership;
end $$;

revoke execute on function public.accept_invitation(text) from public, anon;
grant execute on function public.accept_invitation(text) to authenticated;
revoke execute on function public.keep_last_owner() from public, anon, authenticated;
