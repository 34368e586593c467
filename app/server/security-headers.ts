import { randomBytes } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

/*
 * Security headers on every response (decision 105), as helmet sets them; written here rather than adding helmet
 * because a handful of headers are all we set. The Content-Security-Policy restricts scripts to this origin's files
 * and the inline scripts carrying this response's nonce (made here per request; Remix puts it on its hydration
 * and streaming scripts through app/entry.server.tsx and root.tsx), and restricts framing, <base>, plugins and where
 * forms post. Styles are not restricted (Tiptap and React set inline styles). A response that brings its own policy
 * (file previews: a sandbox, framed by the app) keeps it.
 */
export const CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'";

/** The policy of one response: `script-src` with its nonce, then the fixed directives. */
export function contentSecurityPolicy(nonce: string): string {
  return `script-src 'self' 'nonce-${nonce}'; worker-src 'self'; ${CONTENT_SECURITY_POLICY}`;
}

/** A fresh nonce (128 random bits, base64), as the CSP spec recommends. */
export function newCspNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The nonce the middleware made for this response (passed to Remix as `cspNonce` in the load context). */
export function cspNonceOf(res: Response): string {
  const nonce: unknown = res.locals.cspNonce;
  if (typeof nonce !== 'string') throw new Error('securityHeaders() must run before the request handler');
  return nonce;
}

export function securityHeaders(options: { isSecure: (req: Parameters<RequestHandler>[0]) => boolean }): RequestHandler {
  return (req, res, next) => {
    const nonce = newCspNonce();
    res.locals.cspNonce = nonce;
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    if (options.isSecure(req)) res.setHeader('Strict-Transport-Security', 'max-age=15552000; includeSubDomains');
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof res.writeHead>) {
      const own = res.hasHeader('content-security-policy') || headerInArgs(args, 'content-security-policy');
      if (!own) {
        res.setHeader('Content-Security-Policy', contentSecurityPolicy(nonce));
        res.setHeader('X-Frame-Options', 'DENY');
      }
      return writeHead.apply(this, args);
    } as typeof res.writeHead;
    next();
  };
}

function headerInArgs(args: unknown[], name: string): boolean {
  const headers = args.find((arg) => arg && typeof arg === 'object');
  if (!headers) return false;
  if (Array.isArray(headers)) return headers.some((entry) => String(Array.isArray(entry) ? entry[0] : entry).toLowerCase() === name);
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
