/*
 * Email in the app process: SMTP when SMTP_URL is set (nodemailer), else each message as a JSON file in MAIL_DIR
 * (default <data dir>/mail, i.e. .data/mail). The outbox worker delivers what the database queued
 * (packages/db/src/notifications.ts; standalone: `npm run outbox:worker -w @tieout/db`).
 */
import { dirname, join } from 'node:path';
import type { Logger } from '@tieout/config';
import { mailerFromEnv, publicAppUrlFromEnv, startOutboxWorker, type Database, type Mailer, type OutboxWorker } from '@tieout/db';

/** `pgliteDataDir`: the embedded database's folder; mail goes next to it (.data/pglite → .data/mail). */
export function createMailer(env: NodeJS.ProcessEnv, pgliteDataDir: string): Mailer {
  return mailerFromEnv(env, join(dirname(pgliteDataDir), 'mail'));
}

/** PUBLIC_APP_URL (links in emails), else this server's own address; a ConfigError when PUBLIC_APP_URL is not http(s). */
export function appUrlFrom(env: NodeJS.ProcessEnv, port: number): string {
  return publicAppUrlFromEnv(env) ?? `http://localhost:${port}`;
}

export function startMail(db: Database, mailer: Mailer, appUrl: string, logger: Logger): OutboxWorker {
  return startOutboxWorker(db, mailer, {
    appUrl,
    onError: (error) => logger.error({ err: error }, 'email outbox delivery failed'),
  });
}
