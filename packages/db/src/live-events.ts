/**
 * Live events: small notices that something changed ("checklist X's items changed", "a comment was added"),
 * sent with Postgres NOTIFY on one channel. Every process connected to the database hears every event, so
 * they reach browsers attached to any app or collaboration server process (docs/decisions/013).
 * SQL triggers publish with:
 *   perform pg_notify('tieout_live', json_build_object('topic', 'comments', 'workspaceId', new.workspace_id, ...)::text);
 * A notice carries ids only: a listener re-reads what it shows under the reader's own RLS.
 */
import { z } from 'zod';
import type { Database, Sql } from './types.ts';

export const LIVE_CHANNEL = 'tieout_live';

/** NOTIFY payloads are limited to 8,000 bytes; events carry ids, so far less is plenty. */
export const MAX_LIVE_EVENT_BYTES = 1024;

/** `activity`: audit rows about a checklist's items were written (the items' "last changed by" lines, activity feeds). */
export const liveTopics = ['membership', 'session', 'items', 'comments', 'approvals', 'notifications', 'files', 'versions', 'activity'] as const;
export type LiveTopic = (typeof liveTopics)[number];

export const liveEventSchema = z.looseObject({
  topic: z.enum(liveTopics),
  workspaceId: z.uuid().optional(),
  checklistId: z.uuid().optional(),
  dealId: z.uuid().optional(),
  userId: z.uuid().optional(),
});
export type LiveEvent = z.infer<typeof liveEventSchema>;

/** A live event's NOTIFY payload (checked against the schema and the size limit). */
export function encodeLiveEvent(event: LiveEvent): string {
  const payload = JSON.stringify(liveEventSchema.parse(event));
  if (Buffer.byteLength(payload) > MAX_LIVE_EVENT_BYTES) throw new Error(`A live event is limited to ${MAX_LIVE_EVENT_BYTES} bytes`);
  return payload;
}

/** Sends an event when the transaction of `sql` commits (NOTIFY is transactional); not at all if it rolls back. */
export async function publishLiveEvent(sql: Sql, event: LiveEvent): Promise<void> {
  await sql.query(`select pg_notify($1, $2)`, [LIVE_CHANNEL, encodeLiveEvent(event)]);
}

export interface LiveSubscription {
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Called when events may have been missed (the listening connection was lost and is back). */
  onGap?: () => void;
  /** Called with payloads that are not live events (logged by the caller; never thrown). */
  onInvalid?: (payload: string, error: unknown) => void;
}

export async function subscribeLiveEvents(
  db: Database,
  onEvent: (event: LiveEvent) => void,
  options: SubscribeOptions = {},
): Promise<LiveSubscription> {
  const stop = await db.listen(
    LIVE_CHANNEL,
    (payload) => {
      let event: LiveEvent;
      try {
        event = liveEventSchema.parse(JSON.parse(payload));
      } catch (error) {
        options.onInvalid?.(payload, error);
        return;
      }
      onEvent(event);
    },
    options.onGap,
  );
  return { close: stop };
}
