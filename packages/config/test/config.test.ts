import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, createLogger, env, parseEnv, readAll } from '../src/index.ts';
import { configProblems, configVariables } from '../src/testing.ts';

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
    let error: unknown;
    try {
      parseEnv(schema, { PORT: '70000', LIMIT: '-1', URL: 'ftp://example.com', FLAG: 'maybe' });
    } catch (caught) {
      error = caught;
    }
    if (!(error instanceof ConfigError)) throw new Error('expected a ConfigError');
    expect(error.variables).toEqual(['PORT', 'LIMIT', 'URL', 'FLAG']);
    expect(error.message.split('\n')[0]).toBe('Invalid environment:');
    for (const name of ['PORT', 'LIMIT', 'URL', 'FLAG']) expect(error.message).toContain(`\n  ${name}: `);
    expect(error.problems.find((problem) => problem.variable === 'FLAG')?.message).toBe('use true or false');
  });

  it('applies rules across variables only to values that parsed, listing every broken rule', () => {
    const rules = (e: z.output<typeof schema>) => [
      e.FLAG && !e.URL && { variable: 'URL', message: 'required when FLAG is set' },
      e.PORT === 0 && e.FLAG && { variable: 'PORT', message: 'must be fixed when FLAG is set' },
    ];
    expect(parseEnv(schema, { FLAG: 'true', URL: 'https://example.com' }, rules).FLAG).toBe(true);
    expect(configProblems(() => parseEnv(schema, { FLAG: 'true', PORT: '0' }, rules))).toEqual([
      { variable: 'URL', message: 'required when FLAG is set' },
      { variable: 'PORT', message: 'must be fixed when FLAG is set' },
    ]);
    // A value that does not parse is reported as such; the rules do not run on it.
    expect(configVariables(() => parseEnv(schema, { FLAG: 'maybe' }, rules))).toEqual(['FLAG']);
  });

  it('reads levels, choices and secrets with messages that say what to use', () => {
    const fields = z.object({ LOG_LEVEL: env.logLevel(), MODE: env.oneOf(['local', 'remote'] as const, 'local'), KEY: env.optionalSecret(16) });
    expect(parseEnv(fields, { LOG_LEVEL: ' WARN ' })).toEqual({ LOG_LEVEL: 'warn', MODE: 'local', KEY: undefined });
    expect(configProblems(() => parseEnv(fields, { LOG_LEVEL: 'loud', MODE: 'cloud', KEY: 'short' }))).toEqual([
      { variable: 'LOG_LEVEL', message: 'use one of fatal, error, warn, info, debug, trace, silent' },
      { variable: 'MODE', message: 'use one of local, remote' },
      { variable: 'KEY', message: 'must be at least 16 characters' },
    ]);
  });
});

describe('readAll', () => {
  it('returns every reader’s result, or one ConfigError with the problems of all of them', () => {
    const first = (source: Record<string, string | undefined>) => () => parseEnv(z.object({ PORT: env.port(1) }), source).PORT;
    const second = (source: Record<string, string | undefined>) => () => parseEnv(z.object({ LIMIT: env.positiveInt(2) }), source).LIMIT;
    expect(readAll(first({ PORT: '8' }), second({}))).toEqual([8, 2]);
    expect(configVariables(() => readAll(first({ PORT: 'x' }), second({ LIMIT: '0' })))).toEqual(['PORT', 'LIMIT']);
    // Anything but a ConfigError is not a configuration problem: it goes through as it is.
    expect(() =>
      readAll(first({}), () => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
  });
});

describe('configProblems (@tieout/config/testing)', () => {
  it('passes anything but a ConfigError through, and fails when nothing is thrown', () => {
    expect(() =>
      configProblems(() => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
    expect(() => configProblems(() => 1)).toThrow(/expected a ConfigError/);
  });
});

describe('createLogger', () => {
  it('takes its level from the option, else LOG_LEVEL, and ignores a level that does not exist', () => {
    expect(createLogger('t', { env: { LOG_LEVEL: 'DEBUG' } }).level).toBe('debug');
    expect(createLogger('t', { env: { LOG_LEVEL: 'loud' } }).level).toBe('info');
    expect(createLogger('t', { env: { VITEST: 'true' } }).level).toBe('silent');
    expect(createLogger('t', { env: { LOG_LEVEL: 'debug' }, level: 'warn' }).level).toBe('warn');
  });

  it('writes JSON lines with its name', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    createLogger('app', { level: 'info' }, sink).warn({ userId: 'u1' }, 'something odd');
    expect(JSON.parse(lines[0]!)).toMatchObject({ name: 'app', level: 40, userId: 'u1', msg: 'something odd' });
  });
});
