/*
 * What the service worker does with each request, as pure functions (unit-tested in app/test).
 * The service worker exists so that a checklist opened on this device opens again with no network at all:
 * the page comes from the copy kept here, the document from IndexedDB (y-indexeddb), and edits merge on reconnect.
 */

/** Hashed build files, precached at install (their names change with their content). */
export const ASSETS_PREFIX = '/assets/';
/** Pages (HTML documents) last seen on this device, for opening them offline. */
export const PAGE_CACHE = 'tieout-pages-v1';
/** Remix data and route-discovery responses, for client-side navigation offline. */
export const DATA_CACHE = 'tieout-data-v1';
/** Caches that hold one person's data: emptied whenever someone signs in, signs up or signs out. */
export const USER_CACHES = [PAGE_CACHE, DATA_CACHE] as const;
/** How long a slow network is waited for before the copy on this device is shown instead. */
export const NETWORK_TIMEOUT_SECONDS = 10;
/** A page copy younger than this is not fetched again when a page asks to be kept offline. */
export const FRESH_COPY_MS = 60_000;

export type RequestKind =
  /** Sign-in, sign-up or sign-out: the copies of the previous person's pages are deleted first. */
  | 'session-change'
  /** An HTML page: network first, the kept copy when the network is out of reach. */
  | 'page'
  /** Remix loader data (single fetch `.data`) and lazy route discovery (`/__manifest`): network first too. */
  | 'data'
  /** Everything else goes to the network untouched (auth API, collaboration socket, actions, the worker itself). */
  | 'network';

const SESSION_PATHS = /^\/(login|logout|signup|signup\/confirm)(\.data)?$/;
const NEVER_CACHED = /^\/(auth\/|collab|healthz|readyz|metrics|sw\.js|collab-token|live($|\?))/;

export function classifyRequest(request: { url: string; method: string; mode: string }, origin: string): RequestKind {
  const url = new URL(request.url);
  if (url.origin !== origin) return 'network';
  if (request.method === 'POST' && SESSION_PATHS.test(url.pathname)) return 'session-change';
  if (request.method !== 'GET' || NEVER_CACHED.test(url.pathname) || url.pathname.startsWith(ASSETS_PREFIX)) return 'network';
  if (request.mode === 'navigate') return 'page';
  if (url.pathname.endsWith('.data') || url.pathname === '/__manifest') return 'data';
  return 'network';
}

/**
 * Only complete, successful answers are kept: never a redirect (it would replay for the wrong URL, e.g. the
 * sign-in page), an error page, or a response the server marked as not for storage beyond this request.
 */
export function isStorable(response: { status: number; redirected: boolean; type: string; headers?: { get(name: string): string | null } }): boolean {
  if (/(^|,)\s*no-store\s*(,|$)/i.test(response.headers?.get('Cache-Control') ?? '')) return false;
  return response.status === 200 && !response.redirected && response.type === 'basic';
}

export function isFreshCopy(dateHeader: string | null, nowMs: number): boolean {
  if (!dateHeader) return false;
  const date = Date.parse(dateHeader);
  return Number.isFinite(date) && nowMs - date < FRESH_COPY_MS;
}

/** Messages a page sends to the worker. */
export type WorkerRequest = { type: 'keep-offline'; url: string };
export type WorkerReply = { kept: boolean };

export function parseWorkerRequest(data: unknown, origin: string): WorkerRequest | null {
  if (!data || typeof data !== 'object') return null;
  const { type, url } = data as Record<string, unknown>;
  if (type !== 'keep-offline' || typeof url !== 'string') return null;
  try {
    const parsed = new URL(url, origin);
    if (parsed.origin !== origin || classifyRequest({ url: parsed.href, method: 'GET', mode: 'navigate' }, origin) !== 'page') return null;
    parsed.hash = '';
    return { type, url: parsed.href };
  } catch {
    return null;
  }
}

/** The page shown for a page that was never opened on this device while there is no network. */
export function offlinePage(path: string): string {
  const escaped = path.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Offline · Tieout</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f8fafc;color:#0f172a}
main{max-width:36rem;margin:4rem auto;padding:1.5rem;background:#fff;border:1px solid #e2e8f0;border-radius:.5rem}
h1{font-size:1.125rem;margin:0 0 .5rem}p{font-size:.875rem;line-height:1.5;color:#475569}a{color:#0369a1}
@media (prefers-color-scheme:dark){body{background:#020617;color:#f1f5f9}main{background:#0f172a;border-color:#1e293b}p{color:#cbd5e1}a{color:#38bdf8}}
</style></head>
<body><main role="alert"><h1>You are offline</h1>
<p><code>${escaped}</code> has not been opened on this device yet, so there is no copy of it here.
Checklists you have opened before open without a network, and edits made there are sent when the connection returns.</p>
<p><a href="/">Back to your deals</a> (if this device has a copy of it) or try again once you are online.</p>
</main></body></html>`;
}
