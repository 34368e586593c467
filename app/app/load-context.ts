import type { Logger } from '@tieout/config';
import type { Database } from '@tieout/db';
import type { AppConfig } from '../server/config.ts';
import type { FilesService } from '../server/files.ts';

declare module '@remix-run/node' {
  interface AppLoadContext {
    db: Database;
    config: AppConfig;
    /** The process's pino logger (app/server.ts): loaders, actions and rendering log through it, never console. */
    logger: Logger;
    /** Evidence files: uploads, signed links, previews (app/server/files.ts). */
    files: FilesService;
    /** The browser's address (rate limits of the embedded auth API apply per browser, not per server). */
    clientAddress: string | undefined;
    /** The browser reached the app over TLS (directly or as a trusted proxy says): cookies are Secure (decision 105). */
    secure?: boolean;
    /** This response's Content-Security-Policy nonce for scripts (app/server/security-headers.ts, decision 105). */
    cspNonce?: string;
  }
}

export {};
