import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { publishLiveEvent, type Database, type Sql } from '@tieout/db';

/** The rows of auth.users and auth.refresh_tokens the embedded auth API reads and writes, as service_role. */
export type AuthUserRow = {
  id: string;
  aud: string | null;
  role: string | null;
  email: string;
  encrypted_password: string | null;
  email_confirmed_at: Date | string | null;
  last_sign_in_at: Date | string | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date | string | null;
  updated_at: Date | string | null;
};

const userColumns = `id, aud, role, email, encrypted_password, email_confirmed_at, last_sign_in_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at`;

export const EMAIL_PROVIDER_METADATA = { provider: 'email', providers: ['email'] };

export async function findUserByEmail(sql: Sql, email: string): Promise<AuthUserRow | undefined> {
  const { rows } = await sql.query<AuthUserRow>(`select ${userColumns} from auth.users where lower(email) = $1`, [email]);
  return rows[0];
}

export async function findUserById(sql: Sql, id: string): Promise<AuthUserRow | undefined> {
  const { rows } = await sql.query<AuthUserRow>(`select ${userColumns} from auth.users where id = $1`, [id]);
  return rows[0];
}

/**
 * Inserts an email user, confirmed (`confirmed`: autoconfirm, GoTrue's MAILER_AUTOCONFIRM) or waiting for its
 * confirmation link; undefined when the email is taken (also when a concurrent sign-up won).
 */
export async function insertUser(
  sql: Sql,
  user: { email: string; passwordHash: string; metadata: Record<string, unknown>; confirmed: boolean },
): Promise<AuthUserRow | undefined> {
  const { rows } = await sql.query<AuthUserRow>(
    `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, last_sign_in_at,
       raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, $3,
       case when $6 then now() end, case when $6 then now() end, $4::jsonb, $5::jsonb, now(), now())
     on conflict (email) do nothing
     returning ${userColumns}`,
    [randomUUID(), user.email, user.passwordHash, JSON.stringify(EMAIL_PROVIDER_METADATA), JSON.stringify(user.metadata), user.confirmed],
  );
  return rows[0];
}

/**
 * A new sign-up for an address that is still unconfirmed: whoever confirms from the mailbox gets the password
 * and name of the sign-up whose link they followed (the older links stop working), not a stranger's earlier one.
 */
export async function replaceUnconfirmedUser(
  sql: Sql,
  userId: string,
  user: { passwordHash: string; metadata: Record<string, unknown> },
): Promise<boolean> {
  const { rows } = await sql.query(
    `with replaced as (
       update auth.users set encrypted_password = $2, raw_user_meta_data = $3::jsonb, updated_at = now()
        where id = $1 and email_confirmed_at is null returning id, raw_user_meta_data
     ), renamed as (
       update public.profiles p set display_name = coalesce(r.raw_user_meta_data ->> 'display_name', p.display_name)
         from replaced r where p.id = r.id returning p.id
     )
     select id from replaced`,
    [userId, user.passwordHash, JSON.stringify(user.metadata)],
  );
  return rows.length > 0;
}

/** SHA-256 of a confirmation token, as kept at rest (the token itself is only in the mail). */
export function confirmationTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Makes a new one-time confirmation token for an unconfirmed user (replacing any earlier one); returns it. */
export async function issueConfirmationToken(sql: Sql, userId: string, ttlSeconds: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await sql.query(
    `insert into tieout_private.signup_confirmations (user_id, token_hash, sent_at, expires_at)
     values ($1, $2, now(), now() + make_interval(secs => $3))
     on conflict (user_id) do update set token_hash = excluded.token_hash, sent_at = excluded.sent_at, expires_at = excluded.expires_at`,
    [userId, confirmationTokenHash(token), ttlSeconds],
  );
  return token;
}

/**
 * Spends a confirmation token: the user is confirmed and returned; undefined for an unknown, used or expired
 * token (an expired one is deleted as well). One-time: the row is deleted in the same statement that finds it.
 */
export async function consumeConfirmationToken(sql: Sql, token: string): Promise<AuthUserRow | undefined> {
  const { rows } = await sql.query<{ user_id: string; live: boolean }>(
    `delete from tieout_private.signup_confirmations where token_hash = $1 returning user_id, expires_at > now() as live`,
    [confirmationTokenHash(token)],
  );
  const row = rows[0];
  if (!row?.live) return undefined;
  const confirmed = await sql.query<AuthUserRow>(
    `update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now()
      where id = $1 returning ${userColumns}`,
    [row.user_id],
  );
  return confirmed.rows[0];
}

export async function recordSignIn(sql: Sql, userId: string): Promise<void> {
  await sql.query(`update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1`, [userId]);
}

export type RefreshTokenRow = {
  id: number;
  token: string;
  user_id: string;
  revoked: boolean;
  parent: string | null;
  session_id: string | null;
  updated_at: Date | string;
};

export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export async function startSession(sql: Sql, userId: string): Promise<{ sessionId: string; refreshToken: string }> {
  const sessionId = randomUUID();
  const refreshToken = newRefreshToken();
  await sql.query(`insert into auth.refresh_tokens (token, user_id, session_id) values ($1, $2, $3)`, [refreshToken, userId, sessionId]);
  return { sessionId, refreshToken };
}

export async function lockRefreshToken(sql: Sql, token: string): Promise<RefreshTokenRow | undefined> {
  const { rows } = await sql.query<RefreshTokenRow>(
    `select id, token, user_id, revoked, parent, session_id, updated_at from auth.refresh_tokens where token = $1 for update`,
    [token],
  );
  return rows[0];
}

/** Revokes `parent` and issues its successor in the same session. */
export async function rotateRefreshToken(sql: Sql, parent: RefreshTokenRow): Promise<string> {
  const child = newRefreshToken();
  await sql.query(`update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1`, [parent.id]);
  await sql.query(`insert into auth.refresh_tokens (token, user_id, parent, session_id) values ($1, $2, $3, $4)`, [
    child,
    parent.user_id,
    parent.token,
    parent.session_id,
  ]);
  return child;
}

export async function activeChildOf(sql: Sql, parentToken: string): Promise<string | undefined> {
  const { rows } = await sql.query<{ token: string }>(
    `select token from auth.refresh_tokens where parent = $1 and not revoked order by id desc limit 1`,
    [parentToken],
  );
  return rows[0]?.token;
}

/*
 * Ending sessions publishes a live event `{ topic: 'session', userId, sessionId? , exceptSessionId? }` at commit, so
 * collaboration servers close the sockets those sessions opened (server/src/session-lifetime.ts, decision 103).
 */
export async function revokeSession(sql: Sql, sessionId: string): Promise<void> {
  const { rows } = await sql.query<{ user_id: string }>(
    `update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and not revoked returning user_id`,
    [sessionId],
  );
  const userId = rows[0]?.user_id;
  if (userId) await publishLiveEvent(sql, { topic: 'session', userId, sessionId });
}

export async function revokeUserSessions(sql: Sql, userId: string, exceptSessionId?: string): Promise<void> {
  await sql.query(
    `update auth.refresh_tokens set revoked = true, updated_at = now()
     where user_id = $1 and not revoked and ($2::uuid is null or session_id is distinct from $2::uuid)`,
    [userId, exceptSessionId ?? null],
  );
  await publishLiveEvent(sql, { topic: 'session', userId, ...(exceptSessionId ? { exceptSessionId } : {}) });
}

/** A session is live while one of its refresh tokens is unrevoked (sign-out revokes them all). */
export async function sessionIsActive(sql: Sql, sessionId: string): Promise<boolean> {
  const { rows } = await sql.query<{ active: boolean }>(
    `select exists (select 1 from auth.refresh_tokens where session_id = $1 and not revoked) as active`,
    [sessionId],
  );
  return rows[0]?.active === true;
}

export type AuthStoreDatabase = Pick<Database, 'asService'>;

/**
 * Whether the session an access token belongs to is still live (embedded auth: one of its refresh tokens is
 * unrevoked). A token without a session id was not issued by a sign-in and is not live.
 */
export async function isSessionLive(db: AuthStoreDatabase, sessionId: unknown): Promise<boolean> {
  if (typeof sessionId !== 'string' || !/^[0-9a-f-]{36}$/i.test(sessionId)) return false;
  return db.asService((sql) => sessionIsActive(sql, sessionId));
}
