/*
 * The server side of GET /live: one subscription to the database's live events per process, fanned out to
 * each signed-in browser's event stream, filtered to the workspaces that person is a member of
 * (docs/decisions/013).
 */
import { listMyWorkspaces, subscribeLiveEvents, type Database, type JwtClaims, type LiveEvent, type LiveSubscription } from '@tieout/db';

type Listener = (event: LiveEvent) => void;

interface Hub {
  listeners: Set<Listener>;
  gapListeners: Set<() => void>;
  subscription: Promise<LiveSubscription> | null;
}

const hubs = new WeakMap<Database, Hub>();

function hubFor(db: Database): Hub {
  let hub = hubs.get(db);
  if (!hub) {
    hub = { listeners: new Set(), gapListeners: new Set(), subscription: null };
    hubs.set(db, hub);
  }
  return hub;
}

async function join(db: Database, listener: Listener, onGap: () => void): Promise<() => void> {
  const hub = hubFor(db);
  hub.listeners.add(listener);
  hub.gapListeners.add(onGap);
  hub.subscription ??= subscribeLiveEvents(
    db,
    (event) => {
      for (const each of hub.listeners) each(event);
    },
    { onGap: () => hub.gapListeners.forEach((each) => each()) },
  ).catch((error: unknown) => {
    hub.subscription = null;
    throw error;
  });
  try {
    await hub.subscription;
  } catch (error) {
    hub.listeners.delete(listener);
    hub.gapListeners.delete(onGap);
    throw error;
  }
  return () => {
    hub.listeners.delete(listener);
    hub.gapListeners.delete(onGap);
  };
}

const HEARTBEAT_MS = 25_000;
/** Browsers reconnect an EventSource after this long; each reconnect re-checks the session. */
const RETRY_MS = 2_000;

/**
 * A `text/event-stream` of the live events of the caller's workspaces. It ends when the access token
 * expires (the browser reconnects with the refreshed session) and when the request is aborted.
 * After a gap, a `gap` event tells the page to re-read what it shows.
 */
export async function liveEventStream(db: Database, claims: JwtClaims, signal: AbortSignal, headers: Headers): Promise<Response> {
  let workspaces = new Set((await listMyWorkspaces(db, claims)).map((workspace) => workspace.id));
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          finish();
        }
      };
      const finish = () => {
        if (closed) return;
        closed = true;
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      const refreshMemberships = () =>
        listMyWorkspaces(db, claims).then(
          (mine) => (workspaces = new Set(mine.map((workspace) => workspace.id))),
          () => finish(),
        );
      const onEvent = (event: LiveEvent) => {
        if (event.topic === 'membership' && event.userId === claims.sub) void refreshMemberships();
        if (event.topic === 'session' && event.userId === claims.sub) return finish();
        if (!event.workspaceId || !workspaces.has(event.workspaceId)) return;
        if (event.topic === 'notifications' && event.userId !== claims.sub) return;
        send(`event: live\ndata: ${JSON.stringify(event)}\n\n`);
      };
      const onGap = () => send(`event: gap\ndata: {}\n\n`);
      let leave: () => void;
      try {
        leave = await join(db, onEvent, onGap);
      } catch {
        closed = true;
        controller.error(new Error('Live events are unavailable'));
        return;
      }
      const heartbeat = setInterval(() => send(`: keep-alive\n\n`), HEARTBEAT_MS);
      const untilExpiry = typeof claims.exp === 'number' ? Math.max(0, claims.exp * 1000 - Date.now()) : null;
      const expiry = untilExpiry === null ? null : setTimeout(finish, Math.min(untilExpiry, 2 ** 31 - 1));
      const onAbort = () => finish();
      signal.addEventListener('abort', onAbort);
      cleanup = () => {
        leave();
        clearInterval(heartbeat);
        if (expiry) clearTimeout(expiry);
        signal.removeEventListener('abort', onAbort);
      };
      send(`retry: ${RETRY_MS}\nevent: ready\ndata: {}\n\n`);
      if (signal.aborted) finish();
    },
    cancel() {
      cleanup();
    },
  });
  headers.set('Content-Type', 'text/event-stream; charset=utf-8');
  headers.set('Cache-Control', 'private, no-store, no-transform');
  headers.set('X-Accel-Buffering', 'no');
  return new Response(stream, { headers });
}
