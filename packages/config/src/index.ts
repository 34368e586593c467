/*
 * Reading the environment and logging, one way for the app, the collaboration server and the packages they start
 * (files, mail): a zod schema per process, checked at start with every problem listed at once (ConfigError), and
 * pino for every log line (createLogger).
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { z } from 'zod';

/** One wrong or missing variable, and why. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/**
 * The environment is wrong: every problem, each naming its variable. The message lists them one a line
 * (`Invalid environment:` then `  NAME: why`), the same for every process.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: ConfigProblem | readonly ConfigProblem[]) {
    const list = Array.isArray(problems) ? [...(problems as readonly ConfigProblem[])] : [problems as ConfigProblem];
    super(`Invalid environment:\n${list.map((problem) => `  ${problem.variable}: ${problem.message}`).join('\n')}`);
    this.problems = list;
  }

  /** The variables named, in order (a variable with two problems once). */
  get variables(): string[] {
    return [...new Set(this.problems.map((problem) => problem.variable))];
  }
}

/**
 * Parses `env` with `schema`, then applies `rules` (checks across variables, e.g. one required with another) to
 * the parsed values; throws a ConfigError naming every variable that is wrong and why.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
  rules?: (parsed: z.output<S>) => readonly (ConfigProblem | null | undefined | false | '' | 0)[],
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => ({ variable: issue.path.join('.') || '(environment)', message: issue.message })));
  }
  const problems = (rules?.(parsed.data) ?? []).filter((problem): problem is ConfigProblem => Boolean(problem));
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

/**
 * Runs each reader and returns their results, or throws one ConfigError listing the problems of all of them: a
 * process that reads several groups of variables (its own, the files', the mail's) reports every problem at once.
 */
export function readAll<T extends readonly unknown[]>(...readers: { [K in keyof T]: () => T[K] }): T {
  const problems: ConfigProblem[] = [];
  const results = readers.map((read) => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return results as unknown as T;
}

/** An unset variable and one set to blanks mean the same: not set. */
export const emptyAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Field schemas for environment variables; blank counts as unset everywhere. */
export const env = {
  optionalString: () => z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  /** A string with a default (blank: the default). */
  string: (fallback: string) => z.preprocess(emptyAsUndefined, z.string().default(fallback)),
  /** An optional secret or token of at least `min` characters. */
  optionalSecret: (min: number) => z.preprocess(emptyAsUndefined, z.string().min(min, `must be at least ${min} characters`).optional()),
  /** An optional URL with one of `protocols` (surrounding blanks are dropped). */
  optionalUrl: (protocols: RegExp, message?: string) =>
    z.preprocess(
      (value) => emptyAsUndefined(typeof value === 'string' ? value.trim() : value),
      z.url({ protocol: protocols, ...(message ? { error: message } : {}) }).optional(),
    ),
  positiveInt: (fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(fallback)),
  /** A whole number from `min` to `max`. */
  int: (fallback: number, min: number, max: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).default(fallback)),
  port: (fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(fallback)),
  oneOf: <const V extends readonly [string, ...string[]]>(values: V, fallback: V[number]) =>
    z.preprocess(emptyAsUndefined, z.enum(values, { error: `use one of ${values.join(', ')}` }).default(fallback as never)),
  nodeEnv: () => env.oneOf(['development', 'production', 'test'] as const, 'development'),
  logLevel: (fallback: LogLevel = 'info') =>
    z.preprocess(
      (value) => (typeof value === 'string' ? emptyAsUndefined(value.trim().toLowerCase()) : value),
      z.enum(logLevels, { error: `use one of ${logLevels.join(', ')}` }).default(fallback),
    ),
  boolean: (fallback: boolean) =>
    z.preprocess(
      emptyAsUndefined,
      z
        .enum(['1', '0', 'true', 'false', 'yes', 'no'], { error: 'use true or false' })
        .default(fallback ? 'true' : 'false')
        .transform((value) => value === '1' || value === 'true' || value === 'yes'),
    ),
} as const;

/**
 * A root logger: JSON lines on stdout. Its level is `options.level` (a process passes the one its config read),
 * else LOG_LEVEL (a level that does not exist is ignored), else info, or silent under tests. `destination`: where
 * the lines go instead of stdout (tests read them).
 */
export function createLogger(
  name: string,
  options: { env?: Record<string, string | undefined> } & LoggerOptions = {},
  destination?: DestinationStream,
): Logger {
  const { env: source = process.env, level: given, ...rest } = options;
  const requested = source.LOG_LEVEL?.trim().toLowerCase();
  const level = given ?? logLevels.find((candidate) => candidate === requested) ?? (source.VITEST ? 'silent' : 'info');
  return destination ? pino({ name, level, ...rest }, destination) : pino({ name, level, ...rest });
}

export type { Logger };
