import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { configProblems as problemsOf } from '@tieout/config/testing';
import { describe, expect, it } from 'vitest';
import { clientAddress, INTERNAL_CLIENT_ADDRESS_HEADER, INTERNAL_HOP_TOKEN_HEADER, isSecureRequest } from '../server/auth-api.ts';
import { loadConfig, trustedProxyList, withInstanceJwtSecret, withListeningPort } from '../server/config.ts';

describe('loadConfig', () => {
  it('defaults to embedded auth, PGlite under the repo and port 3000', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.pgliteDataDir).toMatch(/\/\.data\/pglite$/);
    expect(config.auth).toMatchObject({ mode: 'embedded', supabaseUrl: 'http://127.0.0.1:3000', jwtSecret: null, jwtSecretSource: 'instance' });
    expect(config.auth).toMatchObject({ signInLimitPerAddress: 60 });
    expect(config.collabUrl).toBeUndefined();
  });
  it('takes the sign-in limit per client address from AUTH_SIGN_IN_LIMIT_PER_ADDRESS, a positive whole number', () => {
    expect(loadConfig({ AUTH_SIGN_IN_LIMIT_PER_ADDRESS: '500' }).auth).toMatchObject({ signInLimitPerAddress: 500 });
    expect(() => loadConfig({ AUTH_SIGN_IN_LIMIT_PER_ADDRESS: '0' })).toThrow(/AUTH_SIGN_IN_LIMIT_PER_ADDRESS/);
    expect(() => loadConfig({ AUTH_SIGN_IN_LIMIT_PER_ADDRESS: 'many' })).toThrow(/AUTH_SIGN_IN_LIMIT_PER_ADDRESS/);
  });
  it('uses hosted Supabase when SUPABASE_URL is set and requires its anon key', () => {
    expect(() => loadConfig({ SUPABASE_URL: 'https://abc.supabase.co' })).toThrow(/SUPABASE_ANON_KEY/);
    const config = loadConfig({ SUPABASE_URL: 'https://abc.supabase.co/', SUPABASE_ANON_KEY: 'anon' });
    expect(config.auth).toMatchObject({ mode: 'hosted', supabaseUrl: 'https://abc.supabase.co', jwtSecret: undefined });
  });
  it('treats empty variables as unset and normalises COLLAB_URL to a websocket URL', () => {
    const config = loadConfig({ DATABASE_URL: '', PORT: '', COLLAB_URL: 'http://127.0.0.1:4000/', SUPABASE_JWT_SECRET: 'x'.repeat(32) });
    expect(config.database.url).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.collabUrl).toBe('ws://127.0.0.1:4000');
  });
  it('rejects bad values with a ConfigError naming every variable', () => {
    const problems = problemsOf(() =>
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', SUPABASE_JWT_SECRET: 'short', SECURE_COOKIES: 'maybe' }),
    );
    expect(problems).toEqual([
      { variable: 'PORT', message: expect.any(String) },
      { variable: 'LOG_LEVEL', message: 'use one of fatal, error, warn, info, debug, trace, silent' },
      { variable: 'DATABASE_URL', message: expect.any(String) },
      { variable: 'SUPABASE_JWT_SECRET', message: 'must be at least 32 characters' },
      { variable: 'SECURE_COOKIES', message: 'use true or false' },
    ]);
    expect(loadConfig({ LOG_LEVEL: 'Debug' }).logLevel).toBe('debug');
    expect(loadConfig({}).logLevel).toBe('info');
  });
  it('has no default JWT secret: an embedded instance takes its own, SUPABASE_JWT_SECRET wins', async () => {
    const own = 'an-instance-secret-read-from-its-database-0123456789';
    const embedded = await withInstanceJwtSecret(loadConfig({ NODE_ENV: 'production' }), async () => own);
    expect(embedded.auth).toMatchObject({ mode: 'embedded', jwtSecret: own, jwtSecretSource: 'instance' });
    const configured = 'a-configured-secret-of-at-least-32-characters';
    let asked = false;
    const named = await withInstanceJwtSecret(loadConfig({ SUPABASE_JWT_SECRET: configured }), async () => ((asked = true), own));
    expect(named.auth).toMatchObject({ jwtSecret: configured, jwtSecretSource: 'environment' });
    expect(asked).toBe(false);
  });
  it('refuses a configured deployment without a JWT secret, with a clear message', () => {
    expect(problemsOf(() => loadConfig({ NODE_ENV: 'production', SUPABASE_URL: 'https://abc.supabase.co' }))).toEqual([
      { variable: 'SUPABASE_ANON_KEY', message: 'required when SUPABASE_URL is set' },
      { variable: 'SUPABASE_JWT_SECRET', message: expect.stringMatching(/^required in production with SUPABASE_URL: .*no default secret/) },
    ]);
    expect(problemsOf(() => loadConfig({ COLLAB_URL: 'wss://collab.example.com' }))).toEqual([
      { variable: 'SUPABASE_JWT_SECRET', message: expect.stringMatching(/^required with COLLAB_URL: .*no default secret/) },
    ]);
    expect(
      loadConfig({ NODE_ENV: 'production', SUPABASE_URL: 'https://abc.supabase.co', SUPABASE_ANON_KEY: 'anon', SUPABASE_JWT_SECRET: 'x'.repeat(32) })
        .auth,
    ).toMatchObject({ mode: 'hosted', jwtSecret: 'x'.repeat(32) });
  });
  it('follows the real port of an ephemeral listener in embedded mode', () => {
    const config = withListeningPort(loadConfig({ PORT: '0' }), 41234);
    expect(config.auth.supabaseUrl).toBe('http://127.0.0.1:41234');
  });
});

describe('app process start (server.ts)', () => {
  it('stops with exit 1 and one fatal log line listing the problems of every group of variables', async () => {
    const appDir = fileURLToPath(new URL('..', import.meta.url));
    const env = {
      ...process.env,
      PORT: 'eighty',
      COLLAB_MESSAGE_BURST: 'lots',
      COLLAB_VERSION_QUIET_MS: '-5',
      FILES_STORAGE: 'disk',
      SMTP_URL: 'http://mail.example.com',
      PUBLIC_APP_URL: 'ftp://tieout.example.com',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const line = JSON.parse(output.trim().split('\n').at(-1)!);
    expect(line).toMatchObject({ level: 60, name: 'tieout' });
    expect(line.msg).toMatch(/^Invalid environment:\n {2}PORT: /);
    expect(line.problems.map((problem: { variable: string }) => problem.variable)).toEqual([
      'PORT',
      'COLLAB_MESSAGE_BURST',
      'COLLAB_VERSION_QUIET_MS',
      'FILES_STORAGE',
      'SMTP_URL',
      'PUBLIC_APP_URL',
    ]);
  });
});

describe('clientAddress (decision 102)', () => {
  const req = (remoteAddress: string, forwarded?: string, extra: Record<string, string> = {}) => ({
    socket: { remoteAddress },
    headers: { 'x-forwarded-for': forwarded, ...extra },
  });
  const token = 'internal-hop-token-of-this-process-0123456789';
  const options = (proxies: string) => ({
    trustedProxies: trustedProxyList(loadConfig({ TRUSTED_PROXIES: proxies }).trustedProxies),
    internalHopToken: token,
  });

  it('ignores X-Forwarded-For by default, also from this machine (a reverse proxy on the host would otherwise pass any value on)', () => {
    const none = options('');
    expect(clientAddress(req('127.0.0.1', '203.0.113.7, 10.0.0.1'), none)).toBe('127.0.0.1');
    expect(clientAddress(req('198.51.100.2', '203.0.113.7'), none)).toBe('198.51.100.2');
    expect(clientAddress(req('::1'), none)).toBe('::1');
  });
  it('reads X-Forwarded-For from the right behind configured proxies, so a client cannot choose its address', () => {
    const local = options('127.0.0.1, ::1');
    // The proxy appended what it saw (198.51.100.9) after whatever the client sent.
    expect(clientAddress(req('127.0.0.1', '1.2.3.4, 198.51.100.9'), local)).toBe('198.51.100.9');
    expect(clientAddress(req('::ffff:127.0.0.1', '198.51.100.9'), local)).toBe('198.51.100.9');
    const chain = options('127.0.0.1,10.0.0.0/8');
    expect(clientAddress(req('127.0.0.1', 'spoofed, 203.0.113.7, 10.1.2.3'), chain)).toBe('203.0.113.7');
    expect(clientAddress(req('127.0.0.1'), chain)).toBe('127.0.0.1');
    // Not from a proxy: the header is the client's own words.
    expect(clientAddress(req('198.51.100.2', '203.0.113.7'), chain)).toBe('198.51.100.2');
  });
  it('lets only this process name the browser on its own hop to /auth/v1', () => {
    const none = options('');
    const hop = { [INTERNAL_CLIENT_ADDRESS_HEADER]: '203.0.113.7' };
    expect(clientAddress(req('127.0.0.1', undefined, { ...hop, [INTERNAL_HOP_TOKEN_HEADER]: token }), none)).toBe('203.0.113.7');
    expect(clientAddress(req('127.0.0.1', undefined, { ...hop, [INTERNAL_HOP_TOKEN_HEADER]: 'guessed' }), none)).toBe('127.0.0.1');
    expect(clientAddress(req('127.0.0.1', undefined, hop), none)).toBe('127.0.0.1');
  });
  it('validates TRUSTED_PROXIES: IP addresses and CIDR ranges only', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, ::1, 192.168.1.1' }).trustedProxies).toEqual(['10.0.0.0/8', '::1', '192.168.1.1']);
    for (const bad of ['localhost', '10.0.0.0/33', '10.0.0.1/8/1', '300.1.1.1', '10.0.0.0/x']) {
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(/TRUSTED_PROXIES/);
    }
  });
});

describe('isSecureRequest (decision 105)', () => {
  const trustedProxies = trustedProxyList(['127.0.0.1']);
  const options = { trustedProxies, internalHopToken: 'x'.repeat(43), secureCookies: false };
  const req = (remoteAddress: string, headers: Record<string, string> = {}, encrypted = false) => ({ socket: { remoteAddress, encrypted }, headers });
  it('makes session cookies Secure behind TLS: a TLS connection, a trusted proxy saying https, or SECURE_COOKIES', () => {
    expect(isSecureRequest(req('203.0.113.7', {}, true), options)).toBe(true);
    expect(isSecureRequest(req('127.0.0.1', { 'x-forwarded-proto': 'https' }), options)).toBe(true);
    expect(isSecureRequest(req('203.0.113.7'), { ...options, secureCookies: true })).toBe(true);
    expect(loadConfig({ SECURE_COOKIES: 'true' }).secureCookies).toBe(true);
  });
  it('does not believe X-Forwarded-Proto from anyone but a trusted proxy', () => {
    expect(isSecureRequest(req('203.0.113.7', { 'x-forwarded-proto': 'https' }), options)).toBe(false);
    expect(isSecureRequest(req('127.0.0.1', { 'x-forwarded-proto': 'http' }), options)).toBe(false);
    expect(isSecureRequest(req('127.0.0.1'), options)).toBe(false);
  });
});
