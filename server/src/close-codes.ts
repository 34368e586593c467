/**
 * WebSocket close codes of the collaboration server. 4400-4499 mirror HTTP 4xx: the stock y-websocket
 * provider (v3) treats them as permanent and stops reconnecting. Every other code makes it retry with backoff.
 */
export const CloseCode = {
  /** Server shutting down or restarting: the client reconnects. */
  goingAway: 1001,
  /** Unexpected server error: the client reconnects. */
  internalError: 1011,
  /** The document was reloaded from its log (an edit already applied was refused): the client reconnects at once. */
  reloading: 1012,
  /** The database could not be reached to authorize or load: the client reconnects later. */
  tryAgainLater: 1013,
  /** A frame that is not a valid y-websocket message, or an invalid Yjs/awareness update. */
  malformed: 4400,
  /** Missing, malformed, expired, wrongly signed or wrong-audience access token. */
  unauthorized: 4401,
  /** Signed in but no access: at connect the same for a checklist that does not exist (decision 114); or membership revoked. */
  forbidden: 4403,
  /** The checklist was deleted while the (authorized) session had it open. */
  notFound: 4404,
  /** A message above the size limit, or an edit that would take the document above its limit. */
  tooLarge: 4413,
  /** Message rate limit exceeded, or too many connections for this user. */
  rateLimited: 4429,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
export function closeReason(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.byteLength <= 123) return text;
  return (
    bytes
      .subarray(0, 120)
      .toString('utf8')
      .replace(/\uFFFD+$/, '') + '...'
  );
}
