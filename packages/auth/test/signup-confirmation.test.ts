import { createHash, randomBytes } from 'node:crypto';
import { createClient, isAuthApiError, type SupabaseClient } from '@supabase/supabase-js';
import type { Database, EmailMessage } from '@tieout/db';
import { openScratchDatabase } from '@tieout/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEmbeddedAuthApi, type EmbeddedAuthApiOptions } from '../src/embedded-auth-api.ts';

/* Sign-up with email confirmations on (decision 115): the embedded auth API as the app runs it. */

const jwtSecret = randomBytes(32).toString('base64url');
const siteUrl = 'http://tieout.test:3000';
const password = 'correct horse battery staple';

let db: Database;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'auth_confirm' }));
}, 120_000);
afterAll(async () => dispose(), 60_000);

let counter = 0;
const uniqueEmail = (name = 'newcomer') => `${name}.${Date.now()}.${counter++}@example.com`;

function setup(overrides: Partial<EmbeddedAuthApiOptions> = {}) {
  const mails: EmailMessage[] = [];
  let failSending = false;
  const mailer = {
    async send(message: EmailMessage) {
      if (failSending) throw new Error('SMTP unavailable');
      mails.push(message);
    },
  };
  const api = createEmbeddedAuthApi({ db, jwtSecret, bcryptCost: 4, confirmation: { mailer, siteUrl: () => siteUrl }, ...overrides });
  const supabase: SupabaseClient = createClient('http://tieout.test', 'embedded-anon-key', {
    global: {
      fetch: async (input, init) =>
        (await api.handle(new Request(input, init), { clientAddress: '203.0.113.9' })) ?? new Response(null, { status: 599 }),
    },
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
  const rawSignUp = async (email: string, pass = password, name = 'Nina Newcomer') => {
    const response = await api.handle(
      new Request('http://tieout.test/auth/v1/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
        body: JSON.stringify({ email, password: pass, data: { display_name: name } }),
      }),
    );
    return { status: response!.status, body: (await response!.json()) as Record<string, unknown> };
  };
  return { api, supabase, mails, rawSignUp, failMail: (fail: boolean) => void (failSending = fail) };
}

/** The link's token (the `token_hash` parameter of /signup/confirm). */
function tokenIn(mail: EmailMessage): { link: URL; token: string } {
  const match = /https?:\/\/\S+\/signup\/confirm\?\S+/.exec(mail.text);
  expect(match, mail.text).not.toBeNull();
  const link = new URL(match![0]);
  return { link, token: link.searchParams.get('token_hash')! };
}

/** The JSON's structure: keys and the types of values, not the values. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shape(inner)]));
  }
  return typeof value;
}

async function confirmedUser(supabase: SupabaseClient, mails: EmailMessage[], email: string) {
  expect((await supabase.auth.signUp({ email, password })).error).toBeNull();
  const { data, error } = await supabase.auth.verifyOtp({ type: 'signup', token_hash: tokenIn(mails.at(-1)!).token });
  expect(error).toBeNull();
  return data.user!;
}

describe('sign-up with email confirmations', () => {
  it('answers a new and a registered address the same way: status, shape, no session', async () => {
    const { supabase, mails, rawSignUp } = setup();
    const registered = uniqueEmail('registered');
    await confirmedUser(supabase, mails, registered);
    const before = await db.asService((sql) =>
      sql.query<{ encrypted_password: string; updated_at: string }>(`select encrypted_password, updated_at from auth.users where email = $1`, [
        registered,
      ]),
    );

    const fresh = await rawSignUp(uniqueEmail('fresh'));
    const taken = await rawSignUp(registered.toUpperCase(), 'some other passphrase 9');
    expect(taken.status).toBe(fresh.status);
    expect(fresh.status).toBe(200);
    expect(shape(taken.body)).toEqual(shape(fresh.body));
    for (const body of [fresh.body, taken.body]) {
      expect(body).not.toHaveProperty('access_token');
      expect(body).not.toHaveProperty('email_confirmed_at');
      expect(body).toMatchObject({ user_metadata: { display_name: 'Nina Newcomer' } });
      expect(typeof body.confirmation_sent_at).toBe('string');
    }
    // The taken address's answer is no one's: a fresh id, not the account's.
    const real = await db.asService((sql) => sql.query<{ id: string }>(`select id from auth.users where email = $1`, [registered]));
    expect(taken.body.id).not.toBe(real.rows[0]!.id);

    // supabase-js sees a user and no session in both cases.
    for (const email of [uniqueEmail('fresh'), registered]) {
      const { data, error } = await supabase.auth.signUp({ email, password: 'yet another passphrase 3' });
      expect(error).toBeNull();
      expect(data.session).toBeNull();
      expect(data.user?.email).toBe(email);
    }

    // Nothing changed for the registered account: same password, and it still signs in with it.
    const after = await db.asService((sql) =>
      sql.query<{ encrypted_password: string; updated_at: string }>(`select encrypted_password, updated_at from auth.users where email = $1`, [
        registered,
      ]),
    );
    expect(after.rows[0]).toEqual(before.rows[0]);
    expect((await supabase.auth.signInWithPassword({ email: registered, password })).error).toBeNull();
  });

  it('mails a new address its confirmation link and a registered one a notice saying how to sign in', async () => {
    const { supabase, mails, rawSignUp } = setup();
    const registered = uniqueEmail('owner');
    await confirmedUser(supabase, mails, registered);
    mails.length = 0;

    const fresh = uniqueEmail('fresh');
    await rawSignUp(fresh);
    await rawSignUp(registered);
    expect(mails.map((mail) => mail.to)).toEqual([fresh, registered]);
    const [confirmation, notice] = mails as [EmailMessage, EmailMessage];
    expect(confirmation.subject).toBe('Confirm your Tieout account');
    const { link } = tokenIn(confirmation);
    expect(link.origin).toBe(siteUrl);
    expect(link.searchParams.get('type')).toBe('signup');
    expect(confirmation.text).toContain('within 24 hours');
    expect(notice.subject).toBe('Someone tried to create a Tieout account with your email');
    expect(notice.text).toContain(`${siteUrl}/login`);
    expect(notice.text).not.toMatch(/token_hash/);
  });

  it('refuses sign-in before confirmation with email_not_confirmed; the link confirms once and signs in', async () => {
    const { supabase, mails } = setup();
    const email = uniqueEmail('pending');
    expect((await supabase.auth.signUp({ email, password, options: { data: { display_name: 'Pat Pending' } } })).error).toBeNull();

    const early = await supabase.auth.signInWithPassword({ email, password });
    expect(isAuthApiError(early.error)).toBe(true);
    expect(early.error).toMatchObject({ status: 400, code: 'email_not_confirmed', message: 'Email not confirmed' });
    expect(early.data.session).toBeNull();
    // A wrong password for a pending account is the usual answer, not a hint that it exists.
    expect((await supabase.auth.signInWithPassword({ email, password: 'not the password' })).error?.code).toBe('invalid_credentials');

    const { token } = tokenIn(mails.at(-1)!);
    // Kept at rest only as its SHA-256.
    const stored = await db.asService((sql) =>
      sql.query<{ token_hash: string }>(
        `select c.token_hash from tieout_private.signup_confirmations c join auth.users u on u.id = c.user_id where u.email = $1`,
        [email],
      ),
    );
    expect(stored.rows).toEqual([{ token_hash: createHash('sha256').update(token).digest('hex') }]);

    const confirmed = await supabase.auth.verifyOtp({ type: 'signup', token_hash: token });
    expect(confirmed.error).toBeNull();
    expect(confirmed.data.session?.access_token).toBeTruthy();
    expect(confirmed.data.user).toMatchObject({ email, user_metadata: { display_name: 'Pat Pending' } });
    expect(confirmed.data.user?.email_confirmed_at).toBeTruthy();

    const again = await supabase.auth.verifyOtp({ type: 'signup', token_hash: token });
    expect(again.error).toMatchObject({ status: 403, code: 'otp_expired', message: 'Email link is invalid or has expired' });
    expect((await supabase.auth.signInWithPassword({ email, password })).error).toBeNull();
  });

  it('refuses an expired link, an unknown token and a malformed request', async () => {
    const { supabase, mails } = setup();
    const email = uniqueEmail('late');
    await supabase.auth.signUp({ email, password });
    const { token } = tokenIn(mails.at(-1)!);
    await db.asService((sql) =>
      sql.query(
        `update tieout_private.signup_confirmations set expires_at = now() - interval '1 second'
          where user_id = (select id from auth.users where email = $1)`,
        [email],
      ),
    );
    expect((await supabase.auth.verifyOtp({ type: 'signup', token_hash: token })).error).toMatchObject({ status: 403, code: 'otp_expired' });
    expect((await supabase.auth.signInWithPassword({ email, password })).error?.code).toBe('email_not_confirmed');
    expect((await supabase.auth.verifyOtp({ type: 'signup', token_hash: 'made-up' })).error).toMatchObject({ status: 403, code: 'otp_expired' });
    expect((await supabase.auth.verifyOtp({ type: 'recovery', token_hash: token })).error).toMatchObject({ status: 400, code: 'validation_failed' });
    // Signing up again sends a new link that works.
    await supabase.auth.signUp({ email, password });
    expect((await supabase.auth.verifyOtp({ type: 'signup', token_hash: tokenIn(mails.at(-1)!).token })).error).toBeNull();
  });

  it('a new sign-up of a pending address replaces the older link, password and name', async () => {
    const { supabase, mails } = setup();
    const email = uniqueEmail('twice');
    await supabase.auth.signUp({ email, password: 'a stranger’s passphrase 1', options: { data: { display_name: 'Stranger' } } });
    const first = tokenIn(mails.at(-1)!).token;
    await supabase.auth.signUp({ email, password, options: { data: { display_name: 'Real Owner' } } });
    const second = tokenIn(mails.at(-1)!).token;
    expect(second).not.toBe(first);

    expect((await supabase.auth.verifyOtp({ type: 'signup', token_hash: first })).error?.code).toBe('otp_expired');
    const { data, error } = await supabase.auth.verifyOtp({ type: 'signup', token_hash: second });
    expect(error).toBeNull();
    expect(data.user?.user_metadata.display_name).toBe('Real Owner');
    const profile = await db.asService((sql) =>
      sql.query<{ display_name: string }>(`select display_name from public.profiles where email = $1`, [email]),
    );
    expect(profile.rows[0]?.display_name).toBe('Real Owner');
    expect((await supabase.auth.signInWithPassword({ email, password: 'a stranger’s passphrase 1' })).error?.code).toBe('invalid_credentials');
    expect((await supabase.auth.signInWithPassword({ email, password })).error).toBeNull();
    const count = await db.asService((sql) => sql.query<{ n: number }>(`select count(*)::int as n from auth.users where email = $1`, [email]));
    expect(count.rows[0]?.n).toBe(1);
  });

  it('keeps the path of redirect_to in the link, which always leads to the site', async () => {
    const { supabase, mails } = setup();
    await supabase.auth.signUp({ email: uniqueEmail(), password, options: { emailRedirectTo: `${siteUrl}/invitations/abc?x=1` } });
    expect(tokenIn(mails.at(-1)!).link.searchParams.get('next')).toBe('/invitations/abc?x=1');
    await supabase.auth.signUp({ email: uniqueEmail(), password, options: { emailRedirectTo: 'https://evil.example/steal' } });
    const { link } = tokenIn(mails.at(-1)!);
    expect(link.origin).toBe(siteUrl);
    expect(link.searchParams.get('next')).toBe('/steal');
  });

  it('when the mail cannot be sent, answers the same error for every address and loses nothing', async () => {
    const { supabase, mails, rawSignUp, failMail } = setup();
    const registered = uniqueEmail('registered');
    await confirmedUser(supabase, mails, registered);
    const fresh = uniqueEmail('unlucky');
    failMail(true);
    const answers = [await rawSignUp(fresh), await rawSignUp(registered)];
    for (const answer of answers) {
      expect(answer).toEqual({ status: 500, body: { code: 'unexpected_failure', message: 'Error sending confirmation email' } });
    }
    failMail(false);
    // Trying again sends the pending account a working link.
    expect((await rawSignUp(fresh)).status).toBe(200);
    expect(mails.at(-1)?.to).toBe(fresh);
    expect((await supabase.auth.verifyOtp({ type: 'signup', token_hash: tokenIn(mails.at(-1)!).token })).error).toBeNull();
  });

  it('says in /settings that sign-ups are confirmed by mail', async () => {
    const { api } = setup();
    const response = await api.handle(new Request('http://tieout.test/auth/v1/settings'));
    expect(await response!.json()).toMatchObject({ mailer_autoconfirm: false });
  });
});
