import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/*
 * Short-lived signed links for downloads and previews: base64url(JSON payload) + '.' + HMAC-SHA256, keyed with a
 * per-instance secret (generated and kept with the instance's data, never committed). A link names the file and its
 * workspace and expires; the route serving it also checks that the signed-in person can read the file (RLS) and that
 * the file is in the link's workspace. So a copied link stops at expiry and never opens a file of another workspace.
 */

export type LinkPurpose = 'download' | 'inline' | 'table';

export interface FileLinkClaims {
  /** file id */
  f: string;
  /** workspace id */
  w: string;
  /** purpose */
  p: LinkPurpose;
  /** expiry, seconds since the epoch */
  e: number;
}

export class FileLinkError extends Error {
  override name = 'FileLinkError';
  constructor(
    readonly code: 'malformed' | 'bad_signature' | 'expired' | 'wrong_purpose',
    message: string,
  ) {
    super(message);
  }
}

/** The link-signing key, derived from the instance secret (so the secret itself never signs anything else). */
export function fileLinkKey(instanceSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', instanceSecret, 'tieout', 'file links v1', 32));
}

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest('base64url');

export function signFileLink(
  key: Buffer,
  claims: Omit<FileLinkClaims, 'e'>,
  ttlSeconds: number,
  now = Date.now(),
): { token: string; expiresAt: number } {
  const e = Math.floor(now / 1000) + ttlSeconds;
  const body = Buffer.from(JSON.stringify({ f: claims.f, w: claims.w, p: claims.p, e })).toString('base64url');
  return { token: `${body}.${mac(key, body)}`, expiresAt: e * 1000 };
}

export function verifyFileLink(key: Buffer, token: string, purpose: LinkPurpose, now = Date.now()): FileLinkClaims {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined || token.length > 1000) throw new FileLinkError('malformed', 'This link is not a valid file link');
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new FileLinkError('bad_signature', 'This link is not a valid file link');
  }
  let claims: FileLinkClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as FileLinkClaims;
  } catch {
    throw new FileLinkError('malformed', 'This link is not a valid file link');
  }
  if (typeof claims.f !== 'string' || typeof claims.w !== 'string' || typeof claims.e !== 'number') {
    throw new FileLinkError('malformed', 'This link is not a valid file link');
  }
  if (claims.p !== purpose) throw new FileLinkError('wrong_purpose', 'This link is for another use of the file');
  if (claims.e * 1000 <= now) throw new FileLinkError('expired', 'This link has expired: open the file from its item again');
  return claims;
}
