import { randomBytes } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import { subscribeLiveEvents, type Database, type LiveEvent } from '@tieout/db';
import { openScratchDatabase } from '@tieout/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createEmbeddedAuthApi } from '../src/embedded-auth-api.ts';
import { isSessionLive } from '../src/index.ts';

/*
 * Ending a session is heard by every process (decision 103): the collaboration servers close its sockets, and
 * isSessionLive (the app's cookie check) answers false for its still unexpired access token.
 */
const jwtSecret = randomBytes(32).toString('base64url');
let db: Database;
let dispose: () => Promise<void>;
const events: LiveEvent[] = [];
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'auth_session_end' }));
  stop = (await subscribeLiveEvents(db, (event) => events.push(event))).close;
}, 120_000);
afterAll(async () => {
  await stop?.();
  await dispose?.();
}, 60_000);

function client() {
  const api = createEmbeddedAuthApi({ db, jwtSecret, confirmation: 'autoconfirm', bcryptCost: 4, rateLimit: false });
  return createClient('http://tieout.test', 'embedded-anon-key', {
    global: {
      fetch: async (input, init) =>
        (await api.handle(new Request(input, init), { clientAddress: '203.0.113.9' })) ?? new Response(null, { status: 599 }),
    },
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
}

const sessionOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).session_id as string;

describe('signing out', () => {
  it('publishes the ended session and makes its access token fail the session check', async () => {
    const supabase = client();
    const email = `leaver.${Date.now()}@example.com`;
    const { data, error } = await supabase.auth.signUp({ email, password: 'a long and unusual passphrase 42' });
    expect(error).toBeNull();
    const session = data.session!;
    const sessionId = sessionOf(session.access_token);
    expect(await isSessionLive(db, sessionId)).toBe(true);

    expect((await supabase.auth.signOut({ scope: 'local' })).error).toBeNull();
    expect(await isSessionLive(db, sessionId)).toBe(false);
    await vi.waitFor(() => expect(events).toContainEqual({ topic: 'session', userId: data.user!.id, sessionId }), { timeout: 10_000 });
  });

  it('names the person, and the session kept, when signing out elsewhere', async () => {
    const supabase = client();
    const email = `traveller.${Date.now()}@example.com`;
    const { data } = await supabase.auth.signUp({ email, password: 'a long and unusual passphrase 42' });
    const kept = sessionOf(data.session!.access_token);
    expect((await supabase.auth.signOut({ scope: 'others' })).error).toBeNull();
    await vi.waitFor(() => expect(events).toContainEqual({ topic: 'session', userId: data.user!.id, exceptSessionId: kept }), { timeout: 10_000 });
    expect(await isSessionLive(db, kept)).toBe(true);
  });

  it('treats a token without a session id as not live', async () => {
    expect(await isSessionLive(db, undefined)).toBe(false);
    expect(await isSessionLive(db, 'not-a-session')).toBe(false);
  });
});
