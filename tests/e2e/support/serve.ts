/**
 * Starts the built app (with the collaboration server in the same process) on a fresh database:
 * a new PGlite directory by default, or a new database on the server named by DATABASE_URL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PORT: process.env.E2E_PORT ?? '3100',
  NODE_ENV: 'production',
  // Every browser in the suite signs in from 127.0.0.1: far more than one person's sign-ins in 5 minutes.
  AUTH_SIGN_IN_LIMIT_PER_ADDRESS: '2000',
};

if (process.env.DATABASE_URL) {
  const admin = new URL(process.env.DATABASE_URL);
  const name = `tieout_e2e_${Date.now()}`;
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const stale = await client.query<{ datname: string }>(
    `select datname from pg_database where datname like 'tieout_e2e_%'
     and not exists (select 1 from pg_stat_activity a where a.datname = pg_database.datname)`,
  );
  for (const { datname } of stale.rows) await client.query(`drop database if exists "${datname}"`);
  await client.query(`create database "${name}"`);
  await client.end();
  admin.pathname = `/${name}`;
  env.DATABASE_URL = admin.toString();
} else {
  env.PGLITE_DATA_DIR = mkdtempSync(join(tmpdir(), 'tieout-e2e-'));
}

const child = spawn('npm', ['run', 'start', '--workspace=@tieout/app'], { cwd: repoRoot, env, stdio: 'inherit' });
const stop = () => child.kill('SIGTERM');
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code) => process.exit(code ?? 0));
