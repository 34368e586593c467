import type { RequestHandler } from 'express';

/*
 * Security headers on every response (decision 105), as helmet sets them; written here rather than adding helmet
 * because five fixed headers are all we set. The Content-Security-Policy restricts framing, <base> and plugins and
 * where forms post; it does not restrict scripts or styles (Remix's inline hydration scripts would need per-request
 * nonces threaded through entry.server and root.tsx: not done, see docs/security.md). A response that brings its own
 * policy (file previews: a sandbox, framed by the app) keeps it.
 */
export const CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'";

export function securityHeaders(options: { isSecure: (req: Parameters<RequestHandler>[0]) => boolean }): RequestHandler {
  return (req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    if (options.isSecure(req)) res.setHeader('Strict-Transport-Security', 'max-age=15552000; includeSubDomains');
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof res.writeHead>) {
      const own = res.hasHeader('content-security-policy') || headerInArgs(args, 'content-security-policy');
      if (!own) {
        res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
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
