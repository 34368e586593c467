import type { IncomingHttpHeaders } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import { createReadableStreamFromReadable, writeReadableStreamToWritable } from '@remix-run/node';
import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express';

export interface FetchHandler {
  handle(request: Request, context?: { clientAddress?: string }): Promise<Response | null>;
}

/** Mounts a Fetch-style handler (the embedded Supabase Auth API) in express; `null` means "not mine". */
export function mountFetchHandler(api: FetchHandler, addresses: ClientAddressOptions): RequestHandler {
  return async (req, res, next) => {
    try {
      const response = await api.handle(toFetchRequest(req, res), { clientAddress: clientAddress(req, addresses) });
      if (!response) return next();
      await sendFetchResponse(res, response);
    } catch (error) {
      next(error);
    }
  };
}

function toFetchRequest(req: ExpressRequest, res: ExpressResponse): Request {
  const url = new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`);
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(url, {
    method: req.method,
    headers: toHeaders(req.headers),
    signal: controller.signal,
    ...(hasBody ? { body: createReadableStreamFromReadable(req), duplex: 'half' } : {}),
  } as RequestInit);
}

function toHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

async function sendFetchResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.status(response.status);
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue;
    res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader('set-cookie', cookies);
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}

/**
 * Whether the browser reached this app over TLS (decision 105): the connection itself is TLS, or a trusted proxy
 * (TRUSTED_PROXIES) says so in X-Forwarded-Proto, or SECURE_COOKIES=true says every browser does. Session cookies
 * are `Secure` then.
 */
export function isSecureRequest(
  req: { socket: { remoteAddress?: string | undefined; encrypted?: boolean }; headers: Record<string, string | string[] | undefined> },
  options: ClientAddressOptions & { secureCookies: boolean },
): boolean {
  if (options.secureCookies || req.socket.encrypted) return true;
  const remote = req.socket.remoteAddress;
  if (!remote || !isTrusted(options.trustedProxies, remote)) return false;
  return (header(req.headers, 'x-forwarded-proto') ?? '').split(',')[0]!.trim().toLowerCase() === 'https';
}

/** The headers of the app's own hop to its /auth/v1 (supabase-js in loaders and actions, app/utils/supabase.server.ts). */
export const INTERNAL_HOP_TOKEN_HEADER = 'x-tieout-internal-hop';
export const INTERNAL_CLIENT_ADDRESS_HEADER = 'x-tieout-client-address';

export interface ClientAddressOptions {
  /** Proxies whose X-Forwarded-For is believed (config.trustedProxies as a BlockList). */
  trustedProxies: BlockList;
  /** This process's token for its own hop (config.internalHopToken). */
  internalHopToken: string;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const isTrusted = (list: BlockList, address: string) => list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');

/**
 * The address rate limits apply to (decision 102). By default the connection's own address: X-Forwarded-For is
 * anyone's to write. Only when the connection comes from a trusted proxy is the header read, from the right (each
 * proxy appends the address it saw), skipping trusted proxies: the first untrusted address is the client.
 * The app's own hop (loaders signing in through this process's /auth/v1) names the browser with this process's
 * random token.
 */
export function clientAddress(
  req: { socket: { remoteAddress?: string | undefined }; headers: Record<string, string | string[] | undefined> },
  options: ClientAddressOptions,
): string | undefined {
  const remote = req.socket.remoteAddress;
  const internal = header(req.headers, INTERNAL_CLIENT_ADDRESS_HEADER)?.trim();
  if (internal && sameToken(header(req.headers, INTERNAL_HOP_TOKEN_HEADER), options.internalHopToken)) return internal;
  if (!remote || !isTrusted(options.trustedProxies, remote)) return remote;
  const hops = (header(req.headers, 'x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hops[index]!;
    if (!isTrusted(options.trustedProxies, hop)) return hop;
  }
  return hops[0] ?? remote;
}
