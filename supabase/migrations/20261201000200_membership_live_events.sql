-- Membership changes are published on the live-events channel (docs/CONTRACTS: channel `tieout_live`,
-- topic 'membership', ids only). The collaboration server holds a user's edits from the moment it hears of a
-- change until it has re-read their role (docs/decisions/110), so a removal or demotion takes effect before
-- their next message is applied, in every process connected to the database. NOTIFY is delivered at commit.
create function public.publish_membership_change() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'UPDATE' then
    if new.role is not distinct from old.role
      and new.user_id = old.user_id and new.workspace_id = old.workspace_id then
      return null;
    end if;
    if new.user_id <> old.user_id or new.workspace_id <> old.workspace_id then
      perform pg_notify('tieout_live', json_build_object(
        'topic', 'membership', 'workspaceId', old.workspace_id, 'userId', old.user_id)::text);
    end if;
  end if;
  if tg_op = 'DELETE' then
    perform pg_notify('tieout_live', json_build_object(
      'topic', 'membership', 'workspaceId', old.workspace_id, 'userId', old.user_id)::text);
  else
    perform pg_notify('tieout_live', json_build_object(
      'topic', 'membership', 'workspaceId', new.workspace_id, 'userId', new.user_id)::text);
  end if;
  return null;
end $$;

create trigger publish_membership_change after insert or update or delete on public.workspace_members
  for each row execute function public.publish_membership_change();
