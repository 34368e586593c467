-- Pending email confirmations of the embedded auth API (decision 115): sign-up mails a one-time link; only the
-- SHA-256 of its token is kept, with when it expires. One row per unconfirmed user: a new sign-up for the address
-- replaces it (the older link stops working); confirming deletes it. Hosted Supabase Auth keeps its own
-- confirmation tokens and never reads this table.
-- tieout_private is not exposed by PostgREST; the auth API works as service_role, so only that role gets this table.
create table if not exists tieout_private.signup_confirmations (
  user_id uuid primary key references auth.users (id) on delete cascade,
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  sent_at timestamptz not null default now(),
  expires_at timestamptz not null
);
revoke all on table tieout_private.signup_confirmations from public;
revoke all on table tieout_private.signup_confirmations from anon, authenticated;
grant usage on schema tieout_private to service_role;
grant select, insert, update, delete on table tieout_private.signup_confirmations to service_role;
alter table tieout_private.signup_confirmations enable row level security;
create policy signup_confirmations_service on tieout_private.signup_confirmations for all to service_role using (true) with check (true);
