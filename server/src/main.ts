import { ConfigError, createLogger, readAll } from '@tieout/config';
import { loadCollabConfig } from './config.ts';
import { versionTimingFromEnv } from './extensions/index.ts';
import { startCollabServer } from './standalone.ts';

// Configuration problems are logged before LOG_LEVEL is known, so at fatal whatever it says.
const bootLogger = createLogger('collab', { level: 'fatal' });

let config;
try {
  // Every variable at start, the version recorder's too: a bad value stops the process with every problem listed.
  [config] = readAll(
    () => loadCollabConfig(process.env),
    () => versionTimingFromEnv(process.env),
  );
} catch (error) {
  if (error instanceof ConfigError) {
    bootLogger.fatal({ problems: error.problems }, error.message);
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
