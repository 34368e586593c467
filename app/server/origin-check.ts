import type { RequestHandler } from 'express';

/*
 * Cross-site request forgery (decision 105): a form on another site (or on a sibling subdomain, which SameSite=Lax
 * cookies do not stop) can POST to the app with the person's cookies. Browsers name the page that sent a request in
 * `Origin` (every POST) and `Sec-Fetch-Site`; a state-changing request from anywhere but this origin is refused.
 * Requests without either header do not come from a browser page (scripts with their own credentials) and pass.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isCrossOriginWrite(req: { method: string; headers: Record<string, string | string[] | undefined> }): boolean {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return false;
  const one = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const origin = one('origin');
  const host = one('host');
  const site = one('sec-fetch-site');
  // `Origin: null` is an opaque origin (a sandboxed frame, a data: page) but also some same-origin navigations after a
  // redirect; the browser's own Sec-Fetch-Site tells the two apart.
  if (origin === 'null' && site !== undefined) return site !== 'same-origin';
  if (origin !== undefined) {
    if (origin === 'null' || !host) return true;
    try {
      return new URL(origin).host !== host;
    } catch {
      return true;
    }
  }
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

/** Refuses cross-origin writes with 403 before they reach a route (actions, /logout, resource routes). */
export function refuseCrossOriginWrites(): RequestHandler {
  return (req, res, next) => {
    if (!isCrossOriginWrite(req)) return next();
    res.status(403).type('text/plain').send('Cross-origin requests cannot change anything here.');
  };
}
