import { randomBytes, randomUUID } from 'node:crypto';
import { signAccessToken } from '@tieout/auth';
import { publishLiveEvent } from '@tieout/db';
import { addItem, addSection, readChecklist } from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../src/index.ts';
import { connectClient, JWT_SECRET, tokenFor, useCollabServer, waitFor, type FixtureUser } from '../src/testing.ts';

/*
 * Issue 10, "sessions outlive sign-out and expiry" (decision 103): a socket is closed when its token expires (the
 * client reconnects with its refreshed token and goes on), when its session ends (the live 'session' event), and a
 * token of a signed-out session cannot open one.
 */
const t = useCollabServer({ server: { timing: { persistWindowMs: 10 } } });

const titles = (doc: Parameters<typeof readChecklist>[0]) =>
  readChecklist(doc).sections.flatMap((section) => section.items.map((item) => item.title));

/** A sign-in of `user` as the embedded auth API records it (a refresh token of the session), and its access token. */
async function signedInSession(user: FixtureUser, options: { revoked?: boolean; expiresInSeconds?: number } = {}) {
  const sessionId = randomUUID();
  await t.db.asService((sql) =>
    sql.query(`insert into auth.refresh_tokens (token, user_id, session_id, revoked) values ($1, $2, $3, $4)`, [
      randomBytes(24).toString('base64url'),
      user.id,
      sessionId,
      options.revoked ?? false,
    ]),
  );
  const { token } = await signAccessToken(
    { id: user.id, email: user.email, sessionId },
    { jwtSecret: JWT_SECRET, expiresInSeconds: options.expiresInSeconds ?? 3600 },
  );
  return { sessionId, token };
}

describe('a socket lives no longer than its token and session', () => {
  it('is closed with 4401 when its token expires, and goes on after reconnecting with a refreshed token', async () => {
    const editor = connectClient(t.server.url, t.fx.checklistId, await tokenFor(t.fx.users.editor, { expiresInSeconds: 2 }));
    const observer = connectClient(t.server.url, t.fx.checklistId, await tokenFor(t.fx.users.owner));
    try {
      await Promise.all([editor.synced(), observer.synced()]);
      const closed = await editor.closed;
      expect(closed.code).toBe(CloseCode.unauthorized);
      expect(closed.reason).toMatch(/^expired:/);
      // What the live checklist does on that 4401: the refreshed token, and the same document goes on.
      editor.provider.params = { token: await tokenFor(t.fx.users.editor) };
      editor.provider.connect();
      await editor.synced();
      addItem(editor.doc, { sectionId: addSection(editor.doc, { title: 'Power' }), title: 'after the refresh' });
      await waitFor(() => titles(observer.doc).includes('after the refresh'), 'the edit made after reconnecting');
    } finally {
      editor.destroy();
      observer.destroy();
    }
  });

  it('is closed with 4401 when its session ends, and the person’s other sessions stay open', async () => {
    const signedOut = await signedInSession(t.fx.users.editor);
    const otherDevice = await signedInSession(t.fx.users.editor);
    const ending = connectClient(t.server.url, t.fx.checklistId, signedOut.token);
    const staying = connectClient(t.server.url, t.fx.checklistId, otherDevice.token);
    const observer = connectClient(t.server.url, t.fx.checklistId, await tokenFor(t.fx.users.owner));
    try {
      await Promise.all([ending.synced(), staying.synced(), observer.synced()]);
      await t.db.asService(async (sql) => {
        await sql.query(`update auth.refresh_tokens set revoked = true where session_id = $1`, [signedOut.sessionId]);
        await publishLiveEvent(sql, { topic: 'session', userId: t.fx.users.editor.id, sessionId: signedOut.sessionId });
      });
      const closed = await ending.closed;
      expect(closed).toEqual({ code: CloseCode.unauthorized, reason: expect.stringMatching(/^session_ended:/) });
      addItem(staying.doc, { sectionId: addSection(staying.doc, { title: 'Cooling' }), title: 'from the other device' });
      await waitFor(() => titles(observer.doc).includes('from the other device'), 'the other session’s edit');
    } finally {
      ending.destroy();
      staying.destroy();
      observer.destroy();
    }
  });

  it('closes every session of a person signed out everywhere, except the one named', async () => {
    const first = await signedInSession(t.fx.users.editor);
    const kept = await signedInSession(t.fx.users.editor);
    const a = connectClient(t.server.url, t.fx.checklistId, first.token);
    const b = connectClient(t.server.url, t.fx.checklistId, kept.token);
    try {
      await Promise.all([a.synced(), b.synced()]);
      await t.db.asService((sql) => publishLiveEvent(sql, { topic: 'session', userId: t.fx.users.editor.id, exceptSessionId: kept.sessionId }));
      expect(await a.closed).toMatchObject({ code: CloseCode.unauthorized });
      // b was not closed: it still syncs an edit both ways.
      addItem(b.doc, { sectionId: addSection(b.doc, { title: 'Kept' }), title: 'kept session' });
      const check = connectClient(t.server.url, t.fx.checklistId, await tokenFor(t.fx.users.owner));
      try {
        await waitFor(() => titles(check.doc).includes('kept session'), 'the kept session’s edit');
      } finally {
        check.destroy();
      }
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('refuses to open a socket with the access token of a signed-out session, which is otherwise still valid', async () => {
    const signedOut = await signedInSession(t.fx.users.editor, { revoked: true });
    const client = connectClient(t.server.url, t.fx.checklistId, signedOut.token);
    try {
      expect(await client.closed).toEqual({ code: CloseCode.unauthorized, reason: expect.stringMatching(/^session_ended:/) });
    } finally {
      client.destroy();
    }
  });
});
