import { randomBytes } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import { listMyWorkspaces, type Database } from '@tieout/db';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEmbeddedAuthApi } from '../src/embedded-auth-api.ts';
import { createTokenVerifier } from '../src/tokens.ts';
import { DEMO_PASSWORD, demoUsers, demoWorkspace, openScratchDatabase } from '@tieout/db/testing';

const jwtSecret = randomBytes(32).toString('base64url');
let db: Database;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'auth_demo', seed: true }));
}, 180_000);
afterAll(async () => dispose(), 60_000);

it('signs the seeded demo owner in with the demo password (seeded users are confirmed), and RLS then shows their workspace', async () => {
  // Confirmations on, as the app runs: the demo users need no confirmation mail (nothing is sent).
  const sent: unknown[] = [];
  const confirmation = { mailer: { send: async (message: unknown) => void sent.push(message) }, siteUrl: () => 'http://tieout.test' };
  const api = createEmbeddedAuthApi({ db, jwtSecret, confirmation });
  const supabase = createClient('http://tieout.test', 'embedded-anon-key', {
    global: { fetch: async (input, init) => (await api.handle(new Request(input, init))) ?? new Response(null, { status: 599 }) },
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
  const { data, error } = await supabase.auth.signInWithPassword({ email: demoUsers.owner.email, password: DEMO_PASSWORD });
  expect(error).toBeNull();
  expect(data.user?.id).toBe(demoUsers.owner.id);
  const claims = await createTokenVerifier({ jwtSecret })(data.session!.access_token);
  const workspaces = await listMyWorkspaces(db, claims);
  expect(workspaces.find((w) => w.id === demoWorkspace.id)?.role).toBe('owner');
  expect(sent).toEqual([]);
});
