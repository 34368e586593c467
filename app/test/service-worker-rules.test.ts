import { describe, expect, it } from 'vitest';
import { classifyRequest, isFreshCopy, isStorable, offlinePage, parseWorkerRequest } from '../service-worker/rules.ts';
import { precacheEntries } from '../service-worker/vite-plugin.ts';

const origin = 'https://tieout.example';
const get = (path: string, mode = 'cors') => ({ url: `${origin}${path}`, method: 'GET', mode });

describe('what the service worker does with a request', () => {
  it('keeps pages (documents) for offline use, network first', () => {
    expect(classifyRequest(get('/checklists/55555555-5555-4555-8555-000000000001', 'navigate'), origin)).toBe('page');
    expect(classifyRequest(get('/', 'navigate'), origin)).toBe('page');
  });

  it('keeps Remix data and route discovery for client-side navigation offline', () => {
    expect(classifyRequest(get('/deals/x.data?_routes=routes%2Fdeals.%24dealId'), origin)).toBe('data');
    expect(classifyRequest(get('/_root.data'), origin)).toBe('data');
    expect(classifyRequest(get('/__manifest?p=%2Fdeals%2Fx&version=abc'), origin)).toBe('data');
  });

  it('drops the kept copies when someone signs in, signs up, confirms a sign-up or signs out', () => {
    for (const path of ['/login', '/login.data', '/logout', '/logout.data', '/signup.data', '/signup/confirm', '/signup/confirm.data']) {
      expect(classifyRequest({ url: `${origin}${path}`, method: 'POST', mode: 'cors' }, origin)).toBe('session-change');
    }
    expect(classifyRequest({ url: `${origin}/logout-later`, method: 'POST', mode: 'cors' }, origin)).toBe('network');
  });

  it('never caches tokens, the auth API, the socket, actions, health, the worker, or other origins', () => {
    for (const path of ['/collab-token', '/auth/v1/token?grant_type=password', '/collab/abc', '/healthz', '/metrics', '/sw.js']) {
      expect(classifyRequest(get(path), origin)).toBe('network');
      expect(classifyRequest(get(path, 'navigate'), origin)).toBe('network');
    }
    expect(classifyRequest({ url: `${origin}/deals/x.data`, method: 'POST', mode: 'cors' }, origin)).toBe('network');
    expect(classifyRequest(get('/assets/entry.client-abc.js'), origin)).toBe('network'); // the precache answers these
    expect(classifyRequest({ url: 'https://elsewhere.example/', method: 'GET', mode: 'navigate' }, origin)).toBe('network');
  });
});

describe('copies kept', () => {
  it('are only complete same-origin 200 answers, never redirects or errors', () => {
    expect(isStorable({ status: 200, redirected: false, type: 'basic' })).toBe(true);
    expect(isStorable({ status: 200, redirected: true, type: 'basic' })).toBe(false); // e.g. the sign-in page
    expect(isStorable({ status: 404, redirected: false, type: 'basic' })).toBe(false);
    expect(isStorable({ status: 500, redirected: false, type: 'basic' })).toBe(false);
    expect(isStorable({ status: 0, redirected: false, type: 'opaque' })).toBe(false);
  });

  it('are never answers the server marked no-store (issue 10: such answers may carry a person’s secrets)', () => {
    const withCacheControl = (value: string) => ({ status: 200, redirected: false, type: 'basic', headers: new Headers({ 'Cache-Control': value }) });
    expect(isStorable(withCacheControl('private, no-store'))).toBe(false);
    expect(isStorable(withCacheControl('no-store'))).toBe(false);
    expect(isStorable(withCacheControl('private, no-cache'))).toBe(true);
    expect(isStorable(withCacheControl('max-age=3600'))).toBe(true);
  });

  it('count as fresh for a minute', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(isFreshCopy('Sun, 22 Nov 2026 09:59:30 GMT', now)).toBe(true);
    expect(isFreshCopy('Sun, 22 Nov 2026 09:58:00 GMT', now)).toBe(false);
    expect(isFreshCopy(null, now)).toBe(false);
    expect(isFreshCopy('not a date', now)).toBe(false);
  });
});

describe('messages from pages', () => {
  it('accept a same-origin page to keep, without its hash', () => {
    expect(parseWorkerRequest({ type: 'keep-offline', url: `${origin}/checklists/a#item-1` }, origin)).toEqual({
      type: 'keep-offline',
      url: `${origin}/checklists/a`,
    });
    expect(parseWorkerRequest({ type: 'keep-offline', url: '/deals/b?tab=1' }, origin)).toEqual({
      type: 'keep-offline',
      url: `${origin}/deals/b?tab=1`,
    });
  });

  it('refuse anything else', () => {
    expect(parseWorkerRequest({ type: 'keep-offline', url: 'https://evil.example/' }, origin)).toBeNull();
    expect(parseWorkerRequest({ type: 'keep-offline', url: '/collab-token' }, origin)).toBeNull();
    expect(parseWorkerRequest({ type: 'keep-offline', url: 42 }, origin)).toBeNull();
    expect(parseWorkerRequest({ type: 'delete-everything' }, origin)).toBeNull();
    expect(parseWorkerRequest('keep-offline', origin)).toBeNull();
    expect(parseWorkerRequest(null, origin)).toBeNull();
  });
});

describe('the offline page', () => {
  it('names the page that is missing, escaped', () => {
    const html = offlinePage('/deals/<script>alert(1)</script>');
    expect(html).toContain('You are offline');
    expect(html).toContain('/deals/&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toContain('<script>');
  });
});

describe('the precache list', () => {
  it('holds every hashed build file (lazily loaded chunks too) and nothing else', () => {
    const files = [
      'assets/entry.client-a1.js',
      'assets/item-notes-b2.js',
      'assets/tailwind-c3.css',
      'assets/x.js.map',
      '.vite/manifest.json',
      'sw.js',
    ];
    expect(precacheEntries(files)).toEqual([
      { url: '/assets/entry.client-a1.js', revision: null },
      { url: '/assets/item-notes-b2.js', revision: null },
      { url: '/assets/tailwind-c3.css', revision: null },
    ]);
  });
});
