-- What an invitation link is for, shown before it is accepted: which workspace, which role, who sent it, until
-- when, and whether it is still open. Holding the link is what grants this (its token is a 256-bit secret), so
-- signed-out visitors may ask too. The invited address is only hinted at (first letter and domain), and the
-- signed-in caller learns whether it is theirs. Nothing is returned for an unknown token.
create function public.invitation_preview(token text)
returns table (
  workspace_name text,
  role public.member_role,
  invited_by_name text,
  expires_at timestamptz,
  state text,
  email_hint text,
  for_caller boolean
)
language sql stable security definer set search_path = '' as $$
  select
    w.name,
    i.role,
    p.display_name,
    i.expires_at,
    case
      when i.accepted_at is not null then 'used'
      when i.revoked_at is not null then 'revoked'
      when i.expires_at <= now() then 'expired'
      else 'open'
    end,
    left(i.email, 1) || '…@' || split_part(i.email, '@', 2),
    case when auth.uid() is null then null
      else lower(btrim(coalesce(auth.jwt() ->> 'email', ''))) = i.email end
  from public.workspace_invitations i
  join public.workspaces w on w.id = i.workspace_id
  left join public.profiles p on p.id = i.invited_by
  where i.token_hash = encode(sha256(convert_to(coalesce(token, ''), 'UTF8')), 'hex')
$$;

revoke execute on function public.invitation_preview(text) from public;
grant execute on function public.invitation_preview(text) to anon, authenticated;
