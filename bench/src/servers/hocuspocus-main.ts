import { Database } from '@hocuspocus/extension-database';
import { Server } from '@hocuspocus/server';
import { createTokenVerifier } from '@tieout/auth';
import pg from 'pg';
import { serveChild } from './child.ts';

/**
 * Hocuspocus 4 (4.7; its package asks for Node 22, it runs on Node 20: see docs/benchmarks.md) with its Database extension storing each document's full state in its own table of the
 * benchmark database (fetch on load, store on its debounced onStoreDocument), default settings otherwise.
 * It verifies the same access tokens as Tieout in onAuthenticate (signature only: no membership lookup).
 */
const databaseUrl = process.env.BENCH_DATABASE_URL;
const jwtSecret = process.env.BENCH_JWT_SECRET;
if (!databaseUrl || !jwtSecret) throw new Error('BENCH_DATABASE_URL and BENCH_JWT_SECRET are required');

await serveChild(async () => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  pool.on('error', () => {});
  const verify = createTokenVerifier({ jwtSecret });
  const server = new Server({
    address: '127.0.0.1',
    port: 0,
    quiet: true,
    stopOnSignals: false,
    async onAuthenticate({ token }) {
      const claims = await verify(token);
      return { userId: claims.sub };
    },
    extensions: [
      new Database({
        fetch: async ({ documentName }) => {
          const { rows } = await pool.query<{ data: Buffer }>('select data from hocuspocus.documents where name = $1', [documentName]);
          return rows[0] ? new Uint8Array(rows[0].data) : null;
        },
        store: async ({ documentName, state }) => {
          await pool.query(
            `insert into hocuspocus.documents (name, data) values ($1, $2)
             on conflict (name) do update set data = excluded.data, updated_at = now()`,
            [documentName, state],
          );
        },
      }),
    ],
  });
  await server.listen();
  return {
    port: server.address.port,
    close: async () => {
      await server.destroy();
      await pool.end();
    },
  };
});
