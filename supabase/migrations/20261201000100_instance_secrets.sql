-- Secrets an embedded instance generates for itself on first start (decision 100), kept with its data.
-- The schema is not exposed by PostgREST (only `public` and `graphql_public` are) and no API role may use it:
-- only the database owner (the app's own connection, as for migrations) reads or writes these rows.
create schema if not exists tieout_private;
revoke all on schema tieout_private from public;
revoke all on schema tieout_private from anon, authenticated, service_role;

create table if not exists tieout_private.instance_secrets (
  name text primary key check (name ~ '^[a-z][a-z0-9_]*$'),
  value text not null check (length(value) >= 32),
  created_at timestamptz not null default now()
);
revoke all on table tieout_private.instance_secrets from public;
revoke all on table tieout_private.instance_secrets from anon, authenticated, service_role;
-- No policies: even a role that were granted the table would read nothing.
alter table tieout_private.instance_secrets enable row level security;
