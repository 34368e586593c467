/// <reference lib="webworker" />
/*
 * Tieout's service worker (built by ./vite-plugin.ts into build/client/sw.js, production builds only).
 * Workbox does the caching; ./rules.ts decides what is cached and when copies are dropped.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { registerRoute, setCatchHandler } from 'workbox-routing';
import { NetworkFirst } from 'workbox-strategies';
import {
  classifyRequest,
  DATA_CACHE,
  isFreshCopy,
  isStorable,
  NETWORK_TIMEOUT_SECONDS,
  offlinePage,
  PAGE_CACHE,
  parseWorkerRequest,
  USER_CACHES,
  type WorkerReply,
} from './rules.ts';

declare const self: ServiceWorkerGlobalScope;
/** The client build's hashed files, injected at build time. */
declare const PRECACHE_MANIFEST: PrecacheEntry[];

const origin = self.location.origin;

// A new build takes over at once: its precache holds every file its pages need.
void self.skipWaiting();
clientsClaim();
cleanupOutdatedCaches();
precacheAndRoute(PRECACHE_MANIFEST);

const keepOnlyStorable = {
  cacheWillUpdate: async ({ response }: { response: Response }) => (isStorable(response) ? response : null),
};

/** Pages and Remix data: the network first; the copy kept here when it fails or is too slow. */
function networkFirst(kind: 'page' | 'data', cacheName: string): void {
  registerRoute(
    ({ request }) => classifyRequest(request, origin) === kind,
    new NetworkFirst({
      cacheName,
      networkTimeoutSeconds: NETWORK_TIMEOUT_SECONDS,
      matchOptions: { ignoreVary: true },
      plugins: [keepOnlyStorable],
    }),
  );
}
networkFirst('page', PAGE_CACHE);
networkFirst('data', DATA_CACHE);

async function forgetUserCopies(): Promise<void> {
  await Promise.all(USER_CACHES.map((name) => caches.delete(name)));
}

registerRoute(
  ({ request }) => classifyRequest(request, origin) === 'session-change',
  async ({ request }) => {
    await forgetUserCopies();
    return fetch(request);
  },
  'POST',
);

// Neither the network nor a kept copy: an explanation instead of the browser's error page.
setCatchHandler(async ({ request }) => {
  if (request.mode === 'navigate') {
    return new Response(offlinePage(new URL(request.url).pathname), {
      status: 503,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  }
  return Response.error();
});

/** Keeps a copy of a page that was reached by client-side navigation (no document request came through here). */
async function keepOffline(url: string): Promise<boolean> {
  const cache = await caches.open(PAGE_CACHE);
  const existing = await cache.match(url, { ignoreVary: true });
  if (existing && isFreshCopy(existing.headers.get('Date'), Date.now())) return true;
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
  } catch {
    return existing !== undefined; // no network: the copy kept earlier still opens
  }
  if (!isStorable(response)) return false;
  await cache.put(url, response);
  return true;
}

self.addEventListener('message', (event) => {
  const message = parseWorkerRequest(event.data, origin);
  const port = event.ports[0];
  if (!message || !port) return;
  const reply = (kept: boolean) => port.postMessage({ kept } satisfies WorkerReply);
  event.waitUntil(keepOffline(message.url).then(reply, () => reply(false)));
});
