import { randomBytes } from 'node:crypto';
import type { Database } from './types.ts';

/**
 * The instance's own secret called `name` (e.g. 'jwt_secret'): created at random (48 bytes, base64url) the first time
 * it is asked for and kept in `tieout_private.instance_secrets`, so it lives with the instance's data (PGlite directory
 * or Postgres database) and survives restarts. Read and written with the owner connection only: no API role can see it.
 * Concurrent first starts agree on one value (insert ... on conflict do nothing, then read).
 */
export async function instanceSecret(db: Pick<Database, 'ownerQuery'>, name: string): Promise<string> {
  const candidate = randomBytes(48).toString('base64url');
  await db.ownerQuery(`insert into tieout_private.instance_secrets (name, value) values ($1, $2) on conflict (name) do nothing`, [name, candidate]);
  const { rows } = await db.ownerQuery<{ value: string }>(`select value from tieout_private.instance_secrets where name = $1`, [name]);
  const value = rows[0]?.value;
  if (!value) throw new Error(`The instance secret "${name}" could not be read back`);
  return value;
}
