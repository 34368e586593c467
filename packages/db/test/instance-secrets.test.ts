import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceSecret, type Database } from '../src/index.ts';
import { openScratchDatabase } from '../src/testing.ts';

let db: Database;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ db, dispose } = await openScratchDatabase({ label: 'instance_secrets' }));
});
afterAll(async () => dispose?.());

describe('instanceSecret', () => {
  it('makes a random secret once and then returns the same one', async () => {
    const first = await instanceSecret(db, 'jwt_secret');
    expect(first).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(await instanceSecret(db, 'jwt_secret')).toBe(first);
    const [a, b] = await Promise.all([instanceSecret(db, 'concurrent'), instanceSecret(db, 'concurrent')]);
    expect(a).toBe(b);
    expect(await instanceSecret(db, 'other_secret')).not.toBe(first);
  });

  it('is out of reach of every API role (anon, authenticated, service_role), for reading and writing', async () => {
    await instanceSecret(db, 'jwt_secret');
    const claims = { sub: '11111111-1111-4111-8111-000000000002', role: 'authenticated', aud: 'authenticated' };
    const attempts = [
      'select value from tieout_private.instance_secrets',
      `insert into tieout_private.instance_secrets (name, value) values ('planted', repeat('x', 40))`,
      `update tieout_private.instance_secrets set value = repeat('x', 40)`,
      'delete from tieout_private.instance_secrets',
    ];
    for (const text of attempts) {
      await expect(db.asAnon((sql) => sql.query(text))).rejects.toThrow(/permission denied/);
      await expect(db.asUser(claims, (sql) => sql.query(text))).rejects.toThrow(/permission denied/);
      await expect(db.asService((sql) => sql.query(text))).rejects.toThrow(/permission denied/);
    }
  });
});
