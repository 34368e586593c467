/*
 * Notifications: the in-app inbox (rows written by triggers of the reviews migration, and for due dates by
 * `notifyDueItems`), per-user email preferences, and the email outbox with its worker. The outbox holds one row
 * per email, written in the same transaction as the notification it announces, so nothing is lost when the
 * process or the SMTP server is down; the worker claims rows with `for update skip locked` (several workers
 * never take the same row), sends, and marks them sent (docs/decisions/131-email-outbox.md).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { emptyAsUndefined, env, parseEnv } from '@tieout/config';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { subscribeLiveEvents } from './live-events.ts';
import type { Database, JwtClaims, Sql } from './types.ts';

export type NotificationKind = 'mention' | 'reply' | 'assigned' | 'sent_back' | 'approved' | 'due_soon' | 'overdue';

export interface InboxEntry {
  id: number;
  kind: NotificationKind;
  createdAt: string;
  readAt: string | null;
  workspaceId: string;
  checklistId: string | null;
  checklistTitle: string | null;
  dealName: string | null;
  itemId: string | null;
  itemTitle: string | null;
  dueDate: string | null;
  threadId: string | null;
  commentId: string | null;
  /** The comment's text (first 280 characters), unless deleted. */
  excerpt: string | null;
  actorName: string | null;
  /** What the entry says, in words. */
  summary: string;
  /** Where it leads: the checklist, with the item (and thread) to open. */
  href: string | null;
}

type EntryRow = {
  id: number;
  kind: NotificationKind;
  created_at: string | Date;
  read_at: string | Date | null;
  workspace_id: string;
  checklist_id: string | null;
  checklist_title: string | null;
  deal_name: string | null;
  item_id: string | null;
  item_title: string | null;
  due_date: string | null;
  thread_id: string | null;
  comment_id: string | null;
  excerpt: string | null;
  actor_name: string | null;
};

const ENTRY_SELECT = `
  select n.id, n.kind, n.created_at, n.read_at, n.workspace_id, n.checklist_id, c.title as checklist_title,
         d.name as deal_name, n.item_id, ci.title as item_title, ci.due_date, n.thread_id, n.comment_id,
         case when cm.deleted_at is null then left(cm.body, 280) end as excerpt, p.display_name as actor_name
    from public.notifications n
    left join public.checklists c on c.id = n.checklist_id
    left join public.deals d on d.id = c.deal_id
    left join public.checklist_items ci on ci.checklist_id = n.checklist_id and ci.item_id = n.item_id
    left join public.comments cm on cm.id = n.comment_id
    left join public.profiles p on p.id = n.actor_id`;

const iso = (value: string | Date | null): string | null => (value === null ? null : new Date(value).toISOString());

export function notificationSummary(entry: {
  kind: NotificationKind;
  actorName: string | null;
  itemTitle: string | null;
  dueDate: string | null;
}): string {
  const who = entry.actorName ?? 'Someone';
  const item = entry.itemTitle ? `“${entry.itemTitle}”` : 'an item';
  switch (entry.kind) {
    case 'mention':
      return `${who} mentioned you on ${item}`;
    case 'reply':
      return `${who} replied in a thread on ${item}`;
    case 'assigned':
      return `${who} assigned ${item} to you`;
    case 'sent_back':
      return `${who} sent ${item} back to you`;
    case 'approved':
      return `${who} approved ${item}`;
    case 'due_soon':
      return `${item} is due ${entry.dueDate ? `on ${entry.dueDate}` : 'soon'}`;
    case 'overdue':
      return `${item} is overdue${entry.dueDate ? ` (due ${entry.dueDate})` : ''}`;
  }
}

/** The app path of a notification's target: the checklist, opened on the item (and the thread). */
export function notificationPath(entry: { checklistId: string | null; itemId: string | null; threadId: string | null }): string | null {
  if (!entry.checklistId) return null;
  const params = new URLSearchParams();
  if (entry.itemId) params.set('item', entry.itemId);
  if (entry.threadId) params.set('thread', entry.threadId);
  const query = params.toString();
  return `/checklists/${entry.checklistId}${query ? `?${query}` : ''}`;
}

function toEntry(row: EntryRow): InboxEntry {
  const base = {
    id: Number(row.id),
    kind: row.kind,
    createdAt: iso(row.created_at)!,
    readAt: iso(row.read_at),
    workspaceId: row.workspace_id,
    checklistId: row.checklist_id,
    checklistTitle: row.checklist_title,
    dealName: row.deal_name,
    itemId: row.item_id,
    itemTitle: row.item_title,
    dueDate: row.due_date,
    threadId: row.thread_id,
    commentId: row.comment_id,
    excerpt: row.excerpt,
    actorName: row.actor_name,
  };
  return { ...base, summary: notificationSummary(base), href: notificationPath(base) };
}

export interface Inbox {
  entries: InboxEntry[];
  unread: number;
}

/** The signed-in user's notifications, newest first (RLS: own only, of workspaces they are still in). */
export async function listNotifications(db: Database, claims: JwtClaims, options: { limit?: number; unreadOnly?: boolean } = {}): Promise<Inbox> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  return db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<EntryRow>(
      `${ENTRY_SELECT} where n.user_id = $1 ${options.unreadOnly ? 'and n.read_at is null' : ''} order by n.created_at desc, n.id desc limit $2`,
      [claims.sub, limit],
    );
    const unread = await unreadCountIn(sql, claims.sub);
    return { entries: rows.map(toEntry), unread };
  });
}

async function unreadCountIn(sql: Sql, userId: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(`select count(*)::int as n from public.notifications where user_id = $1 and read_at is null`, [
    userId,
  ]);
  return rows[0]!.n;
}

export async function unreadNotificationCount(db: Database, claims: JwtClaims): Promise<number> {
  return db.asUser(claims, (sql) => unreadCountIn(sql, claims.sub));
}

/** Marks the given notifications (or all) read; returns how many changed. */
export async function markNotificationsRead(db: Database, claims: JwtClaims, ids: readonly number[] | 'all'): Promise<number> {
  if (ids !== 'all' && (ids.length === 0 || ids.some((id) => !Number.isSafeInteger(id) || id <= 0))) return 0;
  const { rows } = await db.asUser(claims, (sql) =>
    ids === 'all'
      ? sql.query(`update public.notifications set read_at = now() where user_id = $1 and read_at is null returning 1`, [claims.sub])
      : sql.query(`update public.notifications set read_at = now() where user_id = $1 and read_at is null and id = any($2::bigint[]) returning 1`, [
          claims.sub,
          ids,
        ]),
  );
  return rows.length;
}

export const emailPreferences = ['immediately', 'daily_digest', 'off'] as const;
export type EmailPreference = (typeof emailPreferences)[number];

export async function getEmailPreference(db: Database, claims: JwtClaims): Promise<EmailPreference> {
  const { rows } = await db.asUser(claims, (sql) =>
    sql.query<{ email: EmailPreference }>(`select email from public.notification_preferences where user_id = $1`, [claims.sub]),
  );
  return rows[0]?.email ?? 'immediately';
}

export async function setEmailPreference(db: Database, claims: JwtClaims, preference: EmailPreference): Promise<void> {
  if (!(emailPreferences as readonly string[]).includes(preference)) throw new Error(`Unknown email preference ${JSON.stringify(preference)}`);
  await db.asUser(claims, (sql) =>
    sql.query(
      `insert into public.notification_preferences (user_id, email) values ($1, $2)
       on conflict (user_id) do update set email = excluded.email, updated_at = now()`,
      [claims.sub, preference],
    ),
  );
}

/** Notifications for items due within 3 days or overdue (once per item, due date and kind). As service_role. */
export async function notifyDueItems(db: Database, today: string): Promise<number> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error(`Not a date: ${today}`);
  const { rows } = await db.asService((sql) => sql.query<{ n: number }>(`select public.notify_due_items($1::date) as n`, [today]));
  return rows[0]!.n;
}

// ---------------------------------------------------------------------------------------------------------------
// Email

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** Stable per outbox row: a row sent twice (a crash between sending and marking) carries the same Message-ID. */
  messageId: string;
}

/** Where email goes: SMTP, or a folder in development and tests. */
export interface Mailer {
  readonly name: string;
  send(message: EmailMessage): Promise<void>;
  close?(): void;
}

export const DEFAULT_MAIL_FROM = 'Tieout <notifications@tieout.invalid>';

/** Real delivery through SMTP (nodemailer), e.g. `smtp://user:pass@smtp.example.com:587` or `smtps://…:465`. */
export function smtpMailer(url: string, from = DEFAULT_MAIL_FROM): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    name: 'smtp',
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text, messageId: `<${message.messageId}>` });
    },
    close: () => transport.close(),
  };
}

/**
 * Development and tests: each message becomes `<dir>/<time>-<message id>.json` (nodemailer's JSON transport:
 * from, to, subject, text, messageId), written atomically enough for a reader that lists the folder.
 */
export function folderMailer(dir: string, from = DEFAULT_MAIL_FROM): Mailer {
  const transport = nodemailer.createTransport({ jsonTransport: true });
  return {
    name: 'folder',
    async send(message) {
      const info = await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        messageId: `<${message.messageId}>`,
      });
      await mkdir(dir, { recursive: true });
      const safeId = message.messageId.replace(/[^A-Za-z0-9.-]/g, '_');
      const path = join(dir, `${Date.now()}-${safeId}.json`);
      await writeFile(`${path}.tmp`, String(info.message));
      const { rename } = await import('node:fs/promises');
      await rename(`${path}.tmp`, path);
    },
  };
}

export const mailConfigSchema = z.object({
  SMTP_URL: env.optionalUrl(/^smtps?$/, 'must be an smtp:// or smtps:// URL'),
  MAIL_FROM: z.preprocess(emptyAsUndefined, z.string().min(3).optional()),
  MAIL_DIR: env.optionalString(),
});

/** SMTP when SMTP_URL is set, else the folder transport (MAIL_DIR, default `<dataDir>/mail`); a ConfigError lists bad values. */
export function mailerFromEnv(source: Record<string, string | undefined>, defaultDir: string): Mailer {
  const parsed = parseEnv(mailConfigSchema, source);
  const from = parsed.MAIL_FROM ?? DEFAULT_MAIL_FROM;
  return parsed.SMTP_URL ? smtpMailer(parsed.SMTP_URL, from) : folderMailer(parsed.MAIL_DIR ?? defaultDir, from);
}

const appUrlSchema = z.object({ PUBLIC_APP_URL: env.optionalUrl(/^https?$/, 'must be an http:// or https:// URL') });

/** PUBLIC_APP_URL, the app's address for links in emails (undefined when unset); a ConfigError when it is not http(s). */
export function publicAppUrlFromEnv(source: Record<string, string | undefined>): string | undefined {
  const url = parseEnv(appUrlSchema, source).PUBLIC_APP_URL;
  return url === undefined ? undefined : new URL(url).toString();
}

type OutboxRow = {
  id: number;
  user_id: string;
  kind: 'immediate' | 'digest';
  notification_id: number | null;
  notification_ids: number[];
  message_id: string;
  attempts: number;
  email: string | null;
  display_name: string | null;
};

export interface DeliveryResult {
  sent: number;
  failed: number;
  skipped: number;
}

export interface OutboxOptions {
  /** The app's public URL, for links in messages (e.g. http://localhost:3000). */
  appUrl: string;
  /** Rows claimed per batch. */
  batchSize?: number;
  /** A claimed row not marked sent within this time is taken again (the worker died mid-send). */
  leaseSeconds?: number;
  /** Attempts before a row is given up as failed. */
  maxAttempts?: number;
}

/** Backoff after the n-th failed attempt: 30 s, 1 min, 2 min, … capped at 1 hour. */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(30 * 2 ** Math.max(attempt - 1, 0), 3600);
}

async function entriesByIds(sql: Sql, ids: number[]): Promise<InboxEntry[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql.query<EntryRow>(`${ENTRY_SELECT} where n.id = any($1::bigint[]) order by n.created_at, n.id`, [ids]);
  return rows.map(toEntry);
}

function link(appUrl: string, entry: InboxEntry): string {
  return entry.href ? new URL(entry.href, appUrl).toString() : new URL('/inbox', appUrl).toString();
}

function describe(entry: InboxEntry, appUrl: string): string {
  const where = [entry.dealName, entry.checklistTitle].filter(Boolean).join(' · ');
  return [entry.summary, where ? `(${where})` : '', entry.excerpt ? `\n  “${entry.excerpt}”` : '', `\n  ${link(appUrl, entry)}`]
    .filter(Boolean)
    .join(' ');
}

/** Renders the message of an outbox row; null when there is nothing left to say (notifications gone). */
export function renderEmail(
  row: { kind: 'immediate' | 'digest'; to: string; name: string | null; messageId: string },
  entries: InboxEntry[],
  appUrl: string,
): EmailMessage | null {
  if (entries.length === 0) return null;
  const footer = `\n\n—\nYou get these emails because of your Tieout notification settings: ${new URL('/inbox', appUrl).toString()}`;
  if (row.kind === 'immediate') {
    const entry = entries[0]!;
    return { to: row.to, messageId: row.messageId, subject: entry.summary, text: `${describe(entry, appUrl)}${footer}` };
  }
  return {
    to: row.to,
    messageId: row.messageId,
    subject: `Tieout: ${entries.length} notification${entries.length === 1 ? '' : 's'} in the last day`,
    text: `Hello ${row.name ?? ''},\n\n${entries.map((entry) => `- ${describe(entry, appUrl)}`).join('\n')}${footer}`,
  };
}

/**
 * Delivers due outbox rows: claims up to `batchSize` (status 'sending', a lease), committed, then sends each and
 * marks it sent, or schedules a retry with backoff (failed for good after `maxAttempts`). Rows whose recipient
 * has no address or whose notifications are gone are marked skipped.
 */
export async function deliverOutbox(db: Database, mailer: Mailer, options: OutboxOptions): Promise<DeliveryResult> {
  const batchSize = options.batchSize ?? 20;
  const lease = options.leaseSeconds ?? 120;
  const maxAttempts = options.maxAttempts ?? 8;
  const claimed = await db.asService(async (sql) => {
    const { rows } = await sql.query<OutboxRow>(
      `with due as (
         select id from public.email_outbox
          where (status = 'pending' and next_attempt_at <= now()) or (status = 'sending' and lease_until <= now())
          order by id limit $1 for update skip locked
       )
       update public.email_outbox o set status = 'sending', lease_until = now() + make_interval(secs => $2), attempts = o.attempts + 1
         from due where o.id = due.id
       returning o.id, o.user_id, o.kind, o.notification_id, o.notification_ids, o.message_id, o.attempts,
         (select p.email from public.profiles p where p.id = o.user_id) as email,
         (select p.display_name from public.profiles p where p.id = o.user_id) as display_name`,
      [batchSize, lease],
    );
    const messages: { row: OutboxRow; message: EmailMessage | null }[] = [];
    for (const row of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
      const ids = row.kind === 'immediate' && row.notification_id !== null ? [Number(row.notification_id)] : row.notification_ids.map(Number);
      const entries = await entriesByIds(sql, ids);
      messages.push({
        row,
        message: row.email
          ? renderEmail({ kind: row.kind, to: row.email, name: row.display_name, messageId: row.message_id }, entries, options.appUrl)
          : null,
      });
    }
    return messages;
  });
  const result: DeliveryResult = { sent: 0, failed: 0, skipped: 0 };
  for (const { row, message } of claimed) {
    if (!message) {
      await db.asService((sql) => sql.query(`update public.email_outbox set status = 'skipped', lease_until = null where id = $1`, [row.id]));
      result.skipped += 1;
      continue;
    }
    try {
      await mailer.send(message);
    } catch (error) {
      const giveUp = row.attempts >= maxAttempts;
      await db.asService((sql) =>
        sql.query(
          `update public.email_outbox set status = $2, lease_until = null, last_error = $3,
             next_attempt_at = now() + make_interval(secs => $4) where id = $1`,
          [row.id, giveUp ? 'failed' : 'pending', String((error as Error)?.message ?? error).slice(0, 500), retryDelaySeconds(row.attempts)],
        ),
      );
      result.failed += 1;
      continue;
    }
    await db.asService((sql) =>
      sql.query(`update public.email_outbox set status = 'sent', sent_at = now(), lease_until = null, last_error = null where id = $1`, [row.id]),
    );
    result.sent += 1;
  }
  return result;
}

/**
 * Queues the daily digest of every user who chose it: their notifications of the last day not yet in a digest,
 * one message per user and day (`day`, YYYY-MM-DD, names it). Returns how many were queued.
 */
export async function queueDailyDigests(db: Database, day: string): Promise<number> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`Not a date: ${day}`);
  const { rows } = await db.asService((sql) =>
    sql.query(
      `insert into public.email_outbox (user_id, kind, notification_ids, dedupe_key)
       select n.user_id, 'digest', array_agg(n.id order by n.id), 'digest:' || n.user_id::text || ':' || $1
         from public.notifications n
         join public.notification_preferences p on p.user_id = n.user_id and p.email = 'daily_digest'
        where n.created_at > now() - interval '1 day'
          and not exists (select 1 from public.email_outbox o where o.kind = 'digest' and o.user_id = n.user_id and n.id = any(o.notification_ids))
        group by n.user_id
       on conflict (dedupe_key) do nothing
       returning 1`,
      [day],
    ),
  );
  return rows.length;
}

export interface OutboxWorker {
  /** One round: due-date notifications (once per day), digests (once per day), then delivery. */
  runOnce(): Promise<DeliveryResult>;
  close(): Promise<void>;
}

export interface OutboxWorkerOptions extends OutboxOptions {
  /** Milliseconds between rounds (default 5 s). */
  intervalMs?: number;
  /** Today as YYYY-MM-DD (tests pass a fixed day). */
  today?: () => string;
  onError?: (error: unknown) => void;
  /** Also deliver right away when a 'notifications' live event arrives (default true). */
  wakeOnLiveEvents?: boolean;
}

/** Runs `deliverOutbox` periodically (in the app process, or standalone: packages/db/src/cli/outbox-worker.ts). */
export function startOutboxWorker(db: Database, mailer: Mailer, options: OutboxWorkerOptions): OutboxWorker {
  const today = options.today ?? (() => new Date().toISOString().slice(0, 10));
  let lastDay: string | null = null;
  let running: Promise<DeliveryResult> | null = null;
  let closed = false;
  const round = async (): Promise<DeliveryResult> => {
    const day = today();
    if (day !== lastDay) {
      await notifyDueItems(db, day);
      await queueDailyDigests(db, day);
      lastDay = day;
    }
    return deliverOutbox(db, mailer, options);
  };
  const runOnce = () => {
    running ??= round().finally(() => {
      running = null;
    });
    return running;
  };
  let again = false;
  const wake = () => {
    if (closed) return;
    // One round at a time; a wake-up during a round runs one more after it.
    if (running) {
      again = true;
      return;
    }
    runOnce()
      .catch((error) => options.onError?.(error))
      .finally(() => {
        if (again) {
          again = false;
          wake();
        }
      });
  };
  const timer = setInterval(wake, options.intervalMs ?? 5_000);
  timer.unref?.();
  const subscription =
    options.wakeOnLiveEvents === false
      ? null
      : subscribeLiveEvents(db, (event) => {
          if (event.topic === 'notifications') wake();
        }).catch((error: unknown) => {
          options.onError?.(error);
          return null;
        });
  wake();
  return {
    runOnce,
    async close() {
      closed = true;
      clearInterval(timer);
      await (await subscription)?.close();
      await running?.catch(() => {});
      mailer.close?.();
    },
  };
}

/**
 * Tells an item's new owner it was assigned to them (not when they assigned it themselves). Called by the
 * collaboration server, which knows who made the change; as service_role. `dedupeKey` names the change
 * (e.g. the update-log id), so a retried call notifies once.
 */
export async function notifyItemAssigned(
  db: Database,
  input: { workspaceId: string; checklistId: string; itemId: string; ownerId: string; assignedBy: string; dedupeKey?: string },
): Promise<void> {
  const key = `assigned:${input.checklistId}:${input.itemId}:${input.ownerId}:${input.dedupeKey ?? new Date().toISOString()}`;
  await db.asService((sql) =>
    sql.query(`select public.notify_user($1, $2, 'assigned', $3, $4, null, null, $5, $6)`, [
      input.ownerId,
      input.workspaceId,
      input.checklistId,
      input.itemId,
      input.assignedBy,
      key,
    ]),
  );
}
