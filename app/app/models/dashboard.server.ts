import { data } from '@remix-run/node';
import { DashboardError } from '@tieout/db';
import { todayIso } from '@tieout/doc-model';

/** "Today" for every page, export and report of a request: the doc model's one definition (UTC calendar day). */
export const requestToday = (): string => todayIso();

/**
 * Runs a dashboard read; a DashboardError becomes the page's error response (400 for a bad filter, 404 for a deal or
 * workspace the caller cannot see) with its message, which never names anything of another workspace.
 */
export async function readOrRefuse<T>(work: () => Promise<T>, headers: Headers): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DashboardError) throw data(error.message, { status: error.status, headers });
    throw error;
  }
}

/** The same, for resource routes (files): a plain-text error response with the message. */
export async function readOrRespond<T>(work: () => Promise<T>, headers: Headers): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DashboardError) {
      const response = new Headers(headers);
      response.set('Content-Type', 'text/plain; charset=utf-8');
      response.set('Cache-Control', 'private, no-store');
      throw new Response(error.message, { status: error.status, headers: response });
    }
    throw error;
  }
}
