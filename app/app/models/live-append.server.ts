import { latestVisibleUpdateId, ownUpdatesSince, type Database, type JwtClaims } from '@tieout/db';
import { addItem, addSection, readChecklist, type NewItem } from '@tieout/doc-model';
import { WebSocket } from 'ws';
import * as authProtocol from 'y-protocols/auth';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/*
 * Appends to a checklist's LIVE document from the server by joining it like any browser does: a stock
 * y-websocket provider with the user's own access token (docs/decisions/090-import-through-the-collab-server.md).
 * The collaboration server authorizes it, applies the update to the document it holds in memory, broadcasts it
 * to everyone editing, and persists it attributed to the user. Yjs merges it with concurrent edits, so nothing
 * anyone else types meanwhile can be lost.
 */

export class LiveAppendError extends Error {
  override name = 'LiveAppendError';
}

export interface LiveItem extends Omit<NewItem, 'sectionId' | 'id' | 'beforeId'> {
  /** Title of the section the item goes to: an existing section of that title (any case) or a new one. */
  section: string;
}

export interface LiveAppendOptions {
  db: Database;
  claims: JwtClaims;
  accessToken: string;
  /** ws:// or wss:// base URL of the collaboration server (the socket path is `<base>/collab/<checklistId>`). */
  collabBaseUrl: string;
  checklistId: string;
  items: LiveItem[];
  /** Items are sent in updates of at most about this many bytes (the server refuses frames above 1 MB). */
  maxUpdateBytes?: number;
  timeoutMs?: number;
}

export interface LiveAppendResult {
  itemIds: string[];
  sectionsCreated: string[];
}

const CLOSE_MESSAGES: Record<number, string> = {
  4401: 'Your session has expired: sign in again and retry.',
  4403: 'You are no longer a member of this workspace.',
  4404: 'This checklist no longer exists.',
  4413: 'The checklist would grow beyond its size limit.',
  4429: 'Too many changes at once: wait a moment and retry.',
};

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LiveAppendError(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Rough size of an item in a Yjs update, to keep each update well under the server's frame limit. */
const estimatedBytes = (item: LiveItem) =>
  300 + item.title.length * 3 + (item.notes ?? []).reduce((sum, line) => sum + line.length * 3 + 40, 0) + (item.figures?.length ?? 0) * 120;

export async function appendItemsLive(options: LiveAppendOptions): Promise<LiveAppendResult> {
  const { db, claims, checklistId } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxUpdateBytes = options.maxUpdateBytes ?? 256 * 1024;
  const baseline = await latestVisibleUpdateId(db, claims, checklistId);

  const stop = new AbortController();
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${options.collabBaseUrl}/collab`, checklistId, doc, {
    params: { token: options.accessToken },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  provider.awareness.setLocalState(null);
  let refused: ((error: LiveAppendError) => void) | null = null;
  const refusal = new Promise<never>((_, reject) => {
    refused = reject;
  });
  refusal.catch(() => {});
  // The server answers a write it will not store with y-protocols' "permission denied" (the stock handler only logs it).
  provider.messageHandlers[2] = (_encoder, decoder) =>
    authProtocol.readAuthMessage(decoder, doc, (_doc, reason) => refused?.(new LiveAppendError(`The change was refused: ${reason}`)));
  provider.on('connection-close', (event) => {
    const code = event?.code ?? 0;
    if (code >= 4400 && code < 4500) {
      refused?.(new LiveAppendError(CLOSE_MESSAGES[code] ?? `The collaboration server refused the change (${code} ${event?.reason ?? ''}).`));
    }
  });

  try {
    const synced = provider.synced
      ? Promise.resolve()
      : new Promise<void>((resolve) => provider.on('sync', (isSynced: boolean) => isSynced && resolve()));
    await withTimeout(Promise.race([synced, refusal]), timeoutMs, 'The live checklist could not be reached: try again in a moment.');

    const result: LiveAppendResult = { itemIds: [], sectionsCreated: [] };
    const sectionIds = new Map<string, string>();
    for (const section of readChecklist(doc).sections) {
      const key = section.title.trim().toLowerCase();
      if (!sectionIds.has(key)) sectionIds.set(key, section.id);
    }
    let batch: LiveItem[] = [];
    let batchBytes = 0;
    const send = () => {
      if (batch.length === 0) return;
      const items = batch;
      doc.transact(() => {
        for (const { section, ...item } of items) {
          const key = section.trim().toLowerCase();
          let sectionId = sectionIds.get(key);
          if (!sectionId) {
            sectionId = addSection(doc, { title: section.trim() });
            sectionIds.set(key, sectionId);
            result.sectionsCreated.push(section.trim());
          }
          result.itemIds.push(addItem(doc, { ...item, sectionId }));
        }
      });
      batch = [];
      batchBytes = 0;
    };
    for (const item of options.items) {
      const size = estimatedBytes(item);
      if (batch.length > 0 && batchBytes + size > maxUpdateBytes) send();
      batch.push(item);
      batchBytes += size;
    }
    send();

    await withTimeout(
      Promise.race([waitUntilStored(db, claims, checklistId, baseline, doc.clientID, Y.getState(doc.store, doc.clientID), stop.signal), refusal]),
      timeoutMs,
      'The collaboration server did not confirm that the items were saved. Open the checklist to check before importing again.',
    );
    return result;
  } finally {
    stop.abort();
    provider.destroy();
    doc.destroy();
  }
}

/**
 * Resolves once the update log holds everything this client wrote (its whole clock range), i.e. the server
 * has persisted the import; the log is append-only, so only rows after `baseline` need to be read.
 */
async function waitUntilStored(
  db: Database,
  claims: JwtClaims,
  checklistId: string,
  baseline: number,
  clientId: number,
  clock: number,
  signal: AbortSignal,
): Promise<void> {
  if (clock === 0) return;
  while (!signal.aborted) {
    const updates = await ownUpdatesSince(db, claims, checklistId, baseline);
    if (updates.length > 0) {
      const stored = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(Y.mergeUpdates(updates)));
      if ((stored.get(clientId) ?? 0) >= clock) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
