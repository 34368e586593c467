import { pino } from 'pino';
import { ConfigError, loadCollabConfig } from './config.ts';
import { startCollabServer } from './standalone.ts';

const bootLogger = pino({ name: 'collab' });

let config;
try {
  config = loadCollabConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    bootLogger.fatal(error.message);
    process.exit(2);
  }
  throw error;
}

const server = await startCollabServer(config);
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.collab.logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.collab.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
