import { addItem, itemsOf, readChecklist } from '@tieout/doc-model';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/** A stock y-websocket client (the provider the app uses), in this process. */
export interface StockClient {
  name: string;
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Close events the server sent, in order. */
  closes: { code: number; reason: string }[];
  synced(): Promise<void>;
  destroy(): void;
}

export function connectStockClient(url: string, checklistId: string, token: string, name: string): StockClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(url, checklistId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    // Node has BroadcastChannel: without this, providers in one process would sync around the server.
    disableBc: true,
    maxBackoffTime: 250,
  });
  const closes: { code: number; reason: string }[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason });
  });
  return {
    name,
    doc,
    provider,
    closes,
    synced: () =>
      new Promise<void>((resolve) => {
        if (provider.synced) resolve();
        else provider.once('sync', (state: boolean) => state && resolve());
      }),
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** The id of edit `n` of client `name`: every edit adds its own item, so each one can be looked for. */
export const editId = (name: string, n: number) => `${name}-${n}`;
export const editTitle = (name: string, n: number) => `${name} edit ${n}`;

/** Makes edits with the doc-model functions at a steady pace, whether the connection is up or not. */
export class Editor {
  readonly made: string[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly client: StockClient,
    private readonly sectionId: string,
  ) {}

  edit(): string {
    const n = this.made.length;
    const id = addItem(this.client.doc, { id: editId(this.client.name, n), sectionId: this.sectionId, title: editTitle(this.client.name, n) });
    this.made.push(id);
    return id;
  }

  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => this.edit(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** Records when each item first appeared in a client's document (an edit seen there went through the server). */
export function witness(doc: Y.Doc): Map<string, number> {
  const seen = new Map<string, number>();
  const record = () => {
    const now = Date.now();
    for (const id of itemsOf(doc).keys()) if (!seen.has(id)) seen.set(id, now);
  };
  record();
  itemsOf(doc).observe(record);
  return seen;
}

/** Item ids and titles of a document, through the doc model (throws if the document does not read). */
export function itemTitles(doc: Y.Doc): Map<string, string> {
  const titles = new Map<string, string>();
  for (const section of readChecklist(doc).sections) for (const item of section.items) titles.set(item.id, item.title);
  return titles;
}

/** Ids in `expected` missing from `doc`, or present with another title than the edit gave. */
export function missingEdits(doc: Y.Doc, expected: Iterable<string>): string[] {
  const titles = itemTitles(doc);
  const missing: string[] = [];
  for (const id of expected) {
    const dash = id.lastIndexOf('-');
    if (titles.get(id) !== editTitle(id.slice(0, dash), Number(id.slice(dash + 1)))) missing.push(id);
  }
  return missing;
}
