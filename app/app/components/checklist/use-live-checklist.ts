import { readChecklist, type ChecklistView } from '@tieout/doc-model';
import { useEffect, useRef, useState } from 'react';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { connectionState, presentUsers, type ConnectionState, type PresenceUser, type ProviderStatus } from '~/utils/collab.ts';

export interface LiveChecklist {
  doc: Y.Doc;
  provider: WebsocketProvider;
  view: ChecklistView;
  synced: boolean;
  connection: ConnectionState;
  refusal: string | null;
  people: PresenceUser[];
}

/**
 * Connects the checklist's Y.Doc to the collaboration server (browser only: created in an effect).
 * `token` may change (the loader refreshes it); the next connection attempt uses the new one.
 */
export function useLiveChecklist(options: {
  checklistId: string;
  collabUrl: string;
  token: string;
  user: PresenceUser;
  onRefused?: (close: { code: number; reason: string }) => void;
}): LiveChecklist | null {
  const { checklistId, collabUrl, token, user } = options;
  const [live, setLive] = useState<LiveChecklist | null>(null);
  const tokenRef = useRef(token);
  const onRefusedRef = useRef(options.onRefused);
  onRefusedRef.current = options.onRefused;
  const providerRef = useRef<WebsocketProvider | null>(null);

  useEffect(() => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${collabUrl}/collab`, checklistId, doc, { params: { token: tokenRef.current } });
    providerRef.current = provider;
    provider.awareness.setLocalStateField('user', user);

    let status: ProviderStatus = provider.wsconnected ? 'connected' : 'connecting';
    let refusal: string | null = null;
    const update = () => {
      setLive({
        doc,
        provider,
        view: readChecklist(doc),
        synced: provider.synced,
        connection: connectionState({
          status,
          failedAttempts: provider.wsUnsuccessfulReconnects,
          browserOnline: typeof navigator === 'undefined' ? true : navigator.onLine,
          refused: refusal !== null,
        }),
        refusal,
        people: presentUsers(provider.awareness.getStates() as Map<number, Record<string, unknown>>, user.id),
      });
    };
    const onStatus = (event: { status: ProviderStatus }) => {
      status = event.status;
      if (status === 'connected') refusal = null;
      update();
    };
    const onClosed = (event: { code: number; reason: string }) => {
      refusal = event.reason || `Closed with code ${event.code}`;
      update();
      onRefusedRef.current?.(event);
    };
    provider.on('status', onStatus);
    provider.on('sync', update);
    provider.on('closed', onClosed);
    provider.on('connection-close', update);
    doc.on('update', update);
    provider.awareness.on('change', update);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    update();
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
      provider.awareness.off('change', update);
      doc.off('update', update);
      provider.destroy();
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
    if (!provider.shouldConnect) provider.connect();
  }, [token]);

  return live;
}
