import { subscribeLiveEvents, type Database, type LiveEvent, type LiveSubscription } from '@tieout/db';
import type { Logger } from 'pino';
import type { CollabMetrics } from './metrics.ts';

/*
 * Membership changes reach open sessions before their next message is applied (docs/decisions/110).
 * A trigger on public.workspace_members publishes `{ topic: 'membership', workspaceId, userId }` on the live-events
 * channel at commit (supabase/migrations/20261201000200_membership_live_events.sql); every server process connected
 * to the database hears it. On hearing it, this watch SYNCHRONOUSLY holds every session of that user in that
 * workspace (their frames queue, unapplied), then re-reads their role and only then lets the queue go on: as a
 * viewer's edits (dropped), closed (removed), or applied (still an editor). Sessions still being authorized are
 * marked, and re-checked the same way as they open. The periodic re-check stays as the backstop.
 */

/** A session as the watch sees it (CollabConnection). */
export interface WatchedSession {
  readonly userId: string;
  readonly state: 'authorizing' | 'open' | 'closed';
  /** The workspace of the document it is attached to (null while authorizing). */
  readonly workspaceId: string | null;
  /** Holds incoming frames, unapplied, until as many `releaseFrames` calls. */
  holdFrames(): void;
  releaseFrames(): void;
  /** Set on a session being authorized: its role may have been read before the change. */
  accessStale: boolean;
}

export interface MembershipWatchOptions {
  sessions: () => Iterable<WatchedSession>;
  /** Re-reads the role of open sessions and applies it (close, read-only); false when the read failed. */
  recheck: (sessions: WatchedSession[]) => Promise<boolean>;
  /** A held session whose re-check failed: closed so it reconnects and is authorized afresh (never applied blind). */
  onRecheckFailed: (session: WatchedSession) => void;
  metrics: CollabMetrics;
  logger: Logger;
}

export class MembershipWatch {
  private subscription: LiveSubscription | null = null;
  private closed = false;

  constructor(private readonly options: MembershipWatchOptions) {}

  /** Starts listening; resolves once events are heard (a failure is logged: the periodic re-check remains). */
  async start(db: Database): Promise<void> {
    try {
      const subscription = await subscribeLiveEvents(db, (event) => this.handle(event), {
        // Events may have been missed while the listening connection was down: re-check everyone.
        onGap: () => this.handle({ topic: 'membership' }),
        onInvalid: (payload) => this.options.logger.warn({ payload: payload.slice(0, 200) }, 'unreadable live event ignored'),
      });
      if (this.closed) await subscription.close();
      else this.subscription = subscription;
    } catch (error) {
      this.options.metrics.errors.inc({ kind: 'recheck_failed' });
      this.options.logger.error({ err: error }, 'cannot listen for membership changes: relying on the periodic re-check');
    }
  }

  /** Holds the affected sessions at once, re-checks them, then releases them. */
  handle(event: LiveEvent): void {
    if (event.topic !== 'membership' || this.closed) return;
    this.options.metrics.membershipEvents.inc();
    const held: WatchedSession[] = [];
    for (const session of this.options.sessions()) {
      if (session.state === 'closed' || !session.userId) continue;
      if (event.userId && session.userId !== event.userId) continue;
      if (session.state === 'authorizing') {
        // Its role is read (or was just read) by the authorization: re-checked when it opens.
        session.accessStale = true;
        continue;
      }
      if (event.workspaceId && session.workspaceId !== event.workspaceId) continue;
      session.holdFrames();
      held.push(session);
    }
    if (held.length > 0) void this.recheckHeld(held);
  }

  /** Re-checks sessions that are already held (one hold each), then releases them. */
  async recheckHeld(sessions: WatchedSession[]): Promise<void> {
    let ok = false;
    try {
      ok = await this.options.recheck(sessions);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'membership re-check failed');
    }
    for (const session of sessions) {
      if (!ok && session.state !== 'closed') this.options.onRecheckFailed(session);
      session.releaseFrames();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.subscription?.close();
    this.subscription = null;
  }
}
