/*
 * Reading the environment and logging, one way for the app and the collaboration server: a zod schema per
 * process, checked at start with every problem listed at once (ConfigError), and pino for every log line.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses `env` with `schema`; throws a ConfigError naming every variable that is wrong and why. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`).join('\n');
    throw new ConfigError(`Invalid environment:\n${problems}`);
  }
  return parsed.data;
}

/** An unset variable and one set to blanks mean the same: not set. */
export const emptyAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

export const env = {
  optionalString: () => z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  optionalUrl: (protocols: RegExp) => z.preprocess(emptyAsUndefined, z.url({ protocol: protocols }).optional()),
  positiveInt: (fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(fallback)),
  port: (fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(fallback)),
  boolean: (fallback: boolean) =>
    z.preprocess(
      emptyAsUndefined,
      z
        .enum(['1', '0', 'true', 'false', 'yes', 'no'], { error: 'use true or false' })
        .default(fallback ? 'true' : 'false')
        .transform((value) => value === '1' || value === 'true' || value === 'yes'),
    ),
} as const;

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The process's root logger: JSON lines on stdout, level from LOG_LEVEL (default info; silent under tests unless set). */
export function createLogger(name: string, options: { env?: Record<string, string | undefined> } & LoggerOptions = {}): Logger {
  const { env: source = process.env, ...rest } = options;
  const requested = source.LOG_LEVEL?.trim().toLowerCase();
  const level = levels.find((candidate) => candidate === requested) ?? (source.VITEST ? 'silent' : 'info');
  return pino({ name, level, ...rest });
}

export type { Logger };
