import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addItem, addSection, updateItem } from '@tieout/doc-model';
import { ConfigError } from '@tieout/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  createThread,
  deliverOutbox,
  folderMailer,
  getEmailPreference,
  getMyWork,
  listNotifications,
  mailerFromEnv,
  publicAppUrlFromEnv,
  markNotificationsRead,
  notifyDueItems,
  notifyItemAssigned,
  queueDailyDigests,
  replyToThread,
  retryDelaySeconds,
  setEmailPreference,
  unreadNotificationCount,
  writeProjection,
  type Database,
  type EmailMessage,
  type Mailer,
} from '../src/index.ts';
import { createChecklistFixture, openScratchDatabase, type ChecklistFixture, type ScratchDatabase } from '../src/testing.ts';

let scratch: ScratchDatabase;
let db: Database;
let f: ChecklistFixture;
let mailDir: string;
let itemId: string;
const appUrl = 'http://tieout.test';
const doc = new Y.Doc();

const recording = (): Mailer & { sent: EmailMessage[] } => {
  const sent: EmailMessage[] = [];
  return { name: 'recording', sent, send: async (message) => void sent.push(message) };
};

async function outbox(): Promise<{ id: number; status: string; attempts: number; user_id: string; kind: string }[]> {
  const { rows } = await db.ownerQuery<{ id: number; status: string; attempts: number; user_id: string; kind: string }>(
    `select id, status, attempts, user_id, kind from public.email_outbox order by id`,
  );
  return rows;
}

beforeAll(async () => {
  scratch = await openScratchDatabase({ label: 'notifications' });
  db = scratch.db;
  f = await createChecklistFixture(db);
  mailDir = await mkdtemp(join(tmpdir(), 'tieout-mail-'));
  const { rows } = await db.ownerQuery<{ deal_id: string }>(`select deal_id from public.checklists where id = $1`, [f.checklistId]);
  const section = addSection(doc, { title: 'Power' });
  itemId = addItem(doc, { sectionId: section, title: 'Interconnection' });
  updateItem(doc, itemId, { ownerId: f.users.editor.id, dueDate: '2026-12-03' });
  await writeProjection(db, { checklistId: f.checklistId, workspaceId: f.workspaceId, dealId: rows[0]!.deal_id }, doc, null);
  // The collaboration server's review extension reports the assignment (it knows who made it).
  await notifyItemAssigned(db, {
    workspaceId: f.workspaceId,
    checklistId: f.checklistId,
    itemId,
    ownerId: f.users.editor.id,
    assignedBy: f.users.owner.id,
    dedupeKey: '1',
  });
  await notifyItemAssigned(db, {
    workspaceId: f.workspaceId,
    checklistId: f.checklistId,
    itemId,
    ownerId: f.users.editor.id,
    assignedBy: f.users.owner.id,
    dedupeKey: '1',
  });
  // Assigning yourself notifies nobody.
  await notifyItemAssigned(db, {
    workspaceId: f.workspaceId,
    checklistId: f.checklistId,
    itemId,
    ownerId: f.users.owner.id,
    assignedBy: f.users.owner.id,
    dedupeKey: '2',
  });
}, 60_000);
afterAll(async () => {
  await scratch?.dispose();
  if (mailDir) await rm(mailDir, { recursive: true, force: true });
});

describe('the inbox', () => {
  it('holds assignments, mentions, replies and due dates, each linking to its item, and marks them read', async () => {
    const { threadId } = await createThread(db, f.users.reviewer.claims, {
      checklistId: f.checklistId,
      itemId,
      body: 'Please check the capacity, @Editor',
      mentions: [f.users.editor.id],
    });
    await replyToThread(db, f.users.editor.claims, { threadId, body: 'On it' });
    expect(await notifyDueItems(db, '2026-12-01')).toBe(1);
    expect(await notifyDueItems(db, '2026-12-01')).toBe(0);

    const inbox = await listNotifications(db, f.users.editor.claims);
    expect(inbox.entries.map((entry) => entry.kind).sort()).toEqual(['assigned', 'due_soon', 'mention']);
    expect(inbox.unread).toBe(3);
    const mention = inbox.entries.find((entry) => entry.kind === 'mention')!;
    expect(mention).toMatchObject({
      summary: `${f.users.reviewer.email.split('@')[0]} mentioned you on “Interconnection”`,
      excerpt: 'Please check the capacity, @Editor',
      href: `/checklists/${f.checklistId}?item=${itemId}&thread=${threadId}`,
    });
    const reviewerInbox = await listNotifications(db, f.users.reviewer.claims);
    expect(reviewerInbox.entries.map((entry) => entry.kind)).toEqual(['reply']);
    // Nobody reads another's inbox.
    expect((await listNotifications(db, f.users.owner.claims)).entries).toEqual([]);

    expect(await markNotificationsRead(db, f.users.owner.claims, [mention.id])).toBe(0);
    expect(await markNotificationsRead(db, f.users.editor.claims, [mention.id])).toBe(1);
    expect(await unreadNotificationCount(db, f.users.editor.claims)).toBe(2);
    expect(await markNotificationsRead(db, f.users.editor.claims, 'all')).toBe(2);
    expect(await unreadNotificationCount(db, f.users.editor.claims)).toBe(0);
  });
});

describe('the email outbox', () => {
  it('delivers each queued message once, to the folder, with a link to the item', async () => {
    const queued = (await outbox()).filter((row) => row.status === 'pending');
    expect(queued.length).toBe(4);
    const mailer = folderMailer(mailDir);
    const first = await deliverOutbox(db, mailer, { appUrl });
    expect(first).toEqual({ sent: 4, failed: 0, skipped: 0 });
    expect(await deliverOutbox(db, mailer, { appUrl })).toEqual({ sent: 0, failed: 0, skipped: 0 });
    const files = (await readdir(mailDir)).filter((name) => name.endsWith('.json'));
    expect(files).toHaveLength(4);
    const messages = await Promise.all(files.map(async (name) => JSON.parse(await readFile(join(mailDir, name), 'utf8'))));
    const mention = messages.find((message) => /mentioned you/.test(message.subject));
    expect(mention.to).toEqual([{ address: f.users.editor.email, name: '' }]);
    expect(mention.text).toContain(`${appUrl}/checklists/${f.checklistId}?item=${itemId}`);
    expect((await outbox()).every((row) => row.status === 'sent')).toBe(true);
  });

  it('keeps a message through an SMTP outage and sends it once when delivery works again', async () => {
    await createThread(db, f.users.reviewer.claims, {
      checklistId: f.checklistId,
      itemId,
      body: 'Another look, @Editor',
      mentions: [f.users.editor.id],
    });
    const down: Mailer = { name: 'down', send: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:25')) };
    expect(await deliverOutbox(db, down, { appUrl })).toEqual({ sent: 0, failed: 1, skipped: 0 });
    const pending = (await outbox()).filter((row) => row.status !== 'sent');
    expect(pending).toMatchObject([{ status: 'pending', attempts: 1 }]);
    const mailer = recording();
    // Not due yet: the retry waits for its backoff.
    expect(await deliverOutbox(db, mailer, { appUrl })).toEqual({ sent: 0, failed: 0, skipped: 0 });
    await db.ownerQuery(`update public.email_outbox set next_attempt_at = now() where status = 'pending'`);
    expect(await deliverOutbox(db, mailer, { appUrl })).toEqual({ sent: 1, failed: 0, skipped: 0 });
    expect(mailer.sent.map((message) => message.subject)).toEqual([expect.stringMatching(/mentioned you/)]);
    expect(retryDelaySeconds(1)).toBe(30);
    expect(retryDelaySeconds(20)).toBe(3600);
  });

  it('takes a row claimed by a worker that died back after its lease, with the same Message-ID', async () => {
    await createThread(db, f.users.reviewer.claims, { checklistId: f.checklistId, itemId, body: 'Third, @Editor', mentions: [f.users.editor.id] });
    const dying: Mailer = { name: 'dying', send: () => new Promise<void>(() => {}) };
    // The "dead" worker claims the row and never finishes.
    void deliverOutbox(db, dying, { appUrl, leaseSeconds: 3600 });
    await expect.poll(async () => (await outbox()).filter((row) => row.status === 'sending').length).toBe(1);
    const live = recording();
    // Another worker does not take a row under a live lease.
    expect(await deliverOutbox(db, live, { appUrl })).toEqual({ sent: 0, failed: 0, skipped: 0 });
    await db.ownerQuery(`update public.email_outbox set lease_until = now() where status = 'sending'`);
    expect(await deliverOutbox(db, live, { appUrl })).toEqual({ sent: 1, failed: 0, skipped: 0 });
    const { rows } = await db.ownerQuery<{ message_id: string }>(
      `select message_id from public.email_outbox where status = 'sent' order by id desc limit 1`,
    );
    expect(live.sent[0]!.messageId).toBe(rows[0]!.message_id);
  });

  it('follows each person’s preference: off sends nothing, a daily digest gathers the day in one message', async () => {
    expect(await getEmailPreference(db, f.users.editor.claims)).toBe('immediately');
    await setEmailPreference(db, f.users.editor.claims, 'off');
    await setEmailPreference(db, f.users.reviewer.claims, 'daily_digest');
    const before = (await outbox()).length;
    const { threadId } = await createThread(db, f.users.owner.claims, {
      checklistId: f.checklistId,
      itemId,
      body: 'Quiet, @Editor',
      mentions: [f.users.editor.id],
    });
    await replyToThread(db, f.users.editor.claims, { threadId, body: 'Noted' });
    await replyToThread(db, f.users.reviewer.claims, { threadId, body: 'Me too' });
    // Owner (immediately) gets replies; editor (off) and reviewer (digest) get nothing right away.
    const fresh = (await outbox()).slice(before);
    expect(fresh.map((row) => [row.user_id, row.kind])).toEqual([
      [f.users.owner.id, 'immediate'],
      [f.users.owner.id, 'immediate'],
    ]);
    expect(await queueDailyDigests(db, '2026-12-01')).toBe(1);
    expect(await queueDailyDigests(db, '2026-12-01')).toBe(0);
    const mailer = recording();
    await deliverOutbox(db, mailer, { appUrl });
    const digest = mailer.sent.find((message) => message.to === f.users.reviewer.email)!;
    expect(digest.subject).toMatch(/^Tieout: \d+ notifications? in the last day$/);
    expect(digest.text).toContain('replied in a thread on “Interconnection”');
  });

  it('chooses SMTP only with a valid SMTP_URL, else the folder', () => {
    expect(mailerFromEnv({}, mailDir).name).toBe('folder');
    expect(mailerFromEnv({ SMTP_URL: 'smtp://user:secret@127.0.0.1:2525' }, mailDir).name).toBe('smtp');
    expect(() => mailerFromEnv({ SMTP_URL: 'http://mail.example.com' }, mailDir)).toThrow(ConfigError);
    expect(() => mailerFromEnv({ SMTP_URL: 'http://mail.example.com' }, mailDir)).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
  });

  it('reads PUBLIC_APP_URL as an http(s) address, or refuses it naming the variable', () => {
    expect(publicAppUrlFromEnv({})).toBeUndefined();
    expect(publicAppUrlFromEnv({ PUBLIC_APP_URL: ' https://tieout.example.com ' })).toBe('https://tieout.example.com/');
    for (const bad of ['ftp://tieout.example.com', 'tieout.example.com']) {
      expect(() => publicAppUrlFromEnv({ PUBLIC_APP_URL: bad })).toThrow(/PUBLIC_APP_URL: must be an http:\/\/ or https:\/\/ URL/);
    }
  });
});

describe('my work', () => {
  it('lists items assigned to me, threads waiting for my reply and reviews waiting for me', async () => {
    const editorWork = await getMyWork(db, f.users.editor.claims);
    expect(editorWork.assigned.map((item) => [item.itemId, item.title])).toEqual([[itemId, 'Interconnection']]);
    expect(editorWork.reviews).toEqual([]);
    // The owner's latest "Quiet, @Editor" thread has replies from both: the last is the reviewer's.
    expect(editorWork.threads.length).toBeGreaterThan(0);
    expect(editorWork.threads.every((thread) => thread.lastAuthorName !== null)).toBe(true);
    expect(editorWork.counts.assigned).toBe(1);

    updateItem(doc, itemId, { status: 'needs_review' });
    const { rows } = await db.ownerQuery<{ deal_id: string }>(`select deal_id from public.checklists where id = $1`, [f.checklistId]);
    await writeProjection(db, { checklistId: f.checklistId, workspaceId: f.workspaceId, dealId: rows[0]!.deal_id }, doc, null);
    const reviewerWork = await getMyWork(db, f.users.reviewer.claims);
    expect(reviewerWork.reviews.map((item) => item.itemId)).toEqual([itemId]);
    expect((await getMyWork(db, f.users.editor.claims)).reviews).toEqual([]);
    expect((await getMyWork(db, f.users.outsider.claims)).counts).toEqual({ assigned: 0, threads: 0, reviews: 0 });
  });
});
