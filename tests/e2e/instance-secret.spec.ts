/**
 * Issue 10, critical: no well-known secret. An instance started as `npm start` starts it (production build,
 * embedded auth, no SUPABASE_JWT_SECRET) signs with a secret of its own, made on first start and kept with its
 * data (decision 100). A token signed with the development secret that used to be in the repository is refused by
 * the app's cookie check, the auth API and the socket; the instance's own tokens still work after a restart.
 */
import { expect, test } from '@playwright/test';
import { signAccessToken } from '@tieout/auth';
import { DEMO_PASSWORD, demoChecklists, demoUsers } from '@tieout/db/testing';
import WebSocket from 'ws';
import { freshInstanceData, startInstance, type AppInstance, type InstanceData } from './support/instance.ts';

/** The string that was `DEVELOPMENT_JWT_SECRET` in packages/auth until issue 10: public, so anyone could sign with it. */
const OLD_PUBLIC_DEVELOPMENT_SECRET = 'tieout-development-jwt-secret-change-me-0123456789';

interface Session {
  access_token: string;
  refresh_token: string;
  expires_at: number;
  user: { id: string; email: string };
  [key: string]: unknown;
}

async function signIn(instance: AppInstance, email: string): Promise<Session> {
  const response = await fetch(`${instance.url}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', apikey: 'any' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Session;
}

function claimsOf(token: string): { sub: string; session_id: string; email: string } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

/** What a person who knows a user's id (demo ids are public) could sign with the old secret: same user, same session. */
async function forgedLike(session: Session): Promise<string> {
  const claims = claimsOf(session.access_token);
  return (await signAccessToken({ id: claims.sub, email: claims.email, sessionId: claims.session_id }, { jwtSecret: OLD_PUBLIC_DEVELOPMENT_SECRET }))
    .token;
}

/** The session cookie @supabase/ssr reads (`sb-<first label of the host>-auth-token`, base64url JSON). */
function sessionCookie(session: Session): string {
  return `sb-127-auth-token=base64-${Buffer.from(JSON.stringify(session)).toString('base64url')}`;
}

async function homeStatus(instance: AppInstance, session: Session): Promise<{ status: number; location: string | null }> {
  const response = await fetch(`${instance.url}/`, { headers: { Cookie: sessionCookie(session) }, redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location') };
}

async function authUserStatus(instance: AppInstance, token: string): Promise<number> {
  const response = await fetch(`${instance.url}/auth/v1/user`, { headers: { Authorization: `Bearer ${token}`, apikey: 'any' } });
  return response.status;
}

/** The socket's first answer: a message (accepted) or its close code. */
function socketAnswer(instance: AppInstance, token: string): Promise<{ accepted: true } | { closed: number; reason: string }> {
  const socket = new WebSocket(`${instance.url.replace(/^http/, 'ws')}/collab/${demoChecklists.siteRetrofits.id}?token=${encodeURIComponent(token)}`);
  return new Promise((resolve, reject) => {
    socket.once('message', () => {
      resolve({ accepted: true });
      socket.close();
    });
    socket.once('close', (code, reason) => resolve({ closed: code, reason: reason.toString() }));
    socket.once('error', reject);
  });
}

test.describe('an npm start instance has a secret of its own', () => {
  let data: InstanceData;
  let instance: AppInstance | undefined;
  test.beforeAll(async () => {
    data = await freshInstanceData('secret');
  });
  test.afterAll(async () => {
    await instance?.stop();
    await data.dispose();
  });

  test('refuses tokens signed with the old development secret (app, auth API, socket) and keeps its own across a restart', async () => {
    test.setTimeout(180_000);
    instance = await startInstance(data);
    const session = await signIn(instance, demoUsers.editor.email);
    const forged = await forgedLike(session);

    // The instance's own token passes each check (so the refusals below are about the signature alone).
    expect(await homeStatus(instance, session)).toMatchObject({ status: 200 });
    expect(await authUserStatus(instance, session.access_token)).toBe(200);
    expect(await socketAnswer(instance, session.access_token)).toEqual({ accepted: true });

    expect(await homeStatus(instance, { ...session, access_token: forged })).toEqual({ status: 302, location: '/login' });
    expect(await authUserStatus(instance, forged)).toBe(403);
    expect(await socketAnswer(instance, forged)).toMatchObject({ closed: 4401, reason: expect.stringMatching(/^bad_signature/) });

    // Restarted on the same data: the same secret, so the token issued before the restart is still good.
    await instance.stop();
    instance = await startInstance(data);
    expect(await authUserStatus(instance, session.access_token)).toBe(200);
    expect(await homeStatus(instance, session)).toMatchObject({ status: 200 });
    expect(await socketAnswer(instance, session.access_token)).toEqual({ accepted: true });
    expect(await authUserStatus(instance, forged)).toBe(403);
  });

  test('a second instance on other data has another secret: tokens do not travel between instances', async () => {
    test.setTimeout(180_000);
    const otherData = await freshInstanceData('secret_other');
    const other = await startInstance(otherData);
    try {
      const session = await signIn(other, demoUsers.editor.email);
      instance ??= await startInstance(data);
      expect(await authUserStatus(instance, session.access_token)).toBe(403);
      expect(await socketAnswer(instance, session.access_token)).toMatchObject({ closed: 4401 });
    } finally {
      await other.stop();
      await otherData.dispose();
    }
  });
});
