import { DataAccessError, latestVisibleUpdateId, ownUpdatesSince, type Database, type JwtClaims } from '@tieout/db';
import { addItem, addSection, readChecklist, setFigure, updateItem, type ItemPatch, type ItemView, type NewItem } from '@tieout/doc-model';
import { matchExisting } from '~/utils/import/mapping.ts';
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

/**
 * The collaboration server did not take the change (it refused the socket or the token, closed, or did not confirm in
 * time): kind `unavailable` (503), nothing was changed and the user may retry (docs/decisions/015).
 */
export class LiveAppendError extends DataAccessError {
  override name = 'LiveAppendError';
}

export interface LiveItem extends Omit<NewItem, 'sectionId' | 'id' | 'beforeId'> {
  /** Title of the section the item goes to: an existing section of that title (any case) or a new one. */
  section: string;
  /**
   * With `updateExisting`: the fields this row gives (non-empty cells). An existing item that is the same request
   * (matchExisting: by reference, else by title) gets only these, and its figures by label; nothing else changes.
   */
  given?: readonly string[];
  rowNumber?: number;
}

export interface LiveAppendOptions {
  db: Database;
  claims: JwtClaims;
  accessToken: string;
  /** ws:// or wss:// base URL of the collaboration server (the socket path is `<base>/collab/<checklistId>`). */
  collabBaseUrl: string;
  checklistId: string;
  items: LiveItem[];
  /** Rows that are the same request as an existing item update it instead of adding a copy. */
  updateExisting?: boolean;
  /** Items are sent in updates of at most about this many bytes (the server refuses frames above 1 MB). */
  maxUpdateBytes?: number;
  timeoutMs?: number;
}

export interface LiveAppendResult {
  itemIds: string[];
  /** Existing items that were updated (with `updateExisting`). */
  updatedIds: string[];
  sectionsCreated: string[];
}

const CLOSE_MESSAGES: Record<number, string> = {
  4401: 'Your session has expired: sign in again and retry.',
  // 4403 at connect is the same for a checklist that does not exist (decision 114); 4404 is a deletion while connected.
  4403: 'You have no access to this checklist: it was deleted, or you are not a member of its workspace.',
  4404: 'This checklist no longer exists.',
  4413: 'The checklist would grow beyond its size limit.',
  4429: 'Too many changes at once: wait a moment and retry.',
};

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LiveAppendError('unavailable', message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Rough size of an item in a Yjs update, to keep each update well under the server's frame limit. */
const estimatedBytes = (item: LiveItem) =>
  300 + item.title.length * 3 + (item.notes ?? []).reduce((sum, line) => sum + line.length * 3 + 40, 0) + (item.figures?.length ?? 0) * 120;

export interface LiveChangeOptions {
  db: Database;
  claims: JwtClaims;
  accessToken: string;
  /** ws:// or wss:// base URL of the collaboration server (the socket path is `<base>/collab/<checklistId>`). */
  collabBaseUrl: string;
  checklistId: string;
  timeoutMs?: number;
  /** Shown when the server does not confirm in time that the change was stored. */
  unconfirmedMessage?: string;
}

/**
 * Joins the checklist's live document as the user (a stock provider with their token), runs `change` on it once in
 * sync, and resolves when the update log holds everything the change wrote (its new content and its deletions), as
 * that user. The server authorizes, applies, broadcasts and persists it like any browser's edit (decision 090).
 */
export async function changeLive<T>(options: LiveChangeOptions, change: (doc: Y.Doc) => T): Promise<T> {
  const { db, claims, checklistId } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
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
    authProtocol.readAuthMessage(decoder, doc, (_doc, reason) => refused?.(new LiveAppendError('unavailable', `The change was refused: ${reason}`)));
  provider.on('connection-close', (event) => {
    const code = event?.code ?? 0;
    if (code >= 4400 && code < 4500) {
      refused?.(
        new LiveAppendError('unavailable', CLOSE_MESSAGES[code] ?? `The collaboration server refused the change (${code} ${event?.reason ?? ''}).`),
      );
    }
  });

  try {
    const synced = provider.synced
      ? Promise.resolve()
      : new Promise<void>((resolve) => provider.on('sync', (isSynced: boolean) => isSynced && resolve()));
    await withTimeout(Promise.race([synced, refusal]), timeoutMs, 'The live checklist could not be reached: try again in a moment.');

    const written: Uint8Array[] = [];
    const record = (update: Uint8Array, origin: unknown) => {
      if (origin !== provider) written.push(update);
    };
    doc.on('update', record);
    let result: T;
    try {
      result = change(doc);
    } finally {
      doc.off('update', record);
    }
    if (written.length > 0) {
      await withTimeout(
        Promise.race([waitUntilStored(db, claims, checklistId, baseline, Y.mergeUpdates(written), stop.signal), refusal]),
        timeoutMs,
        options.unconfirmedMessage ?? 'The collaboration server did not confirm that the change was saved. Open the checklist to check.',
      );
    }
    return result;
  } finally {
    stop.abort();
    provider.destroy();
    doc.destroy();
  }
}

export async function appendItemsLive(options: LiveAppendOptions): Promise<LiveAppendResult> {
  const maxUpdateBytes = options.maxUpdateBytes ?? 256 * 1024;
  return changeLive(
    {
      ...options,
      unconfirmedMessage: 'The collaboration server did not confirm that the items were saved. Open the checklist to check before importing again.',
    },
    (doc) => {
      const result: LiveAppendResult = { itemIds: [], updatedIds: [], sectionsCreated: [] };
      const sectionIds = new Map<string, string>();
      const view = readChecklist(doc);
      // Matched against the live document itself, not the preview: someone may have added or renamed items since.
      const matches = options.updateExisting
        ? matchExisting(
            options.items.map((item, index) => ({ rowNumber: item.rowNumber ?? index, title: item.title, reference: item.reference ?? null })),
            view.sections.flatMap((section) => section.items),
          )
        : new Map<number, string>();
      const existingById = new Map(view.sections.flatMap((section) => section.items).map((item) => [item.id, item]));
      for (const section of view.sections) {
        const key = section.title.trim().toLowerCase();
        if (!sectionIds.has(key)) sectionIds.set(key, section.id);
      }
      let batch: LiveItem[] = [];
      let batchBytes = 0;
      const send = () => {
        if (batch.length === 0) return;
        const items = batch;
        doc.transact(() => {
          for (const [index, { section, given, rowNumber, ...item }] of items.entries()) {
            const existing = existingById.get(matches.get(rowNumber ?? index) ?? '');
            if (existing) {
              updateExisting(doc, existing, item, new Set(given ?? []));
              result.updatedIds.push(existing.id);
              continue;
            }
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
      for (const [index, original] of options.items.entries()) {
        const item = { ...original, rowNumber: original.rowNumber ?? index };
        const size = estimatedBytes(item);
        if (batch.length > 0 && batchBytes + size > maxUpdateBytes) send();
        batch.push(item);
        batchBytes += size;
      }
      send();
      return result;
    },
  );
}

/** The fields a re-imported row gives, written into the existing item; figures are matched by label. */
function updateExisting(doc: Y.Doc, existing: ItemView, item: Omit<LiveItem, 'section' | 'given' | 'rowNumber'>, given: Set<string>): void {
  const patch: ItemPatch = {};
  if (given.has('title') && item.title !== existing.title) patch.title = item.title;
  if (given.has('reference') && item.reference !== undefined) patch.reference = item.reference;
  if (given.has('status') && item.status) patch.status = item.status;
  if (given.has('owner') && item.ownerId !== undefined) patch.ownerId = item.ownerId;
  if (given.has('dueDate') && item.dueDate !== undefined) patch.dueDate = item.dueDate;
  if (given.has('risk') && item.risk !== undefined) patch.risk = item.risk;
  if (Object.keys(patch).length > 0) updateItem(doc, existing.id, patch);
  for (const figure of item.figures ?? []) {
    const same = existing.figures.find(
      (other) => other.kind === figure.kind && other.label.trim().toLowerCase() === figure.label.trim().toLowerCase(),
    );
    if (!same || same.value !== figure.value) setFigure(doc, existing.id, { ...figure, value: figure.value ?? null, id: same?.id });
  }
}

type DeleteRanges = Map<number, { clock: number; len: number }[]>;

function deleteRanges(update: Uint8Array): DeleteRanges {
  const { ds } = Y.decodeUpdate(update) as unknown as { ds: { clients: DeleteRanges } };
  return ds.clients;
}

/** True when every deleted range of `wanted` lies within the deleted ranges of `stored`. */
function deletionsCovered(wanted: DeleteRanges, stored: DeleteRanges): boolean {
  for (const [client, ranges] of wanted) {
    const have = [...(stored.get(client) ?? [])].sort((a, b) => a.clock - b.clock);
    for (const { clock, len } of ranges) {
      let from = clock;
      const to = clock + len;
      for (const range of have) {
        if (range.clock > from) break;
        if (range.clock + range.len > from) from = range.clock + range.len;
        if (from >= to) break;
      }
      if (from < to) return false;
    }
  }
  return true;
}

/**
 * Resolves once the update log holds everything `written` holds, as this user: its content (the client's clock range)
 * and its deletions. The log is append-only, so only rows after `baseline` need to be read.
 */
async function waitUntilStored(
  db: Database,
  claims: JwtClaims,
  checklistId: string,
  baseline: number,
  written: Uint8Array,
  signal: AbortSignal,
): Promise<void> {
  const wantedClocks = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(written));
  const wantedDeletes = deleteRanges(written);
  while (!signal.aborted) {
    const updates = await ownUpdatesSince(db, claims, checklistId, baseline);
    if (updates.length > 0) {
      const merged = Y.mergeUpdates(updates);
      const stored = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(merged));
      const clocksStored = [...wantedClocks].every(([client, clock]) => (stored.get(client) ?? 0) >= clock);
      if (clocksStored && deletionsCovered(wantedDeletes, deleteRanges(merged))) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
