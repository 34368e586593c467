import type { Database } from '@tieout/db';
import type { AppConfig } from '../server/config.ts';

declare module '@remix-run/node' {
  interface AppLoadContext {
    db: Database;
    config: AppConfig;
    /** The browser's address (rate limits of the embedded auth API apply per browser, not per server). */
    clientAddress: string | undefined;
  }
}

export {};
