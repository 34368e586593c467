/*
 * Live events in the browser: one EventSource on /live per page, shared by every component that listens.
 * The stream carries ids only; a listener re-reads what it shows (typically by revalidating its loader).
 */
import { useRevalidator } from '@remix-run/react';
import { useEffect, useRef } from 'react';

export interface LiveEvent {
  topic: 'membership' | 'session' | 'items' | 'comments' | 'approvals' | 'notifications' | 'files' | 'versions' | 'activity';
  workspaceId?: string;
  checklistId?: string;
  dealId?: string;
  userId?: string;
  [key: string]: unknown;
}

type Listener = { filter: (event: LiveEvent) => boolean; onEvent: (event: LiveEvent | null) => void };

const listeners = new Set<Listener>();
let source: EventSource | null = null;

function connect(): void {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/live');
  source.addEventListener('live', (message) => {
    let event: LiveEvent;
    try {
      event = JSON.parse((message as MessageEvent<string>).data) as LiveEvent;
    } catch {
      return;
    }
    for (const listener of [...listeners]) if (listener.filter(event)) listener.onEvent(event);
  });
  // After a gap (the server lost its database listener, or this stream reconnected), anything may have
  // changed: every listener re-reads. `null` says "not one event, but possibly several missed".
  const everyone = () => {
    for (const listener of [...listeners]) listener.onEvent(null);
  };
  source.addEventListener('gap', everyone);
  let opened = false;
  source.addEventListener('ready', () => {
    if (opened) everyone();
    opened = true;
  });
}

function disconnectIfUnused(): void {
  if (listeners.size > 0 || !source) return;
  source.close();
  source = null;
}

/** Calls `onEvent` for each live event that `filter` accepts, and with null after a possible gap. */
export function useLiveEvents(filter: (event: LiveEvent) => boolean, onEvent: (event: LiveEvent | null) => void): void {
  const latest = useRef({ filter, onEvent });
  latest.current = { filter, onEvent };
  useEffect(() => {
    const listener: Listener = {
      filter: (event) => latest.current.filter(event),
      onEvent: (event) => latest.current.onEvent(event),
    };
    listeners.add(listener);
    connect();
    return () => {
      listeners.delete(listener);
      disconnectIfUnused();
    };
  }, []);
}

/** Revalidates the page's loaders when a matching event arrives (at most once per `minIntervalMs`). */
export function useLiveRevalidation(filter: (event: LiveEvent) => boolean, minIntervalMs = 300): void {
  const revalidator = useRevalidator();
  useLiveRefresh(filter, () => revalidator.revalidate(), minIntervalMs);
}

/**
 * Calls `refresh` when a matching event arrives or after a possible gap, at most once per `minIntervalMs`, with the
 * events it answers (oldest first; null for a possible gap), so a listener can re-read only what they name.
 */
export function useLiveRefresh(filter: (event: LiveEvent) => boolean, refresh: (events: (LiveEvent | null)[]) => void, minIntervalMs = 300): void {
  const latestRefresh = useRef(refresh);
  latestRefresh.current = refresh;
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const events = useRef<(LiveEvent | null)[]>([]);
  const last = useRef(0);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );
  useLiveEvents(filter, (event) => {
    events.current.push(event);
    if (pending.current) return;
    const wait = Math.max(0, last.current + minIntervalMs - Date.now());
    pending.current = setTimeout(() => {
      pending.current = null;
      last.current = Date.now();
      const answered = events.current;
      events.current = [];
      latestRefresh.current(answered);
    }, wait);
  });
}
