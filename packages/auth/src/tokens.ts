import { SignJWT, createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { JwtClaims } from '@tieout/db';

/** Why a token was refused: each maps to a distinct close code / HTTP error for the caller. */
export type AccessTokenFailure = 'missing' | 'malformed' | 'expired' | 'bad_signature' | 'wrong_audience' | 'invalid_claims';

export class AccessTokenError extends Error {
  override name = 'AccessTokenError';
  constructor(
    readonly reason: AccessTokenFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface TokenVerifierOptions {
  /** HS256 secret (Supabase's legacy JWT secret, or an embedded instance's own). */
  jwtSecret?: string;
  /** With a Supabase project URL, tokens are also checked against its JWKS (asymmetric signing keys). */
  supabaseUrl?: string;
  audience?: string;
  /** Seconds of clock skew tolerated. */
  clockTolerance?: number;
  /** The clock expiry is checked against, in milliseconds since the epoch (default: Date.now). */
  now?: () => number;
}

export type AccessTokenVerifier = (token: string | null | undefined) => Promise<JwtClaims>;

export function createTokenVerifier(options: TokenVerifierOptions): AccessTokenVerifier {
  const audience = options.audience ?? 'authenticated';
  const secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : null;
  const jwks = options.supabaseUrl ? createRemoteJWKSet(new URL('/auth/v1/.well-known/jwks.json', options.supabaseUrl)) : null;
  if (!secret && !jwks) throw new Error('A token verifier needs a JWT secret or a Supabase URL');

  return async (token) => {
    if (!token) throw new AccessTokenError('missing', 'No access token was given');
    if (token.split('.').length !== 3) throw new AccessTokenError('malformed', 'The access token is not a JWT');
    let payload: JWTPayload;
    try {
      const algorithm = decodeAlgorithm(token);
      const verifyOptions = {
        audience,
        clockTolerance: options.clockTolerance ?? 5,
        currentDate: options.now ? new Date(options.now()) : undefined,
      };
      if (algorithm === 'HS256') {
        if (!secret) throw new AccessTokenError('bad_signature', 'HS256 tokens are not accepted here');
        payload = (await jwtVerify(token, secret, { ...verifyOptions, algorithms: ['HS256'] })).payload;
      } else {
        if (!jwks) throw new AccessTokenError('bad_signature', `${algorithm} tokens need SUPABASE_URL for the JWKS`);
        payload = (await jwtVerify(token, jwks, { ...verifyOptions, algorithms: ['ES256', 'RS256'] })).payload;
      }
    } catch (error) {
      throw toAccessTokenError(error);
    }
    if (typeof payload.sub !== 'string' || !/^[0-9a-f-]{36}$/i.test(payload.sub) || payload.role !== 'authenticated') {
      throw new AccessTokenError('invalid_claims', 'The access token is not a signed-in user token');
    }
    return payload as JwtClaims;
  };
}

function decodeAlgorithm(token: string): string {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { alg?: unknown };
    if (typeof header.alg !== 'string') throw new Error('no alg');
    return header.alg;
  } catch {
    throw new AccessTokenError('malformed', 'The access token header cannot be read');
  }
}

function toAccessTokenError(error: unknown): AccessTokenError {
  if (error instanceof AccessTokenError) return error;
  if (error instanceof errors.JWTExpired) return new AccessTokenError('expired', 'The access token has expired');
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
    return new AccessTokenError('wrong_audience', 'The access token is for another audience');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return new AccessTokenError('bad_signature', 'The access token signature is not valid');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new AccessTokenError('invalid_claims', `The access token claim "${error.claim}" is not valid`);
  }
  return new AccessTokenError('malformed', 'The access token cannot be read');
}

export interface AccessTokenSubject {
  id: string;
  email: string;
  userMetadata?: Record<string, unknown>;
  sessionId?: string;
}

/** Issues a Supabase-shaped access token (HS256), as Supabase Auth does with the legacy JWT secret. */
export async function signAccessToken(
  subject: AccessTokenSubject,
  options: { jwtSecret: string; expiresInSeconds?: number; issuer?: string; now?: number },
): Promise<{ token: string; expiresAt: number }> {
  const issuedAt = Math.floor((options.now ?? Date.now()) / 1000);
  const expiresAt = issuedAt + (options.expiresInSeconds ?? 3600);
  const token = await new SignJWT({
    email: subject.email,
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: issuedAt }],
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: subject.userMetadata ?? {},
    session_id: subject.sessionId,
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject.id)
    .setAudience('authenticated')
    .setIssuer(options.issuer ?? 'tieout-embedded-auth')
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(options.jwtSecret));
  return { token, expiresAt };
}
