import { addItem, addSection, readChecklist } from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../src/index.ts';
import { connectClient, JWT_SECRET, storedDoc, tokenFor, useCollabServer, waitFor } from '../src/testing.ts';

/*
 * A long session whose access token expires: the client gets a new token (supabase-js refreshes the session;
 * the app's checklist loader hands the page a fresh one), sets it as the provider's `token` param and
 * reconnects. Edits made meanwhile stay in the client's Y.Doc and are sent in the sync after reconnecting.
 */

/** The server checks token expiry against this clock: the test moves it on instead of waiting. */
let clockOffsetMs = 0;
const t = useCollabServer({ server: { timing: { persistWindowMs: 10 }, auth: { jwtSecret: JWT_SECRET, now: () => Date.now() + clockOffsetMs } } });

const titles = (doc: Parameters<typeof readChecklist>[0]) =>
  readChecklist(doc).sections.flatMap((section) => section.items.map((item) => item.title));

describe('refreshing an expired token', () => {
  it('reconnects with a new token and loses none of the edits made while the old one expired', async () => {
    // Long enough that the server's close at expiry (decision 103) cannot come before the steps below.
    const shortLived = await tokenFor(t.fx.users.editor, { expiresInSeconds: 60 });
    const editor = connectClient(t.server.url, t.fx.checklistId, shortLived);
    const observer = connectClient(t.server.url, t.fx.checklistId, await tokenFor(t.fx.users.owner));
    try {
      await Promise.all([editor.synced(), observer.synced()]);
      const section = addSection(editor.doc, { title: 'Power' });
      addItem(editor.doc, { sectionId: section, title: 'made with the first token' });
      await waitFor(() => titles(observer.doc).length === 1, 'the first edit to arrive');

      // The connection drops; the user keeps working while the token runs out.
      editor.provider.disconnect();
      addItem(editor.doc, { sectionId: section, title: 'made while disconnected' });
      clockOffsetMs = 65_500; // past expiry plus the verifier's 5 s clock tolerance

      // Reconnecting with the expired token is refused before any sync, with a reason the client can act on.
      const refused = new Promise<{ code: number; reason: string }>((resolve) =>
        editor.provider.once('connection-close', (event: CloseEvent | null) => event && resolve({ code: event.code, reason: event.reason })),
      );
      editor.provider.connect();
      const closed = await refused;
      expect(closed.code).toBe(CloseCode.unauthorized);
      expect(closed.reason).toMatch(/^expired:/);
      expect(titles(observer.doc)).toEqual(['made with the first token']);

      // With a fresh token the offline edit goes through.
      editor.provider.disconnect();
      editor.provider.params = { token: await tokenFor(t.fx.users.editor, { now: Date.now() + clockOffsetMs }) };
      editor.provider.connect();
      await waitFor(() => titles(observer.doc).length === 2, 'the offline edit to arrive');
      expect(titles(observer.doc).sort()).toEqual(['made while disconnected', 'made with the first token']);
      await waitFor(async () => titles(await storedDoc(t.db, t.fx.checklistId)).length === 2, 'both edits to be stored');
    } finally {
      editor.destroy();
      observer.destroy();
    }
  });
});
