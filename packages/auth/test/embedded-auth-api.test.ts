import { randomBytes } from 'node:crypto';
import { createClient, isAuthApiError, isAuthWeakPasswordError, type SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '@tieout/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEmbeddedAuthApi, type EmbeddedAuthApiOptions } from '../src/embedded-auth-api.ts';
import { createTokenVerifier, signAccessToken } from '../src/tokens.ts';
import { openScratchDatabase } from '@tieout/db/testing';

const jwtSecret = randomBytes(32).toString('base64url');
const password = 'correct horse battery staple';

let db: Database;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'auth' }));
}, 120_000);
afterAll(async () => {
  await dispose();
}, 60_000);

let emailCounter = 0;
const uniqueEmail = (name = 'analyst') => `${name}.${Date.now()}.${emailCounter++}@example.com`;

/** An AuthApiLogger (pino's shape) that keeps what it is given. */
function recordingLogger() {
  const lines: { level: 'info' | 'warn' | 'error'; details: Record<string, unknown>; message: string }[] = [];
  const at = (level: 'info' | 'warn' | 'error') => (details: Record<string, unknown>, message: string) =>
    void lines.push({ level, details, message });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

function clientFor(options: Partial<EmbeddedAuthApiOptions> = {}, clientAddress = '203.0.113.7') {
  const api = createEmbeddedAuthApi({ db, jwtSecret, confirmation: 'autoconfirm', bcryptCost: 4, ...options });
  const supabase: SupabaseClient = createClient('http://tieout.test', 'embedded-anon-key', {
    global: {
      fetch: async (input, init) => (await api.handle(new Request(input, init), { clientAddress })) ?? new Response('not auth', { status: 599 }),
    },
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no global WebSocket; supabase-js's realtime client insists on one even when unused.
    realtime: { transport: WebSocket as never },
  });
  return { api, supabase };
}

async function signedUp(supabase: SupabaseClient, email = uniqueEmail(), displayName = 'Ada Analyst') {
  const { data, error } = await supabase.auth.signUp({ email, password, options: { data: { display_name: displayName } } });
  expect(error).toBeNull();
  return { email, user: data.user!, session: data.session! };
}

describe('embedded Supabase Auth API through supabase-js', () => {
  it('signs up a user with a display name, stores a bcrypt hash and creates the profile', async () => {
    const { supabase } = clientFor();
    const email = uniqueEmail('Mixed.Case');
    const { user, session } = await signedUp(supabase, `  ${email.toUpperCase()} `);
    expect(user.email).toBe(email.toLowerCase());
    expect(user.user_metadata.display_name).toBe('Ada Analyst');
    expect(session.access_token).toBeTruthy();
    expect(session.refresh_token).toBeTruthy();
    expect(session.token_type).toBe('bearer');

    const stored = await db.asService((sql) =>
      sql.query<{ encrypted_password: string; display_name: string; confirmed: boolean }>(
        `select u.encrypted_password, p.display_name, u.email_confirmed_at is not null as confirmed
         from auth.users u join public.profiles p on p.id = u.id where u.id = $1`,
        [user.id],
      ),
    );
    expect(stored.rows[0]?.encrypted_password).toMatch(/^\$2[aby]\$04\$/);
    expect(stored.rows[0]?.encrypted_password).not.toContain(password);
    expect(stored.rows[0]?.display_name).toBe('Ada Analyst');
    expect(stored.rows[0]?.confirmed).toBe(true);
  });

  it('signs in with a password and issues an access token with the Supabase claims', async () => {
    const { supabase } = clientFor();
    const { email, user } = await signedUp(supabase);
    const { data, error } = await supabase.auth.signInWithPassword({ email, password });
    expect(error).toBeNull();
    expect(data.user?.id).toBe(user.id);
    const claims = await createTokenVerifier({ jwtSecret })(data.session!.access_token);
    expect(claims).toMatchObject({ sub: user.id, role: 'authenticated', email, aud: 'authenticated' });
    expect(typeof claims.session_id).toBe('string');
    expect(claims.exp! - Math.floor(Date.now() / 1000)).toBeGreaterThan(3500);
    expect(data.session!.expires_in).toBe(3600);
  });

  it('returns the signed-in user from getUser', async () => {
    const { supabase } = clientFor();
    const { email, user } = await signedUp(supabase);
    const { data, error } = await supabase.auth.getUser();
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id: user.id, email, aud: 'authenticated', role: 'authenticated' });
    expect(data.user?.app_metadata.provider).toBe('email');
  });

  it('rotates refresh tokens and refuses a spent one, ending the session', async () => {
    const { supabase } = clientFor({ refreshTokenReuseIntervalSeconds: 0 });
    const { session } = await signedUp(supabase);
    const refreshed = await supabase.auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refreshed.error).toBeNull();
    const next = refreshed.data.session!;
    expect(next.refresh_token).not.toBe(session.refresh_token);
    expect(next.access_token).toBeTruthy();

    const reused = await supabase.auth.refreshSession({ refresh_token: session.refresh_token });
    expect(reused.error?.code).toBe('refresh_token_already_used');
    expect(reused.data.session).toBeNull();
    // Reuse signals theft: the successor token dies with the session.
    const afterTheft = await supabase.auth.refreshSession({ refresh_token: next.refresh_token });
    expect(afterTheft.error?.code).toBe('refresh_token_already_used');
  });

  it('logs a spent refresh token presented again as a warning naming the user, never the token', async () => {
    const { logger, lines } = recordingLogger();
    const { supabase } = clientFor({ refreshTokenReuseIntervalSeconds: 0, logger });
    const { user, session } = await signedUp(supabase);
    expect((await supabase.auth.refreshSession({ refresh_token: session.refresh_token })).error).toBeNull();
    expect(lines.filter((line) => line.level === 'warn')).toEqual([]);

    const reused = await supabase.auth.refreshSession({ refresh_token: session.refresh_token });
    expect(reused.error?.code).toBe('refresh_token_already_used');
    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings).toEqual([
      {
        level: 'warn',
        details: { event: 'refresh_token_reused', userId: user.id, sessionId: expect.any(String) },
        message: expect.stringMatching(/refresh token presented again.*session revoked/),
      },
    ]);
    expect(JSON.stringify(warnings)).not.toContain(session.refresh_token);
  });

  it('answers a refresh repeated within the reuse interval with the session’s current token', async () => {
    const { supabase } = clientFor({ refreshTokenReuseIntervalSeconds: 10 });
    const { session } = await signedUp(supabase);
    const first = await supabase.auth.refreshSession({ refresh_token: session.refresh_token });
    const second = await supabase.auth.refreshSession({ refresh_token: session.refresh_token });
    expect(first.error).toBeNull();
    expect(second.error).toBeNull();
    expect(second.data.session!.refresh_token).toBe(first.data.session!.refresh_token);
  });

  it('refuses an unknown refresh token', async () => {
    const { supabase } = clientFor();
    const { error } = await supabase.auth.refreshSession({ refresh_token: 'no-such-token' });
    expect(error?.code).toBe('refresh_token_not_found');
    expect(error?.status).toBe(400);
  });

  it('signs out: the refresh token is revoked and the old access token no longer finds a session', async () => {
    const { supabase } = clientFor();
    const { session } = await signedUp(supabase);
    const { error } = await supabase.auth.signOut();
    expect(error).toBeNull();
    const revoked = await db.asService((sql) =>
      sql.query<{ revoked: boolean }>(`select revoked from auth.refresh_tokens where token = $1`, [session.refresh_token]),
    );
    expect(revoked.rows).toEqual([{ revoked: true }]);
    const refresh = await supabase.auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refresh.error?.code).toBe('refresh_token_already_used');
    const user = await supabase.auth.getUser(session.access_token);
    expect(user.data.user).toBeNull();
    expect(user.error?.name).toBe('AuthSessionMissingError');
  });

  it('signing out locally keeps the user’s other sessions', async () => {
    const { supabase: laptop } = clientFor();
    const { supabase: phone } = clientFor();
    const { email } = await signedUp(laptop);
    const phoneSession = (await phone.auth.signInWithPassword({ email, password })).data.session!;
    await laptop.auth.signOut({ scope: 'local' });
    expect((await phone.auth.getUser(phoneSession.access_token)).error).toBeNull();
    await laptop.auth.signInWithPassword({ email, password });
    await laptop.auth.signOut({ scope: 'global' });
    expect((await phone.auth.getUser(phoneSession.access_token)).error?.name).toBe('AuthSessionMissingError');
  });

  it('refuses a wrong password and an unknown email with the same error', async () => {
    const { supabase } = clientFor();
    const { email } = await signedUp(supabase);
    const wrong = await supabase.auth.signInWithPassword({ email, password: 'not the password' });
    const unknown = await supabase.auth.signInWithPassword({ email: uniqueEmail('nobody'), password });
    for (const { error, data } of [wrong, unknown]) {
      expect(isAuthApiError(error)).toBe(true);
      expect(error).toMatchObject({ status: 400, code: 'invalid_credentials', message: 'Invalid login credentials' });
      expect(data.session).toBeNull();
    }
  });

  it('with autoconfirm (GoTrue’s MAILER_AUTOCONFIRM), refuses a duplicate sign-up, whatever the case of the email', async () => {
    const { supabase } = clientFor();
    const { email } = await signedUp(supabase);
    const { data, error } = await supabase.auth.signUp({ email: email.toUpperCase(), password: 'another password 1' });
    expect(error).toMatchObject({ status: 422, code: 'user_already_exists', message: 'User already registered' });
    expect(data.user).toBeNull();
    const count = await db.asService((sql) => sql.query<{ n: number }>(`select count(*)::int as n from auth.users where lower(email) = $1`, [email]));
    expect(count.rows[0]?.n).toBe(1);
  });

  it('refuses weak passwords, invalid emails and invalid display names', async () => {
    const { supabase } = clientFor();
    const weak = await supabase.auth.signUp({ email: uniqueEmail(), password: 'short' });
    expect(isAuthWeakPasswordError(weak.error)).toBe(true);
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['length'] });

    const invalid = await supabase.auth.signUp({ email: 'not-an-email', password });
    expect(invalid.error).toMatchObject({ status: 400, code: 'email_address_invalid' });

    const tooLong = await supabase.auth.signUp({ email: uniqueEmail(), password: 'x'.repeat(73) });
    expect(tooLong.error).toMatchObject({ status: 422, code: 'validation_failed' });

    const badName = await supabase.auth.signUp({ email: uniqueEmail(), password, options: { data: { display_name: '' } } });
    expect(badName.error).toMatchObject({ status: 422, code: 'validation_failed' });
  });

  it('rate limits failed sign-ins per email, even with the right password, without touching other emails', async () => {
    const limits = { signInFailuresPerEmail: { max: 3, windowSeconds: 60 } };
    const { supabase } = clientFor({ rateLimit: limits });
    const { email } = await signedUp(supabase);
    const { email: bystander } = await signedUp(supabase);
    for (let attempt = 0; attempt < 3; attempt++) {
      const { error } = await supabase.auth.signInWithPassword({ email, password: `guess ${attempt}` });
      expect(error?.code).toBe('invalid_credentials');
    }
    const limited = await supabase.auth.signInWithPassword({ email, password });
    expect(limited.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
    expect(limited.data.session).toBeNull();
    expect((await supabase.auth.signInWithPassword({ email: bystander, password })).error).toBeNull();
  });

  it('does not let guesses from another address lock the real person out (failures count per address and email)', async () => {
    const api = createEmbeddedAuthApi({
      db,
      jwtSecret,
      confirmation: 'autoconfirm',
      bcryptCost: 4,
      rateLimit: { signInFailuresPerEmail: { max: 3, windowSeconds: 60 } },
    });
    const from = (clientAddress: string) =>
      createClient('http://tieout.test', 'embedded-anon-key', {
        global: {
          fetch: async (input, init) => (await api.handle(new Request(input, init), { clientAddress })) ?? new Response(null, { status: 599 }),
        },
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: WebSocket as never },
      });
    const attacker = from('203.0.113.66');
    const owner = from('198.51.100.20');
    const { email } = await signedUp(owner);
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await attacker.auth.signInWithPassword({ email, password: `guess ${attempt}` })).error?.code).toBe('invalid_credentials');
    }
    expect((await attacker.auth.signInWithPassword({ email, password })).error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
    expect((await owner.auth.signInWithPassword({ email, password })).error).toBeNull();
  });

  it('refuses the common passwords of breach lists at sign-up, as GoTrue does (weak_password, reason pwned)', async () => {
    const { supabase } = clientFor();
    for (const common of ['password1', 'Qwertyuiop', ' iloveyou1 ']) {
      const { error } = await supabase.auth.signUp({ email: uniqueEmail(), password: common });
      expect(isAuthWeakPasswordError(error)).toBe(true);
      expect(error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['pwned'] });
    }
    expect((await supabase.auth.signUp({ email: uniqueEmail(), password: 'tieout rarely typed phrase 7' })).error).toBeNull();
  });

  it('lets a rate-limited email in again once the window has passed', async () => {
    let clock = Date.now();
    const { supabase } = clientFor({ rateLimit: { signInFailuresPerEmail: { max: 1, windowSeconds: 60 } }, now: () => clock });
    const { email } = await signedUp(supabase);
    await supabase.auth.signInWithPassword({ email, password: 'wrong guess' });
    expect((await supabase.auth.signInWithPassword({ email, password })).error?.code).toBe('over_request_rate_limit');
    clock += 61_000;
    expect((await supabase.auth.signInWithPassword({ email, password })).error).toBeNull();
  });

  it('rate limits sign-in attempts per client address', async () => {
    const { supabase } = clientFor({ rateLimit: { signInPerAddress: { max: 2, windowSeconds: 60 } } }, '198.51.100.9');
    const { supabase: elsewhere } = clientFor({ rateLimit: false }, '198.51.100.10');
    const { email } = await signedUp(elsewhere);
    expect((await supabase.auth.signInWithPassword({ email, password })).error).toBeNull();
    expect((await supabase.auth.signInWithPassword({ email: uniqueEmail(), password })).error?.code).toBe('invalid_credentials');
    const limited = await supabase.auth.signInWithPassword({ email, password });
    expect(limited.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
  });

  it('refuses an expired access token in getUser', async () => {
    const { supabase } = clientFor();
    const { user, session } = await signedUp(supabase);
    const claims = await createTokenVerifier({ jwtSecret })(session.access_token);
    const expired = await signAccessToken(
      { id: user.id, email: user.email!, sessionId: claims.session_id as string },
      { jwtSecret, expiresInSeconds: 60, now: Date.now() - 3600_000 },
    );
    const { data, error } = await supabase.auth.getUser(expired.token);
    expect(data.user).toBeNull();
    expect(error).toMatchObject({ status: 403, code: 'bad_jwt' });
    expect(error?.message).toContain('token is expired');
  });

  it('refuses a token signed with another secret', async () => {
    const { supabase } = clientFor();
    const { user } = await signedUp(supabase);
    const forged = await signAccessToken({ id: user.id, email: user.email! }, { jwtSecret: randomBytes(32).toString('base64url') });
    const { error } = await supabase.auth.getUser(forged.token);
    expect(error).toMatchObject({ status: 403, code: 'bad_jwt' });
  });

  it('never logs a password', async () => {
    const { logger, lines } = recordingLogger();
    const { supabase } = clientFor({ logger });
    const { email } = await signedUp(supabase);
    await supabase.auth.signInWithPassword({ email, password });
    await supabase.auth.signInWithPassword({ email, password: 'a wrong password here' });
    await supabase.auth.signOut();
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const log = lines.map((line) => JSON.stringify(line)).join('\n');
    expect(log).not.toContain(password);
    expect(log).not.toContain('a wrong password here');
  });
});

describe('embedded Supabase Auth API over plain HTTP', () => {
  it('ignores paths outside /auth/v1', async () => {
    const { api } = clientFor();
    expect(await api.handle(new Request('http://tieout.test/rest/v1/deals'))).toBeNull();
    expect(await api.handle(new Request('http://tieout.test/auth/v10/user'))).toBeNull();
  });

  it('serves an empty JWKS and answers unknown routes with GoTrue errors', async () => {
    const { api } = clientFor();
    const jwks = await api.handle(new Request('http://tieout.test/auth/v1/.well-known/jwks.json'));
    expect(await jwks?.json()).toEqual({ keys: [] });
    const missing = await api.handle(
      new Request('http://tieout.test/auth/v1/otp', { method: 'POST', headers: { 'X-Supabase-Api-Version': '2024-01-01' } }),
    );
    expect(missing?.status).toBe(404);
    expect(missing?.headers.get('X-Supabase-Api-Version')).toBe('2024-01-01');
    expect(await missing?.json()).toEqual({ code: 'not_found', message: 'Not found' });
  });

  it('uses the legacy error shape for clients without the API version header', async () => {
    const { api } = clientFor();
    const response = await api.handle(
      new Request('http://tieout.test/auth/v1/token?grant_type=password', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail(), password }),
      }),
    );
    expect(response?.status).toBe(400);
    expect(await response?.json()).toEqual({ code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
  });

  it('refuses malformed JSON, unsupported grants and a missing bearer token', async () => {
    const { api } = clientFor();
    const headers = { 'X-Supabase-Api-Version': '2024-01-01', 'content-type': 'application/json' };
    const badJson = await api.handle(new Request('http://tieout.test/auth/v1/signup', { method: 'POST', headers, body: '{' }));
    expect(badJson?.status).toBe(400);
    expect((await badJson!.json()).code).toBe('bad_json');
    const grant = await api.handle(new Request('http://tieout.test/auth/v1/token?grant_type=magic', { method: 'POST', headers, body: '{}' }));
    expect((await grant!.json()).code).toBe('unsupported_grant_type');
    const anonymous = await api.handle(new Request('http://tieout.test/auth/v1/user', { headers }));
    expect(anonymous?.status).toBe(401);
    expect((await anonymous!.json()).code).toBe('no_authorization');
  });
});
