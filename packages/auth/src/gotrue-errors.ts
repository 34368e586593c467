/**
 * Errors in the JSON shape Supabase Auth (GoTrue) sends, so @supabase/supabase-js turns them into the
 * same AuthApiError / AuthWeakPasswordError / AuthSessionMissingError it would get from hosted Supabase.
 */
export type GoTrueErrorCode =
  | 'bad_json'
  | 'bad_jwt'
  | 'email_address_invalid'
  | 'email_not_confirmed'
  | 'invalid_credentials'
  | 'no_authorization'
  | 'not_found'
  | 'method_not_allowed'
  | 'otp_expired'
  | 'over_request_rate_limit'
  | 'refresh_token_already_used'
  | 'refresh_token_not_found'
  | 'request_too_large'
  | 'session_not_found'
  | 'unexpected_failure'
  | 'unsupported_grant_type'
  | 'user_already_exists'
  | 'user_not_found'
  | 'validation_failed'
  | 'weak_password';

export class GoTrueError extends Error {
  override name = 'GoTrueError';
  constructor(
    readonly status: number,
    readonly code: GoTrueErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const API_VERSION_HEADER = 'X-Supabase-Api-Version';
export const API_VERSION_2024_01_01 = '2024-01-01';

/** Clients sending the 2024-01-01 API version header (supabase-js does) get `{ code, message }`; older ones the legacy shape. */
export function requestUsesCurrentApi(request: Request): boolean {
  const version = request.headers.get(API_VERSION_HEADER);
  return version !== null && /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= API_VERSION_2024_01_01;
}

export function errorResponse(request: Request, error: GoTrueError, headers: Record<string, string> = {}): Response {
  const current = requestUsesCurrentApi(request);
  const body = current
    ? { code: error.code, message: error.message, ...error.extra }
    : { code: error.status, error_code: error.code, msg: error.message, ...error.extra };
  return jsonResponse(request, error.status, body, headers);
}

export function jsonResponse(request: Request, status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const responseHeaders = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  if (requestUsesCurrentApi(request)) responseHeaders.set(API_VERSION_HEADER, API_VERSION_2024_01_01);
  return new Response(JSON.stringify(body), { status, headers: responseHeaders });
}

export const invalidCredentials = () => new GoTrueError(400, 'invalid_credentials', 'Invalid login credentials');
