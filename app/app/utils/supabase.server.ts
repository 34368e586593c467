import type { AppLoadContext } from '@remix-run/node';
import type { SupabaseClientOptions } from '@supabase/supabase-js';
import { createServerClient, parseCookieHeader, serializeCookieHeader } from '@supabase/ssr';
import { INTERNAL_CLIENT_ADDRESS_HEADER, INTERNAL_HOP_TOKEN_HEADER } from '../../server/auth-api.ts';

/**
 * The app uses supabase-js for auth only (live data goes through the collab server). On Node 20 supabase-js
 * needs a WebSocket class to construct its (unused) realtime client; this one refuses to connect.
 */
type WebSocketLikeConstructor = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

class RealtimeNotUsed {
  constructor() {
    throw new Error('Supabase Realtime is not used by the Tieout app server');
  }
}

/**
 * A supabase-js client for one request. Session cookies are read from the request; cookies it writes
 * (sign-in, token refresh, sign-out) are collected in `headers` and must be sent with the response.
 * In embedded mode `supabaseUrl` is this server's own origin, so the calls go to the embedded /auth/v1 API.
 */
export function createSupabase(request: Request, context: AppLoadContext) {
  const headers = new Headers();
  const { supabaseUrl, anonKey } = context.config.auth;
  const supabase = createServerClient(supabaseUrl, anonKey, {
    realtime: { transport: RealtimeNotUsed as unknown as WebSocketLikeConstructor },
    // The embedded auth API sees this server as the caller; name the browser it acts for, with this process's token
    // (X-Forwarded-For would be anyone's to send: decision 102).
    global:
      context.config.auth.mode === 'embedded' && context.clientAddress
        ? { headers: { [INTERNAL_CLIENT_ADDRESS_HEADER]: context.clientAddress, [INTERNAL_HOP_TOKEN_HEADER]: context.config.internalHopToken } }
        : {},
    cookieOptions: {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: context.secure ?? new URL(request.url).protocol === 'https:',
    },
    cookies: {
      getAll: () => parseCookieHeader(request.headers.get('Cookie') ?? '').map(({ name, value }) => ({ name, value: value ?? '' })),
      setAll: (cookies) => {
        for (const { name, value, options } of cookies) {
          headers.append('Set-Cookie', serializeCookieHeader(name, value, options));
        }
      },
    },
  });
  return { supabase, headers };
}
