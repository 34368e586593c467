import { createChecklistReader, type ChecklistView } from '@tieout/doc-model';
import { useCallback, useEffect, useRef, useState } from 'react';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import {
  connectionState,
  offlineStoreName,
  presentUsers,
  type ConnectionState,
  type PresenceUser,
  type PresentPerson,
  type ProviderStatus,
} from '~/utils/collab.ts';

export interface LiveChecklist {
  doc: Y.Doc;
  provider: WebsocketProvider;
  view: ChecklistView;
  /** The document came from the server, or from this device's offline copy. */
  loaded: boolean;
  synced: boolean;
  connection: ConnectionState;
  refusal: string | null;
  people: PresentPerson[];
}

/**
 * Connects the checklist's Y.Doc to the collaboration server (browser only: created in an effect) and keeps
 * a copy in IndexedDB (per user and checklist), so edits made offline survive a reload and merge on reconnect.
 * `token` may change (it is refreshed before it expires); the next connection attempt uses the new one, and a
 * connection refused for its token is retried with every newly fetched one (`tokenGeneration`).
 * `onRefused` sees each permanent close (4400-4499); answering 'retrying' means a fresh token is on its way,
 * so the page shows "reconnecting" instead of the refusal.
 */
export function useLiveChecklist(options: {
  checklistId: string;
  collabUrl: string;
  token: string;
  tokenGeneration?: number;
  user: PresenceUser;
  onRefused?: (close: { code: number; reason: string }) => 'retrying' | 'refused';
}): { live: LiveChecklist | null; setFocusItem: (itemId: string | null) => void } {
  const { checklistId, collabUrl, token, tokenGeneration = 0, user } = options;
  const [live, setLive] = useState<LiveChecklist | null>(null);
  const tokenRef = useRef(token);
  const onRefusedRef = useRef(options.onRefused);
  onRefusedRef.current = options.onRefused;
  const providerRef = useRef<WebsocketProvider | null>(null);

  useEffect(() => {
    const doc = new Y.Doc();
    // Offline copy first: it loads without the network and catches every local edit.
    let local: IndexeddbPersistence | null = null;
    let localLoaded = false;
    try {
      local = new IndexeddbPersistence(offlineStoreName(user.id, checklistId), doc);
    } catch {
      local = null; // no IndexedDB (private mode in some browsers): live editing still works
    }
    const provider = new WebsocketProvider(`${collabUrl}/collab`, checklistId, doc, {
      params: { token: tokenRef.current },
      // Not before there is a token (the page fetches its first one): the token effect below connects then.
      connect: (typeof navigator === 'undefined' || navigator.onLine) && tokenRef.current !== '',
    });
    providerRef.current = provider;
    provider.awareness.setLocalStateField('user', user);
    provider.awareness.setLocalStateField('focusItemId', null);

    let status: ProviderStatus = provider.wsconnected ? 'connected' : 'connecting';
    let everConnected = false;
    let refusal: string | null = null;
    // Re-reads only the items an update touched (2,000-item grids: one cell edit re-reads one item, not all).
    const reader = createChecklistReader(doc);
    let scheduled = false;
    let disposed = false;

    const render = () => {
      scheduled = false;
      if (disposed) return;
      const view = reader.read();
      setLive({
        doc,
        provider,
        view,
        loaded: provider.synced || localLoaded,
        synced: provider.synced,
        connection: connectionState({
          // "Connected" means in sync with the server, not merely a socket that opened.
          status: status === 'connected' && !provider.synced ? 'connecting' : status,
          failedAttempts: provider.wsUnsuccessfulReconnects,
          browserOnline: typeof navigator === 'undefined' ? true : navigator.onLine,
          refused: refusal !== null,
          everConnected,
        }),
        refusal,
        people: presentUsers(provider.awareness.getStates() as Map<number, Record<string, unknown>>, user.id),
      });
    };
    // Many updates arrive in bursts (a sync, a bulk edit): render once per burst.
    const update = () => {
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(render);
    };
    const onStatus = (event: { status: ProviderStatus }) => {
      status = event.status;
      if (status === 'connected') refusal = null;
      if (status === 'disconnected' && provider.wsUnsuccessfulReconnects > 0) everConnected = true;
      update();
    };
    const onClosed = (event: { code: number; reason: string }) => {
      if (onRefusedRef.current?.(event) !== 'retrying') refusal = event.reason || `Closed with code ${event.code}`;
      update();
    };
    // A socket on a dead network can take many seconds to notice; the browser's own signal is immediate.
    const onOffline = () => {
      provider.disconnect();
      update();
    };
    const onOnline = () => {
      if (refusal === null) provider.connect();
      update();
    };
    local?.whenSynced.then(() => {
      localLoaded = true;
      update();
    });
    provider.on('status', onStatus);
    provider.on('sync', (synced: boolean) => {
      if (synced) everConnected = true;
      update();
    });
    provider.on('closed', onClosed);
    provider.on('connection-close', update);
    doc.on('update', update);
    provider.awareness.on('change', update);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    render();
    return () => {
      disposed = true;
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      provider.awareness.off('change', update);
      doc.off('update', update);
      reader.destroy();
      provider.destroy();
      void local?.destroy();
      doc.destroy();
      providerRef.current = null;
      setLive(null);
    };
    // The user object is fixed for the page's life; identity changes come with a new route load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [checklistId, collabUrl, user.id]);

  useEffect(() => {
    tokenRef.current = token;
    const provider = providerRef.current;
    if (!provider) return;
    provider.params = { ...provider.params, token };
    // After a refusal (e.g. an expired token) a fresh token is worth one more try.
    if (!provider.shouldConnect && navigator.onLine) provider.connect();
  }, [token, tokenGeneration]);

  const setFocusItem = useCallback((itemId: string | null) => {
    const awareness = providerRef.current?.awareness;
    if (awareness && awareness.getLocalState()?.focusItemId !== itemId) awareness.setLocalStateField('focusItemId', itemId);
  }, []);

  return { live, setFocusItem };
}
