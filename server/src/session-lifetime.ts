import { isSessionLive } from '@tieout/auth';
import { subscribeLiveEvents, type Database, type JwtClaims, type LiveEvent, type LiveSubscription } from '@tieout/db';
import type { Logger } from 'pino';
import { CloseCode } from './close-codes.ts';

/*
 * A socket lives no longer than the token and the session it was opened with (docs/decisions/103).
 * - At connect, a token whose session has ended (signed out, refresh token reused) is refused with 4401, as an
 *   expired one is: its signature alone says nothing about sign-out.
 * - At the token's `exp` the socket is closed with `4401 expired: ...`. The live checklist refreshes its token before
 *   then (app/app/components/checklist/use-collab-token.ts) and, on that 4401, reconnects with the fresh one, so a
 *   signed-in person's session goes on; only a socket nobody can refresh stays closed.
 * - When a session ends, the embedded auth API publishes `{ topic: 'session', userId, sessionId? | exceptSessionId? }`
 *   (packages/auth auth-store.ts); every server process hears it and closes that session's sockets with 4401.
 * Kept apart from the membership re-checks (membership-watch.ts): this is about who holds the token, not their role.
 */

/** A socket as this module sees it (CollabConnection). */
export interface TimedSession {
  readonly userId: string;
  readonly claims: JwtClaims;
  readonly state: 'authorizing' | 'open' | 'closed';
  close(code: number, reason: string): void;
}

export interface SessionLifetimeOptions {
  sessions: () => Iterable<TimedSession>;
  logger: Logger;
  now?: () => number;
}

/** setTimeout's largest delay (about 24.8 days); a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class SessionLifetime {
  private readonly timers = new Map<TimedSession, NodeJS.Timeout>();
  private subscription: LiveSubscription | null = null;
  private closed = false;
  /** Whether this database lets the server read session state (embedded auth); null until first asked. */
  private sessionsReadable: boolean | null = null;

  constructor(private readonly options: SessionLifetimeOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Listens for ended sessions; a failure is logged (token expiry still bounds every socket). */
  async start(db: Database): Promise<void> {
    try {
      const subscription = await subscribeLiveEvents(db, (event) => this.onLiveEvent(event));
      if (this.closed) await subscription.close();
      else this.subscription = subscription;
    } catch (error) {
      this.options.logger.error({ err: error }, 'cannot listen for ended sessions: sockets are bounded by token expiry only');
    }
  }

  /**
   * Whether the token's session is still live. Tokens without a session id (signed by a service, not by a sign-in)
   * have no session to end. Where the server cannot read session state (hosted Supabase Auth owns auth.*), the token's
   * expiry is the bound, as for any Supabase client.
   */
  async sessionLive(db: Database, claims: JwtClaims): Promise<boolean> {
    if (claims.session_id === undefined || this.sessionsReadable === false) return true;
    try {
      const live = await isSessionLive(db, claims.session_id);
      this.sessionsReadable = true;
      return live;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== '42501' && code !== '42P01') throw error;
      this.sessionsReadable = false;
      this.options.logger.warn('session state is not readable here (hosted auth): sockets are bounded by token expiry');
      return true;
    }
  }

  /** Arms the close at the token's expiry for a session that was just authenticated. */
  track(session: TimedSession): void {
    this.untrack(session);
    const exp = session.claims.exp;
    if (typeof exp !== 'number') return;
    const arm = () => {
      const delay = exp * 1000 - this.now();
      if (delay <= 0) {
        this.timers.delete(session);
        session.close(CloseCode.unauthorized, 'expired: the access token has expired, reconnect with a fresh one');
        return;
      }
      const timer = setTimeout(arm, Math.min(delay, MAX_TIMER_MS));
      timer.unref?.();
      this.timers.set(session, timer);
    };
    arm();
  }

  untrack(session: TimedSession): void {
    const timer = this.timers.get(session);
    if (timer) clearTimeout(timer);
    this.timers.delete(session);
  }

  /** Closes the sockets of the sessions an event says have ended. */
  onLiveEvent(event: LiveEvent): void {
    if (event.topic !== 'session' || !event.userId || this.closed) return;
    const sessionId = typeof event.sessionId === 'string' ? event.sessionId : undefined;
    const exceptSessionId = typeof event.exceptSessionId === 'string' ? event.exceptSessionId : undefined;
    for (const session of this.options.sessions()) {
      if (session.state === 'closed' || session.userId !== event.userId) continue;
      const own = session.claims.session_id;
      if (sessionId !== undefined && own !== sessionId) continue;
      if (exceptSessionId !== undefined && own === exceptSessionId) continue;
      session.close(CloseCode.unauthorized, 'session_ended: signed out, sign in again');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.subscription?.close();
    this.subscription = null;
  }
}
