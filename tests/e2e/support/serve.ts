/**
 * Starts the built app (with the collaboration server in the same process) on a fresh database:
 * a new PGlite directory by default, or a new database on the server named by DATABASE_URL.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openScratchDatabase } from '@tieout/db/testing';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PORT: process.env.E2E_PORT ?? '3100',
  NODE_ENV: 'production',
  // Every browser in the suite signs in from 127.0.0.1: far more than one person's sign-ins in 5 minutes.
  AUTH_SIGN_IN_LIMIT_PER_ADDRESS: '2000',
};

// The app migrates it when it starts.
const scratch = await openScratchDatabase({ label: 'e2e', migrate: false, persistent: true, connect: false });
Object.assign(env, scratch.env);

const child = spawn('npm', ['run', 'start', '--workspace=@tieout/app'], { cwd: repoRoot, env, stdio: 'inherit' });
const stop = () => child.kill('SIGTERM');
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code) => {
  void scratch.dispose().finally(() => process.exit(code ?? 0));
});
