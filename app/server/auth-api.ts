import type { IncomingHttpHeaders } from 'node:http';
import { createReadableStreamFromReadable, writeReadableStreamToWritable } from '@remix-run/node';
import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express';

export interface FetchHandler {
  handle(request: Request, context?: { clientAddress?: string }): Promise<Response | null>;
}

/** Mounts a Fetch-style handler (the embedded Supabase Auth API) in express; `null` means "not mine". */
export function mountFetchHandler(api: FetchHandler): RequestHandler {
  return async (req, res, next) => {
    try {
      const response = await api.handle(toFetchRequest(req, res), { clientAddress: clientAddress(req) });
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

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The address rate limits apply to. Loaders call the auth API from this same process (loopback) on behalf
 * of a browser and name that browser in X-Forwarded-For; from anywhere else the header is not trusted.
 */
export function clientAddress(req: {
  socket: { remoteAddress?: string | undefined };
  headers: Record<string, string | string[] | undefined>;
}): string | undefined {
  const remote = req.socket.remoteAddress;
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  if (remote && LOOPBACK.has(remote) && first) return first;
  return remote;
}
