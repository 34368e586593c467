import { describe, expect, it } from 'vitest';
import { clientAddress } from '../server/auth-api.ts';
import { ConfigError, loadConfig, withListeningPort } from '../server/config.ts';

const dev = { developmentJwtSecret: 'development-secret-that-is-long-enough-0123' };

describe('loadConfig', () => {
  it('defaults to embedded auth, PGlite under the repo and port 3000', () => {
    const config = loadConfig({}, dev);
    expect(config.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.pgliteDataDir).toMatch(/\/\.data\/pglite$/);
    expect(config.auth).toMatchObject({ mode: 'embedded', supabaseUrl: 'http://127.0.0.1:3000', jwtSecret: dev.developmentJwtSecret, usingDevelopmentSecret: true });
    expect(config.auth).toMatchObject({ signInLimitPerAddress: 60 });
    expect(config.collabUrl).toBeUndefined();
  });
  it('takes the sign-in limit per client address from AUTH_SIGN_IN_LIMIT_PER_ADDRESS, a positive whole number', () => {
    expect(loadConfig({ AUTH_SIGN_IN_LIMIT_PER_ADDRESS: '500' }, dev).auth).toMatchObject({ signInLimitPerAddress: 500 });
    expect(() => loadConfig({ AUTH_SIGN_IN_LIMIT_PER_ADDRESS: '0' }, dev)).toThrow(/AUTH_SIGN_IN_LIMIT_PER_ADDRESS/);
    expect(() => loadConfig({ AUTH_SIGN_IN_LIMIT_PER_ADDRESS: 'many' }, dev)).toThrow(/AUTH_SIGN_IN_LIMIT_PER_ADDRESS/);
  });
  it('uses hosted Supabase when SUPABASE_URL is set and requires its anon key', () => {
    expect(() => loadConfig({ SUPABASE_URL: 'https://abc.supabase.co' }, dev)).toThrow(/SUPABASE_ANON_KEY/);
    const config = loadConfig({ SUPABASE_URL: 'https://abc.supabase.co/', SUPABASE_ANON_KEY: 'anon' }, dev);
    expect(config.auth).toMatchObject({ mode: 'hosted', supabaseUrl: 'https://abc.supabase.co', jwtSecret: undefined });
  });
  it('treats empty variables as unset and normalises COLLAB_URL to a websocket URL', () => {
    const config = loadConfig({ DATABASE_URL: '', PORT: '', COLLAB_URL: 'http://127.0.0.1:4000/' }, dev);
    expect(config.database.url).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.collabUrl).toBe('ws://127.0.0.1:4000');
  });
  it('rejects bad values with every problem named', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SUPABASE_JWT_SECRET: 'short' }, dev);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/DATABASE_URL/);
      expect((error as Error).message).toMatch(/SUPABASE_JWT_SECRET/);
    }
  });
  it('follows the real port of an ephemeral listener in embedded mode', () => {
    const config = withListeningPort(loadConfig({ PORT: '0' }, dev), 41234);
    expect(config.auth.supabaseUrl).toBe('http://127.0.0.1:41234');
  });
});

describe('clientAddress', () => {
  const req = (remoteAddress: string, forwarded?: string) => ({ socket: { remoteAddress }, headers: { 'x-forwarded-for': forwarded } });
  it('trusts X-Forwarded-For only from this machine', () => {
    expect(clientAddress(req('127.0.0.1', '203.0.113.7, 10.0.0.1'))).toBe('203.0.113.7');
    expect(clientAddress(req('198.51.100.2', '203.0.113.7'))).toBe('198.51.100.2');
    expect(clientAddress(req('::1'))).toBe('::1');
  });
});
