import { useCallback, useEffect, useRef, useState } from 'react';
import { refreshDelayMs } from '~/utils/collab.ts';
import type { CollabTokenResponse } from '~/routes/collab-token.ts';

const RETRY_MS = 15_000;

export interface CollabToken {
  token: string;
  /** Goes up with every token fetched, even an unchanged one: a refused connection retries on it. */
  generation: number;
  /** The session is over (signed out elsewhere, or the refresh token expired): only signing in helps. */
  sessionEnded: boolean;
  /** Fetch a token now (the server refused the current one). */
  refresh: () => void;
}

/**
 * Keeps the collaboration token fresh: fetched from /collab-token shortly before it expires and whenever
 * the server refuses it. Failures (offline, server away) are retried when the browser is back online and
 * every 15 s; they never disturb the page, which keeps working on this device meanwhile.
 */
export function useCollabToken(initial: { token: string | null; expiresAt: number | null }): CollabToken {
  // Without an initial token (the page does not embed one, so kept copies hold none), the first is fetched at once.
  const [state, setState] = useState({ token: initial.token ?? '', expiresAt: initial.expiresAt, generation: 0, sessionEnded: false });
  const inFlight = useRef(false);
  const retryTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = useCallback(() => {
    if (inFlight.current) return;
    if (retryTimer.current) clearTimeout(retryTimer.current);
    retryTimer.current = null;
    const retryLater = () => {
      retryTimer.current = setTimeout(refresh, RETRY_MS);
    };
    if (!navigator.onLine) return retryLater(); // and the 'online' listener below
    inFlight.current = true;
    fetch('/collab-token', { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' })
      .then(async (response) => {
        const body = (await response.json().catch(() => null)) as CollabTokenResponse | null;
        if (response.status === 401) {
          setState((previous) => ({ ...previous, sessionEnded: true }));
        } else if (response.ok && body && 'token' in body) {
          setState((previous) => ({ token: body.token, expiresAt: body.expiresAt, generation: previous.generation + 1, sessionEnded: false }));
        } else {
          retryLater();
        }
      }, retryLater)
      .finally(() => {
        inFlight.current = false;
      });
  }, []);

  useEffect(() => {
    if (!initial.token) refresh();
    // Once, on mount: later tokens come from the refresh schedule below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const delay = refreshDelayMs(state.expiresAt ?? undefined, Date.now());
    if (delay === null) return;
    const timer = setTimeout(refresh, delay);
    return () => clearTimeout(timer);
  }, [state.expiresAt, state.generation, refresh]);

  useEffect(() => {
    const onOnline = () => {
      // A token that ran out while offline is replaced before the reconnect needs it.
      if (retryTimer.current || (state.expiresAt !== null && state.expiresAt * 1000 <= Date.now())) refresh();
    };
    window.addEventListener('online', onOnline);
    return () => {
      window.removeEventListener('online', onOnline);
      if (retryTimer.current) clearTimeout(retryTimer.current);
    };
  }, [state.expiresAt, refresh]);

  return { token: state.token, generation: state.generation, sessionEnded: state.sessionEnded, refresh };
}
