import type { AppLoadContext } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { AccessTokenError, createTokenVerifier, isSessionLive, type AccessTokenVerifier } from '@tieout/auth';
import { ownProfile, type JwtClaims } from '@tieout/db';
import type { AuthConfig } from '../../server/config.ts';
import { createSupabase } from './supabase.server.ts';
import { safeRedirectPath } from './redirect.ts';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export interface UserSession {
  user: SessionUser;
  /** The verified Supabase access token (for the collaboration websocket). */
  accessToken: string;
  claims: JwtClaims;
  /** Set-Cookie headers from a token refresh: send them with the response. */
  headers: Headers;
}

const verifiers = new WeakMap<AuthConfig, AccessTokenVerifier>();

function verifierFor(auth: AuthConfig): AccessTokenVerifier {
  let verifier = verifiers.get(auth);
  if (!verifier) {
    verifier = createTokenVerifier({
      jwtSecret: auth.jwtSecret,
      supabaseUrl: auth.mode === 'hosted' ? auth.supabaseUrl : undefined,
    });
    verifiers.set(auth, verifier);
  }
  return verifier;
}

/**
 * Whether the token's session is still live (decision 103): a signed-out session's access token is otherwise valid
 * until it expires. Embedded auth: the session's refresh tokens in this database; hosted: Supabase Auth's getUser,
 * which answers session_not_found for an ended session.
 */
async function sessionLive(context: AppLoadContext, supabase: ReturnType<typeof createSupabase>['supabase'], claims: JwtClaims, token: string) {
  if (context.config.auth.mode === 'embedded') return isSessionLive(context.db, claims.session_id);
  const { data, error } = await supabase.auth.getUser(token);
  return !error && data.user?.id === claims.sub;
}

/**
 * The signed-in user, or null. The session comes from the Supabase cookies (refreshed by supabase-js
 * when needed); its access token is then verified here, because cookie contents are client-controlled,
 * and its session must still be live.
 */
export async function getOptionalUser(request: Request, context: AppLoadContext): Promise<UserSession | null> {
  const { supabase, headers } = createSupabase(request, context);
  const { data, error } = await supabase.auth.getSession();
  if (error || !data.session) return null;
  let claims: JwtClaims;
  try {
    claims = await verifierFor(context.config.auth)(data.session.access_token);
  } catch (failure) {
    if (failure instanceof AccessTokenError) return null;
    throw failure;
  }
  if (!(await sessionLive(context, supabase, claims, data.session.access_token))) return null;
  const profile = await ownProfile(context.db, claims);
  const email = profile?.email ?? claims.email ?? data.session.user.email ?? '';
  return {
    user: { id: claims.sub, email, name: profile?.displayName ?? email },
    accessToken: data.session.access_token,
    claims,
    headers,
  };
}

/** The signed-in user; otherwise a redirect to /login that comes back here afterwards. */
export async function requireUser(request: Request, context: AppLoadContext): Promise<UserSession> {
  const session = await getOptionalUser(request, context);
  if (session) return session;
  const url = new URL(request.url);
  const back = safeRedirectPath(`${url.pathname}${url.search}`);
  throw redirect(back === '/' ? '/login' : `/login?${new URLSearchParams({ redirectTo: back })}`);
}
