/*
 * The email outbox worker on its own (the app process runs the same worker): delivers what the database queued,
 * through SMTP_URL or into MAIL_DIR (default .data/mail), until SIGINT/SIGTERM. Needs DATABASE_URL in production
 * (PGlite allows one process: with the embedded database, the app's own worker does this).
 * PUBLIC_APP_URL (required here): the app's address for links in messages. Logs are pino JSON lines (LOG_LEVEL).
 */
import { ConfigError, createLogger, readAll } from '@tieout/config';
import { mailerFromEnv, openDatabase, publicAppUrlFromEnv, startOutboxWorker } from '../index.ts';

const logger = createLogger('outbox');
let appUrl: string;
let mailer;
try {
  [appUrl, mailer] = readAll(
    () => {
      const url = publicAppUrlFromEnv(process.env);
      if (!url) throw new ConfigError({ variable: 'PUBLIC_APP_URL', message: "required: the app's http(s) address (links in emails point there)" });
      return url;
    },
    () => mailerFromEnv(process.env, '.data/mail'),
  );
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  logger.fatal({ problems: error.problems }, error.message);
  process.exit(1);
}
const db = await openDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.PGLITE_DATA_DIR ?? '.data/pglite' });
const worker = startOutboxWorker(db, mailer, { appUrl, onError: (error) => logger.error({ err: error }, 'outbox delivery failed') });
logger.info({ mailer: mailer.name }, 'outbox worker running');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void worker.close().finally(() => db.close().finally(() => process.exit(0)));
  });
}
