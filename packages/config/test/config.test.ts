import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, createLogger, env, parseEnv } from '../src/index.ts';

const schema = z.object({
  PORT: env.port(3000),
  LIMIT: env.positiveInt(60),
  URL: env.optionalUrl(/^https?$/),
  FLAG: env.boolean(false),
});

describe('parseEnv', () => {
  it('applies defaults and treats blank values as unset', () => {
    expect(parseEnv(schema, { PORT: ' ', LIMIT: '', URL: '' })).toEqual({ PORT: 3000, LIMIT: 60, URL: undefined, FLAG: false });
    expect(parseEnv(schema, { PORT: '0', LIMIT: '5', URL: 'https://example.com', FLAG: 'yes' })).toEqual({
      PORT: 0,
      LIMIT: 5,
      URL: 'https://example.com',
      FLAG: true,
    });
  });

  it('lists every wrong variable at once', () => {
    let caught: unknown;
    try {
      parseEnv(schema, { PORT: '70000', LIMIT: '-1', URL: 'ftp://example.com', FLAG: 'maybe' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as Error).message;
    for (const name of ['PORT', 'LIMIT', 'URL', 'FLAG']) expect(message).toContain(`  ${name}: `);
  });
});

describe('createLogger', () => {
  it('takes its level from LOG_LEVEL and ignores a level that does not exist', () => {
    expect(createLogger('t', { env: { LOG_LEVEL: 'DEBUG' } }).level).toBe('debug');
    expect(createLogger('t', { env: { LOG_LEVEL: 'loud' } }).level).toBe('info');
    expect(createLogger('t', { env: { VITEST: 'true' } }).level).toBe('silent');
  });
});
