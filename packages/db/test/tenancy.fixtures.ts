import { randomUUID } from 'node:crypto';
import type { Database, JwtClaims } from '../src/index.ts';
import { openScratchDatabase } from '../src/testing.ts';

export interface TestUser {
  id: string;
  email: string;
  name: string;
  claims: JwtClaims;
}

export const migratedDatabase = (label: string) => openScratchDatabase({ label });

/** An auth user (as the embedded auth API or Supabase would create it) and the claims of their access token. */
export async function createUser(db: Database, name: string): Promise<TestUser> {
  const id = randomUUID();
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${id.slice(0, 8)}@example.com`;
  await db.asService((sql) =>
    sql.query(`insert into auth.users (id, email, aud, role, raw_user_meta_data) values ($1, $2, 'authenticated', 'authenticated', $3)`, [
      id,
      email,
      JSON.stringify({ display_name: name }),
    ]),
  );
  return { id, email, name, claims: { sub: id, role: 'authenticated', aud: 'authenticated', email } };
}
