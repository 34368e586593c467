import { randomUUID } from 'node:crypto';
import { addSection } from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../src/index.ts';
import { emptySyncStep1Message } from '../src/protocol.ts';
import {
  awarenessNames,
  createFixture,
  metricValue,
  permissionDenials,
  rawClient,
  signRawJwt,
  storedAuthors,
  storedDoc,
  tokenFor,
  useCollabServer,
  waitFor,
} from '../src/testing.ts';

const t = useCollabServer({ server: { timing: { persistWindowMs: 10, membershipRecheckMs: 200 } } });

/** Resolves with the reason of the first permission-denied frame the server sends this client. */
async function firstDenial(denials: string[]): Promise<string> {
  await waitFor(() => denials.length > 0, 'a permission-denied frame');
  return denials[0]!;
}

/** Connects a raw socket and expects it to be closed before the server sent a single frame. */
async function expectRefused(path: string, code: number, reason: RegExp) {
  const client = rawClient(`${t.server.url}/${path}`);
  const closed = await client.closed;
  expect(closed.code).toBe(code);
  expect(closed.reason).toMatch(reason);
  expect(client.frames).toEqual([]);
}

describe('authentication before sync', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('refuses a missing token with 4401', async () => {
    await expectRefused(t.fx.checklistId, CloseCode.unauthorized, /^missing:/);
  });

  it('refuses a malformed token with 4401', async () => {
    await expectRefused(`${t.fx.checklistId}?token=not-a-jwt`, CloseCode.unauthorized, /^malformed:/);
    await expectRefused(`${t.fx.checklistId}?token=a.b.c`, CloseCode.unauthorized, /^malformed:/);
  });

  it('refuses an expired token with 4401', async () => {
    const token = await tokenFor(t.fx.users.editor, { now: Date.now() - 7200_000, expiresInSeconds: 60 });
    await expectRefused(`${t.fx.checklistId}?token=${token}`, CloseCode.unauthorized, /^expired:/);
  });

  it('refuses a token signed with another secret with 4401', async () => {
    const token = await tokenFor(t.fx.users.editor, { secret: 'some-other-secret-that-is-long-enough-0123' });
    await expectRefused(`${t.fx.checklistId}?token=${token}`, CloseCode.unauthorized, /^bad_signature:/);
  });

  it('refuses a token for another audience with 4401', async () => {
    const token = signRawJwt({ sub: t.fx.users.editor.id, role: 'authenticated', aud: 'someone-else', exp: now() + 600 });
    await expectRefused(`${t.fx.checklistId}?token=${token}`, CloseCode.unauthorized, /^wrong_audience:/);
  });

  it('refuses an anon-role token with 4401', async () => {
    const token = signRawJwt({ sub: t.fx.users.editor.id, role: 'anon', aud: 'authenticated', exp: now() + 600 });
    await expectRefused(`${t.fx.checklistId}?token=${token}`, CloseCode.unauthorized, /^invalid_claims:/);
  });

  it('refuses a signed-in non-member with 4403', async () => {
    await expectRefused(`${t.fx.checklistId}?token=${await tokenFor(t.fx.users.outsider)}`, CloseCode.forbidden, /^no access to this checklist$/);
  });

  it("answers an unknown checklist, a room name that is not a checklist id and another workspace's checklist alike (4403)", async () => {
    // Whether a checklist id exists is not told to someone who cannot open it (issue 10, decision 114).
    const other = await createFixture(t.db);
    const token = await tokenFor(t.fx.users.owner);
    const answers = [];
    for (const room of [other.checklistId, randomUUID(), 'not-a-checklist']) {
      const client = rawClient(`${t.server.url}/${room}?token=${token}`);
      answers.push(await client.closed);
    }
    expect(answers).toEqual(Array(3).fill({ code: CloseCode.forbidden, reason: 'no access to this checklist' }));
  });

  it('makes the stock provider stop reconnecting on a 44xx refusal', async () => {
    const client = await t.connect(t.server, t.fx.checklistId, t.fx.users.outsider);
    const closedForGood = new Promise<{ code: number }>((resolve) => client.provider.on('closed', (event) => resolve(event)));
    expect((await closedForGood).code).toBe(CloseCode.forbidden);
    expect(client.provider.synced).toBe(false);
    expect(client.provider.shouldConnect).toBe(false);
  });

  it('queues frames sent before authorization completes and answers them afterwards', async () => {
    const token = await tokenFor(t.fx.users.viewer);
    const client = rawClient(`${t.server.url}/${t.fx.checklistId}?token=${token}`);
    await client.opened;
    // Sync step 1 with an empty state vector, sent at once, before the server could have authorized.
    client.ws.send(emptySyncStep1Message());
    await waitFor(() => client.frames.some((frame) => frame[0] === 0 && frame[1] === 1), 'sync step 2');
    client.ws.close();
  });
});

describe('read-only roles', () => {
  for (const role of ['reviewer', 'viewer'] as const) {
    it(`does not apply or store a ${role}'s edits, tells them, and still relays their awareness`, async () => {
      const editor = await t.connect(t.server, t.fx.checklistId, t.fx.users.editor);
      const readOnly = await t.connect(t.server, t.fx.checklistId, t.fx.users[role]);
      await Promise.all([editor.synced(), readOnly.synced()]);

      const denials = permissionDenials(readOnly);
      const sectionId = addSection(readOnly.doc, { title: `Written by a ${role}` });
      readOnly.provider.awareness.setLocalStateField('user', { name: role });
      expect(await firstDenial(denials)).toMatch(new RegExp(`${role}.*cannot edit`));

      await waitFor(() => awarenessNames(editor).includes(role), 'the awareness state to reach the editor');
      // The editor's own edits still reach the read-only client.
      const editorSection = addSection(editor.doc, { title: 'From the editor' });
      await waitFor(() => readOnly.doc.getMap('sections').has(editorSection), 'the editor section');
      await t.server.collab.flush();
      expect(editor.doc.getMap('sections').has(sectionId)).toBe(false);
      expect(t.server.collab.loadedDocument(t.fx.checklistId)!.getMap('sections').has(sectionId)).toBe(false);
      expect((await storedDoc(t.db, t.fx.checklistId)).getMap('sections').has(sectionId)).toBe(false);
      expect(await storedAuthors(t.db, t.fx.checklistId)).not.toContain(t.fx.users[role].id);
      editor.destroy();
      readOnly.destroy();
    });
  }
});

describe('membership changes on open connections', () => {
  const membershipEvents = async () => metricValue(await t.server.collab.metrics.registry.metrics(), 'collab_membership_events_total') || 0;

  it('makes a demoted editor read-only and closes a removed member with 4403', async () => {
    const f = await createFixture(t.db);
    const editor = await t.connect(t.server, f.checklistId, f.users.editor);
    const owner = await t.connect(t.server, f.checklistId, f.users.owner);
    await Promise.all([editor.synced(), owner.synced()]);
    const denials = permissionDenials(editor);

    const eventsBefore = await membershipEvents();
    await t.db.asService((sql) =>
      sql.query(`update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2`, [f.workspaceId, f.users.editor.id]),
    );
    // The server heard of it: from now on the editor's frames wait until its role has been read again.
    await waitFor(async () => (await membershipEvents()) > eventsBefore, 'the server to hear of the demotion');
    const afterDemotion = addSection(editor.doc, { title: 'After demotion' });
    editor.provider.awareness.setLocalStateField('user', { name: 'after the demotion' });
    expect(await firstDenial(denials)).toMatch(/viewer.*cannot edit/);
    // Frames are handled in order: the awareness update sent after the edit reached the owner, the edit did not.
    await waitFor(() => awarenessNames(owner).includes('after the demotion'), 'the later awareness update at the owner');
    expect(owner.doc.getMap('sections').has(afterDemotion)).toBe(false);
    expect(t.server.collab.loadedDocument(f.checklistId)!.getMap('sections').has(afterDemotion)).toBe(false);

    await t.db.asService((sql) =>
      sql.query(`delete from public.workspace_members where workspace_id = $1 and user_id = $2`, [f.workspaceId, f.users.editor.id]),
    );
    expect(await editor.closed).toEqual({ code: CloseCode.forbidden, reason: 'membership revoked' });
    expect(owner.provider.wsconnected).toBe(true);
  });

  it('closes sessions of a deleted checklist with 4404', async () => {
    const f = await createFixture(t.db);
    const editor = await t.connect(t.server, f.checklistId, f.users.editor);
    await editor.synced();
    await t.db.asService((sql) => sql.query(`delete from public.checklists where id = $1`, [f.checklistId]));
    expect(await editor.closed).toEqual({ code: CloseCode.notFound, reason: 'checklist deleted' });
  });
});
