import { data } from '@remix-run/node';
import { todayIso } from '@tieout/doc-model';
import { attempt } from './tenancy.server.ts';

/** "Today" for every page, export and report of a request: the doc model's one definition (UTC calendar day). */
export const requestToday = (): string => todayIso();

/**
 * Runs a dashboard read; a refusal (a DataAccessError, mapped by `attempt`: 400 for a bad filter, 404 for a deal or
 * workspace the caller cannot see) becomes the page's error response with its message, which never names anything of
 * another workspace.
 */
export async function readOrRefuse<T>(work: () => Promise<T>, headers: Headers): Promise<T> {
  const read = await attempt(work);
  if (!read.ok) throw data(read.message, { status: read.status, headers });
  return read.value;
}

/** The same, for resource routes (files): a plain-text error response with the message. */
export async function readOrRespond<T>(work: () => Promise<T>, headers: Headers): Promise<T> {
  const read = await attempt(work);
  if (read.ok) return read.value;
  const response = new Headers(headers);
  response.set('Content-Type', 'text/plain; charset=utf-8');
  response.set('Cache-Control', 'private, no-store');
  throw new Response(read.message, { status: read.status, headers: response });
}
