/*
 * The email outbox worker on its own (the app process runs the same worker): delivers what the database queued,
 * through SMTP_URL or into MAIL_DIR (default .data/mail), until SIGINT/SIGTERM. Needs DATABASE_URL in production
 * (PGlite allows one process: with the embedded database, the app's own worker does this).
 * PUBLIC_APP_URL: the app's address for links in messages.
 */
import { mailerFromEnv, openDatabase, startOutboxWorker } from '../index.ts';

const appUrl = process.env.PUBLIC_APP_URL?.trim();
if (!appUrl || !/^https?:\/\//.test(appUrl)) {
  console.error('PUBLIC_APP_URL must be the app\'s http(s) address (links in emails point there)');
  process.exit(1);
}
let mailer;
try {
  mailer = mailerFromEnv(process.env, '.data/mail');
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const db = await openDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.PGLITE_DATA_DIR ?? '.data/pglite' });
const worker = startOutboxWorker(db, mailer, { appUrl, onError: (error) => console.error('outbox:', (error as Error).message ?? error) });
console.log(`outbox worker running (${mailer.name})`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void worker.close().finally(() => db.close().finally(() => process.exit(0)));
  });
}
