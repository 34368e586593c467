import { WebSocket } from 'ws';

/** A bare WebSocket to the collaboration server, for what the stock provider would never send or do. */
export interface RawClient {
  ws: WebSocket;
  /** Resolves once the server attached the session to its document (its first sync step 1 arrived). */
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  receivedBytes(): number;
}

export function rawClient(url: string, checklistId: string, token: string): RawClient {
  const ws = new WebSocket(`${url}/${checklistId}?token=${encodeURIComponent(token)}`, { perMessageDeflate: false });
  let received = 0;
  let markOpened: () => void;
  const opened = new Promise<void>((resolve) => (markOpened = resolve));
  ws.on('message', (data: Buffer) => {
    received += data.byteLength;
    if (data[0] === 0 && data[1] === 0) markOpened();
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, opened, closed, receivedBytes: () => received };
}
