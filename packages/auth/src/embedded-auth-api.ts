import { randomUUID } from 'node:crypto';
import { compare, hash } from 'bcryptjs';
import { z } from 'zod';
import type { Database, EmailMessage, Mailer } from '@tieout/db';
import {
  EMAIL_PROVIDER_METADATA,
  activeChildOf,
  consumeConfirmationToken,
  findUserByEmail,
  findUserById,
  insertUser,
  issueConfirmationToken,
  replaceUnconfirmedUser,
  lockRefreshToken,
  recordSignIn,
  revokeSession,
  revokeUserSessions,
  rotateRefreshToken,
  sessionIsActive,
  startSession,
  type AuthUserRow,
} from './auth-store.ts';
import { GoTrueError, errorResponse, invalidCredentials, jsonResponse } from './gotrue-errors.ts';
import { isCommonPassword } from './common-passwords.ts';
import { alreadyRegisteredMail, confirmationLink, confirmationMail } from './signup-mail.ts';
import { createRateLimiter, type RateLimitRule, type RateLimiter } from './rate-limiter.ts';
import { AccessTokenError, createTokenVerifier, signAccessToken } from './tokens.ts';

/**
 * The subset of the Supabase Auth (GoTrue) HTTP API that @supabase/supabase-js uses for email and password
 * sign-in, served from our own database in embedded mode (docs/decisions/010-embedded-supabase-auth.md).
 * It acts for nobody yet, so it works as service_role (docs/decisions/011-service-role-uses.md).
 */
export interface EmbeddedAuthApiOptions {
  db: Pick<Database, 'asService'>;
  jwtSecret: string;
  /**
   * How sign-up treats an address (decision 115). With a mailer, as GoTrue with email confirmations on: every
   * sign-up answers the same (a user, no session) whether the address is new or taken; a new address is mailed a
   * one-time link to confirm and sign in, a taken one a notice; sign-in waits for the confirmation.
   * 'autoconfirm' is GoTrue's MAILER_AUTOCONFIRM: sign-up signs in at once and answers "User already registered"
   * for a taken address (test harnesses only; the app always confirms).
   */
  confirmation: SignUpConfirmation | 'autoconfirm';
  accessTokenTtlSeconds?: number;
  /** `false` turns rate limiting off (tests only). */
  rateLimit?: false | EmbeddedAuthRateLimits;
  /** Shortest accepted password (Supabase's default is 6; ours is 8). */
  minPasswordLength?: number;
  /**
   * A refresh token revoked less than this many seconds ago may be presented again and yields the session's
   * current token instead of a refusal (GoTrue's `security_refresh_token_reuse_interval`, default 10): parallel
   * server-side requests that refresh the same session must not sign the user out. 0 refuses every reuse.
   */
  refreshTokenReuseIntervalSeconds?: number;
  /** Trust the first X-Forwarded-For address when no client address is passed to `handle` (behind a proxy). */
  trustForwardedFor?: boolean;
  /** bcrypt cost (Supabase Auth uses 10). */
  bcryptCost?: number;
  basePath?: string;
  logger?: AuthApiLogger;
  now?: () => number;
}

export interface SignUpConfirmation {
  mailer: Pick<Mailer, 'send'>;
  /** The app's public URL (links in mails); a function because the port may be known only once listening. */
  siteUrl: () => string;
  /** How long a confirmation link works. Default 24 hours (GoTrue's MAILER_OTP_EXP). */
  tokenTtlSeconds?: number;
}

export interface EmbeddedAuthRateLimits {
  /** Failed sign-ins per email address. Default 10 per 15 minutes. */
  signInFailuresPerEmail?: RateLimitRule;
  /** Sign-in attempts per client address. Default 60 per 5 minutes. */
  signInPerAddress?: RateLimitRule;
  /** Sign-ups per client address. Default 30 per hour. */
  signUpPerAddress?: RateLimitRule;
}

/** pino-compatible; never given a password, a token or a request body. */
export interface AuthApiLogger {
  info(details: Record<string, unknown>, message: string): void;
  /** Signs of an attack, e.g. a spent refresh token presented again (possible theft: the session is revoked). */
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export interface EmbeddedAuthApi {
  /** The response for a request under the base path (/auth/v1), or null for any other path. */
  handle(request: Request, context?: { clientAddress?: string }): Promise<Response | null>;
}

const DEFAULT_LIMITS: Required<EmbeddedAuthRateLimits> = {
  signInFailuresPerEmail: { max: 10, windowSeconds: 15 * 60 },
  signInPerAddress: { max: 60, windowSeconds: 5 * 60 },
  signUpPerAddress: { max: 30, windowSeconds: 60 * 60 },
};

const MAX_BODY_BYTES = 64 * 1024;
const BCRYPT_MAX_BYTES = 72;

const emailSchema = z.string().trim().toLowerCase().pipe(z.email());
const userMetadataSchema = z
  .record(z.string(), z.unknown())
  .refine((data) => JSON.stringify(data).length <= 4096, 'User metadata is limited to 4 KB')
  .refine(
    (data) =>
      data.display_name === undefined ||
      (typeof data.display_name === 'string' && data.display_name.trim().length >= 1 && data.display_name.trim().length <= 120),
    'display_name must be 1 to 120 characters',
  );

export function createEmbeddedAuthApi(options: EmbeddedAuthApiOptions): EmbeddedAuthApi {
  const { db, jwtSecret } = options;
  const basePath = (options.basePath ?? '/auth/v1').replace(/\/$/, '');
  const ttl = options.accessTokenTtlSeconds ?? 3600;
  const minPasswordLength = options.minPasswordLength ?? 8;
  const reuseIntervalMs = (options.refreshTokenReuseIntervalSeconds ?? 10) * 1000;
  const cost = options.bcryptCost ?? 10;
  const now = options.now ?? Date.now;
  const verify = createTokenVerifier({ jwtSecret, clockTolerance: 0 });
  const limits = options.rateLimit === false ? null : { ...DEFAULT_LIMITS, ...options.rateLimit };
  const limiter = (rule: RateLimitRule | undefined): RateLimiter | null => (limits && rule ? createRateLimiter(rule, now) : null);
  const signInFailures = limiter(limits?.signInFailuresPerEmail);
  const signInByAddress = limiter(limits?.signInPerAddress);
  const signUpByAddress = limiter(limits?.signUpPerAddress);
  let dummyHash: Promise<string> | undefined;
  const confirmation = options.confirmation === 'autoconfirm' ? null : options.confirmation;
  const confirmationTtl = confirmation?.tokenTtlSeconds ?? 24 * 60 * 60;

  const issueSession = async (user: AuthUserRow, sessionId: string, refreshToken: string) => {
    const { token, expiresAt } = await signAccessToken(
      { id: user.id, email: user.email, userMetadata: user.raw_user_meta_data ?? {}, sessionId },
      { jwtSecret, expiresInSeconds: ttl, now: now() },
    );
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: ttl,
      expires_at: expiresAt,
      refresh_token: refreshToken,
      user: toGoTrueUser(user),
    };
  };

  const enforce = (rateLimiter: RateLimiter | null, key: string | undefined) => {
    if (!rateLimiter || !key) return;
    const retryAfter = rateLimiter.retryAfter(key);
    if (retryAfter > 0) {
      throw new GoTrueError(429, 'over_request_rate_limit', `Too many attempts. Try again in ${retryAfter} seconds.`, {
        retry_after: retryAfter,
      });
    }
  };

  async function signUp(request: Request, url: URL, address: string | undefined) {
    enforce(signUpByAddress, address);
    const body = await readJson(request);
    const email = parseEmail(body.email);
    const password = parsePassword(body.password, minPasswordLength, 'Signup requires a valid password');
    if (isCommonPassword(password)) {
      // GoTrue's answer for a password found in breach lists (reason 'pwned'), so supabase-js raises AuthWeakPasswordError.
      throw new GoTrueError(422, 'weak_password', 'Password is known to be weak and easy to guess, please choose a different one.', {
        weak_password: { reasons: ['pwned'] },
      });
    }
    const metadata = userMetadataSchema.safeParse(body.data ?? {});
    if (!metadata.success) throw new GoTrueError(422, 'validation_failed', metadata.error.issues[0]?.message ?? 'Invalid user data');
    const userMetadata = { ...metadata.data };
    if (typeof userMetadata.display_name === 'string') userMetadata.display_name = userMetadata.display_name.trim();
    if (address) signUpByAddress?.hit(address);
    if (confirmation) return signUpWithConfirmation(confirmation, email, password, userMetadata, url.searchParams.get('redirect_to'));
    if (await db.asService((sql) => findUserByEmail(sql, email))) throw userAlreadyExists();
    const passwordHash = await hash(password, cost);
    const session = await db.asService(async (sql) => {
      const user = await insertUser(sql, { email, passwordHash, metadata: userMetadata, confirmed: true });
      if (!user) return null;
      return { user, ...(await startSession(sql, user.id)) };
    });
    if (!session) throw userAlreadyExists();
    options.logger?.info({ event: 'signup', userId: session.user.id }, 'user signed up');
    return issueSession(session.user, session.sessionId, session.refreshToken);
  }

  /**
   * Sign-up with confirmations (decision 115): the same work and the same answer for a new and a taken address
   * (a bcrypt hash, one mail, a user without a session); only the mail differs, and only the mailbox sees it.
   */
  async function signUpWithConfirmation(
    settings: SignUpConfirmation,
    email: string,
    password: string,
    metadata: Record<string, unknown>,
    redirectTo: string | null,
  ) {
    const siteUrl = settings.siteUrl();
    const next = sameSitePath(redirectTo, siteUrl);
    const passwordHash = await hash(password, cost);
    const outcome = await db.asService(async (sql) => {
      const created = await insertUser(sql, { email, passwordHash, metadata, confirmed: false });
      if (created) {
        return { kind: 'new' as const, user: created, token: await issueConfirmationToken(sql, created.id, confirmationTtl) };
      }
      const existing = await findUserByEmail(sql, email);
      if (existing && !existing.email_confirmed_at && (await replaceUnconfirmedUser(sql, existing.id, { passwordHash, metadata }))) {
        return { kind: 'unconfirmed' as const, userId: existing.id, token: await issueConfirmationToken(sql, existing.id, confirmationTtl) };
      }
      return { kind: 'registered' as const, userId: existing?.id ?? null };
    });
    const mail: EmailMessage =
      outcome.kind === 'registered'
        ? alreadyRegisteredMail(email, siteUrl)
        : confirmationMail(email, confirmationLink(siteUrl, outcome.token, next), confirmationTtl);
    const userId = outcome.kind === 'new' ? outcome.user.id : outcome.userId;
    try {
      await settings.mailer.send(mail);
    } catch (error) {
      // Said the same way for every address; the person can sign up again (a pending account gets a new link).
      options.logger?.error({ event: 'signup_mail_failed', userId, error: describe(error) }, 'sign-up mail not sent');
      throw new GoTrueError(500, 'unexpected_failure', 'Error sending confirmation email');
    }
    options.logger?.info({ event: 'signup', outcome: outcome.kind, userId }, 'sign-up mail sent');
    // A taken address is answered with a user that does not exist (a fresh id), shaped like a new one.
    const shown: AuthUserRow =
      outcome.kind === 'new'
        ? outcome.user
        : {
            id: randomUUID(),
            aud: 'authenticated',
            role: 'authenticated',
            email,
            encrypted_password: null,
            email_confirmed_at: null,
            last_sign_in_at: null,
            raw_app_meta_data: null,
            raw_user_meta_data: metadata,
            created_at: new Date(now()),
            updated_at: new Date(now()),
          };
    return { ...toGoTrueUser(shown), confirmation_sent_at: new Date(now()).toISOString() };
  }

  /** POST /verify `{ type: 'signup' | 'email', token_hash }` (supabase-js `verifyOtp`): confirms and signs in. */
  async function verifySignUp(request: Request) {
    const body = await readJson(request);
    if (body.type !== 'signup' && body.type !== 'email') {
      throw new GoTrueError(400, 'validation_failed', 'Verify requires type signup or email');
    }
    const token = typeof body.token_hash === 'string' ? body.token_hash : typeof body.token === 'string' ? body.token : '';
    if (token === '' || token.length > 200) throw new GoTrueError(400, 'validation_failed', 'Verify requires a token_hash');
    const confirmed = await db.asService(async (sql) => {
      const user = await consumeConfirmationToken(sql, token);
      if (!user) return null;
      await recordSignIn(sql, user.id);
      return { user, ...(await startSession(sql, user.id)) };
    });
    if (!confirmed) throw new GoTrueError(403, 'otp_expired', 'Email link is invalid or has expired');
    const user = (await db.asService((sql) => findUserById(sql, confirmed.user.id))) ?? confirmed.user;
    options.logger?.info({ event: 'signup_confirmed', userId: user.id }, 'email confirmed; user signed in');
    return issueSession(user, confirmed.sessionId, confirmed.refreshToken);
  }

  async function passwordGrant(request: Request, address: string | undefined) {
    const body = await readJson(request);
    if (typeof body.email !== 'string' || typeof body.password !== 'string' || body.password === '') {
      throw new GoTrueError(400, 'validation_failed', 'An email address and a password are required');
    }
    const email = body.email.trim().toLowerCase();
    // Failures count per address and email (as GoTrue limits per IP): guesses from elsewhere cannot lock the real
    // person out of their account (decision 106); the per-address limit still bounds each address's attempts.
    const failureKey = `${address ?? 'unknown'}|${email}`;
    enforce(signInByAddress, address);
    enforce(signInFailures, failureKey);
    if (address) signInByAddress?.hit(address);
    const user = await db.asService((sql) => findUserByEmail(sql, email));
    // Compare against a dummy hash for unknown emails so timing does not tell which emails exist.
    dummyHash ??= hash('not-a-password', cost);
    const matches = await compare(body.password, user?.encrypted_password ?? (await dummyHash));
    if (!user || !user.encrypted_password || !matches) {
      signInFailures?.hit(failureKey);
      options.logger?.info({ event: 'signin_refused', userId: user?.id ?? null }, 'sign-in refused');
      throw invalidCredentials();
    }
    signInFailures?.reset(failureKey);
    if (!user.email_confirmed_at) {
      options.logger?.info({ event: 'signin_unconfirmed', userId: user.id }, 'sign-in refused: email not confirmed');
      throw new GoTrueError(400, 'email_not_confirmed', 'Email not confirmed');
    }
    const session = await db.asService(async (sql) => {
      await recordSignIn(sql, user.id);
      return startSession(sql, user.id);
    });
    const fresh = (await db.asService((sql) => findUserById(sql, user.id))) ?? user;
    options.logger?.info({ event: 'signin', userId: user.id }, 'user signed in');
    return issueSession(fresh, session.sessionId, session.refreshToken);
  }

  async function refreshGrant(request: Request) {
    const body = await readJson(request);
    if (typeof body.refresh_token !== 'string' || body.refresh_token === '') {
      throw new GoTrueError(400, 'validation_failed', 'refresh_token required');
    }
    const presented = body.refresh_token;
    const outcome = await db.asService(async (sql) => {
      const row = await lockRefreshToken(sql, presented);
      if (!row) return { refused: 'not_found' as const };
      if (row.revoked) {
        const revokedAt = new Date(row.updated_at).getTime();
        const current = now() - revokedAt < reuseIntervalMs ? await activeChildOf(sql, row.token) : undefined;
        if (!current) {
          // Reuse of a spent token: someone else may hold it, so the whole session ends (as GoTrue does).
          if (row.session_id) await revokeSession(sql, row.session_id);
          return { refused: 'reused' as const, userId: row.user_id, sessionId: row.session_id };
        }
        const user = await findUserById(sql, row.user_id);
        return user ? { user, sessionId: row.session_id, refreshToken: current } : { refused: 'not_found' as const };
      }
      const user = await findUserById(sql, row.user_id);
      if (!user) return { refused: 'not_found' as const };
      return { user, sessionId: row.session_id, refreshToken: await rotateRefreshToken(sql, row) };
    });
    if ('refused' in outcome) {
      if (outcome.refused === 'reused') {
        options.logger?.warn(
          { event: 'refresh_token_reused', userId: outcome.userId, sessionId: outcome.sessionId },
          'spent refresh token presented again (possible theft); session revoked',
        );
        throw new GoTrueError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
      }
      throw new GoTrueError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    }
    return issueSession(outcome.user, outcome.sessionId ?? '', outcome.refreshToken);
  }

  async function authenticate(request: Request) {
    const header = request.headers.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new GoTrueError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
    try {
      return await verify(match[1]);
    } catch (error) {
      if (!(error instanceof AccessTokenError)) throw error;
      const detail = error.reason === 'expired' ? 'token has invalid claims: token is expired' : error.message;
      throw new GoTrueError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${detail}`);
    }
  }

  async function getUser(request: Request) {
    const claims = await authenticate(request);
    const sessionId = typeof claims.session_id === 'string' ? claims.session_id : undefined;
    const user = await db.asService(async (sql) => {
      if (sessionId && !(await sessionIsActive(sql, sessionId))) {
        throw new GoTrueError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
      }
      return findUserById(sql, claims.sub);
    });
    if (!user) throw new GoTrueError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
    return toGoTrueUser(user);
  }

  async function logout(request: Request, url: URL) {
    const claims = await authenticate(request);
    const scope = url.searchParams.get('scope') ?? 'global';
    if (scope !== 'global' && scope !== 'local' && scope !== 'others') {
      throw new GoTrueError(400, 'validation_failed', 'scope must be one of global, local, others');
    }
    const sessionId = typeof claims.session_id === 'string' ? claims.session_id : undefined;
    await db.asService(async (sql) => {
      if (scope === 'global') await revokeUserSessions(sql, claims.sub);
      else if (scope === 'others') await revokeUserSessions(sql, claims.sub, sessionId);
      else if (sessionId) await revokeSession(sql, sessionId);
    });
    options.logger?.info({ event: 'logout', userId: claims.sub, scope }, 'user signed out');
  }

  const clientAddress = (request: Request, context?: { clientAddress?: string }) =>
    context?.clientAddress ?? (options.trustForwardedFor ? request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || undefined : undefined);

  return {
    async handle(request, context) {
      const url = new URL(request.url);
      if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) return null;
      const route = `${request.method} ${url.pathname.slice(basePath.length) || '/'}`;
      const address = clientAddress(request, context);
      try {
        switch (route) {
          case 'POST /signup':
            return jsonResponse(request, 200, await signUp(request, url, address));
          case 'POST /verify':
            return jsonResponse(request, 200, await verifySignUp(request));
          case 'POST /token': {
            const grantType = url.searchParams.get('grant_type');
            if (grantType === 'password') return jsonResponse(request, 200, await passwordGrant(request, address));
            if (grantType === 'refresh_token') return jsonResponse(request, 200, await refreshGrant(request));
            throw new GoTrueError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType ?? '(none)'}`);
          }
          case 'GET /user':
            return jsonResponse(request, 200, await getUser(request));
          case 'POST /logout':
            await logout(request, url);
            return new Response(null, { status: 204 });
          case 'GET /.well-known/jwks.json':
            return jsonResponse(request, 200, { keys: [] });
          case 'GET /health':
            return jsonResponse(request, 200, { name: 'tieout-embedded-auth', description: 'Embedded subset of Supabase Auth' });
          case 'GET /settings':
            return jsonResponse(request, 200, {
              external: { email: true, phone: false },
              disable_signup: false,
              mailer_autoconfirm: confirmation === null,
              phone_autoconfirm: false,
            });
          default:
            throw knownPath(url.pathname.slice(basePath.length))
              ? new GoTrueError(405, 'method_not_allowed', `${request.method} is not allowed here`)
              : new GoTrueError(404, 'not_found', 'Not found');
        }
      } catch (error) {
        if (error instanceof GoTrueError) {
          const headers: Record<string, string> =
            typeof error.extra.retry_after === 'number' ? { 'retry-after': String(error.extra.retry_after) } : {};
          return errorResponse(request, error, headers);
        }
        options.logger?.error({ event: 'auth_api_failure', route, error: describe(error) }, 'embedded auth API failed');
        return errorResponse(request, new GoTrueError(500, 'unexpected_failure', 'Unexpected failure, please try again'));
      }
    },
  };
}

function knownPath(path: string): boolean {
  return ['/signup', '/verify', '/token', '/user', '/logout', '/.well-known/jwks.json', '/health', '/settings'].includes(path);
}

async function readJson(request: Request): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw new GoTrueError(413, 'request_too_large', 'Request body too large');
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new GoTrueError(413, 'request_too_large', 'Request body too large');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new GoTrueError(400, 'bad_json', 'Could not parse request body as JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GoTrueError(400, 'bad_json', 'Request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function parseEmail(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new GoTrueError(422, 'validation_failed', 'Signup requires a valid email address');
  }
  const email = emailSchema.safeParse(value);
  if (!email.success || email.data.length > 254) {
    throw new GoTrueError(400, 'email_address_invalid', 'Unable to validate email address: invalid format');
  }
  return email.data;
}

function parsePassword(value: unknown, minLength: number, missingMessage: string): string {
  if (typeof value !== 'string' || value === '') throw new GoTrueError(422, 'validation_failed', missingMessage);
  if (value.length < minLength) {
    throw new GoTrueError(422, 'weak_password', `Password should be at least ${minLength} characters.`, {
      weak_password: { reasons: ['length'] },
    });
  }
  if (Buffer.byteLength(value, 'utf8') > BCRYPT_MAX_BYTES) {
    throw new GoTrueError(422, 'validation_failed', `Password cannot be longer than ${BCRYPT_MAX_BYTES} characters`);
  }
  return value;
}

/**
 * Where the confirmed person goes next: the path of `redirect_to` (a path, or a URL whose path is taken). The
 * link itself always leads to the site, so a `redirect_to` on another host cannot send anyone there.
 */
function sameSitePath(redirectTo: string | null, siteUrl: string): string {
  if (!redirectTo) return '/';
  try {
    const target = new URL(redirectTo, siteUrl);
    return `${target.pathname}${target.search}`;
  } catch {
    return '/';
  }
}

// With email confirmation off (autoconfirm), Supabase Auth answers a taken email this way too.
const userAlreadyExists = () => new GoTrueError(422, 'user_already_exists', 'User already registered');

function iso(value: Date | string | null): string | undefined {
  return value === null ? undefined : new Date(value).toISOString();
}

/** A user as GoTrue serialises it (the fields supabase-js's `User` type declares). */
export function toGoTrueUser(user: AuthUserRow) {
  const confirmedAt = iso(user.email_confirmed_at);
  const createdAt = iso(user.created_at) ?? new Date(0).toISOString();
  const updatedAt = iso(user.updated_at) ?? createdAt;
  return {
    id: user.id,
    aud: user.aud ?? 'authenticated',
    role: user.role ?? 'authenticated',
    email: user.email,
    email_confirmed_at: confirmedAt,
    phone: '',
    confirmed_at: confirmedAt,
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: { ...EMAIL_PROVIDER_METADATA, ...(user.raw_app_meta_data ?? {}) },
    user_metadata: user.raw_user_meta_data ?? {},
    identities: [
      {
        identity_id: user.id,
        id: user.id,
        user_id: user.id,
        identity_data: { email: user.email, email_verified: confirmedAt !== undefined, phone_verified: false, sub: user.id },
        provider: 'email',
        last_sign_in_at: iso(user.last_sign_in_at),
        created_at: createdAt,
        updated_at: updatedAt,
        email: user.email,
      },
    ],
    created_at: createdAt,
    updated_at: updatedAt,
    is_anonymous: false,
  };
}

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, code: (error as { code?: unknown }).code };
  return { value: String(error) };
}
