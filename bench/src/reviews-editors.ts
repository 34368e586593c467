/*
 * The editing load of bench/src/reviews.ts, in its own process: N stock y-websocket clients on one checklist, each
 * changing an item's risk once per second (spread over the second). Input (env REVIEWS_BENCH): { url, checklistId,
 * tokens, itemIds }. Prints "ready" once every client is in sync, then edits until SIGTERM.
 */
import { RISK_LEVELS, updateItem } from '@tieout/doc-model';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

const input = JSON.parse(process.env.REVIEWS_BENCH ?? '{}') as { url: string; checklistId: string; tokens: string[]; itemIds: string[] };
const providers = input.tokens.map((token) => {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(input.url, input.checklistId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  return { doc, provider };
});
await Promise.all(
  providers.map(({ provider }) => new Promise<void>((resolve) => (provider.synced ? resolve() : provider.once('sync', () => resolve())))),
);
console.log('ready');
let edits = 0;
providers.forEach(({ doc }, index) => {
  setTimeout(
    () => {
      setInterval(() => {
        const itemId = input.itemIds[(index * 7 + edits) % input.itemIds.length]!;
        updateItem(doc, itemId, { risk: RISK_LEVELS[edits % RISK_LEVELS.length]! });
        edits += 1;
      }, 1000);
    },
    (index * 1000) / providers.length,
  );
});
process.on('SIGTERM', () => {
  for (const { provider, doc } of providers) {
    provider.destroy();
    doc.destroy();
  }
  console.log(`edits ${edits}`);
  process.exit(0);
});
