import { describe, expect, it } from 'vitest';
import { isCrossOriginWrite } from '../server/origin-check.ts';

const req = (method: string, headers: Record<string, string>) => ({ method, headers: { host: 'tieout.example.com', ...headers } });

describe('isCrossOriginWrite (decision 105)', () => {
  it('refuses a sign-out or any other write sent by another site, a sibling subdomain or an opaque origin', () => {
    expect(isCrossOriginWrite(req('POST', { origin: 'https://evil.example' }))).toBe(true);
    expect(isCrossOriginWrite(req('POST', { origin: 'https://blog.tieout.example.com' }))).toBe(true);
    expect(isCrossOriginWrite(req('POST', { origin: 'null' }))).toBe(true);
    expect(isCrossOriginWrite(req('POST', { origin: 'null', 'sec-fetch-site': 'cross-site' }))).toBe(true);
    expect(isCrossOriginWrite(req('DELETE', { 'sec-fetch-site': 'same-site' }))).toBe(true);
    expect(isCrossOriginWrite(req('POST', { 'sec-fetch-site': 'cross-site' }))).toBe(true);
  });
  it('lets the app’s own pages, reads and non-browser clients through', () => {
    expect(isCrossOriginWrite(req('POST', { origin: 'https://tieout.example.com' }))).toBe(false);
    expect(isCrossOriginWrite(req('POST', { origin: 'http://tieout.example.com', 'sec-fetch-site': 'same-origin' }))).toBe(false);
    expect(isCrossOriginWrite(req('GET', { origin: 'https://evil.example' }))).toBe(false);
    // a same-origin form post that the browser sent with an opaque Origin (after a redirect, say)
    expect(isCrossOriginWrite(req('POST', { origin: 'null', 'sec-fetch-site': 'same-origin' }))).toBe(false);
    expect(isCrossOriginWrite(req('POST', {}))).toBe(false);
  });
});
