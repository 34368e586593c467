import { z } from 'zod';

/*
 * THE wording of validation problems (issue 15): what a person reads next to a field when a value is refused.
 *
 * Schemas that know their field say so themselves ("A section needs a name", "Use a due date between the years 2000
 * and 2100"); zod uses such a message first. Every other refusal gets its sentence here, installed once as zod's
 * error map (`z.config({ customError })`) when this package loads, so forms, the import, the grid and the server's
 * schema guard never show zod's own developer text ("Too big: expected string to have <=500 characters",
 * "Invalid UUID"). Each sentence says what to do, without naming zod's types.
 */

type RawIssue = z.core.$ZodRawIssue;

const plural = (count: number | bigint, one: string, many: string) => `${count.toLocaleString('en-US')} ${Number(count) === 1 ? one : many}`;

function tooBig(issue: Extract<RawIssue, { code: 'too_big' }>): string {
  const limit = issue.maximum;
  switch (issue.origin) {
    case 'string':
      return `Use at most ${plural(limit, 'character', 'characters')}`;
    case 'array':
    case 'set':
      return `Use at most ${plural(limit, 'entry', 'entries')}`;
    case 'number':
    case 'int':
    case 'bigint':
      return issue.inclusive === false
        ? `Use a number below ${limit.toLocaleString('en-US')}`
        : `Use a number of at most ${limit.toLocaleString('en-US')}`;
    case 'date':
      return `Use a date up to ${new Date(Number(limit)).toISOString().slice(0, 10)}`;
    default:
      return 'This is too large: make it shorter or smaller';
  }
}

function tooSmall(issue: Extract<RawIssue, { code: 'too_small' }>): string {
  const limit = issue.minimum;
  switch (issue.origin) {
    case 'string':
      return Number(limit) <= 1 ? 'Fill this in: it cannot be empty' : `Use at least ${plural(limit, 'character', 'characters')}`;
    case 'array':
    case 'set':
      return Number(limit) <= 1 ? 'Add at least one entry' : `Add at least ${plural(limit, 'entry', 'entries')}`;
    case 'number':
    case 'int':
    case 'bigint':
      return issue.inclusive === false
        ? `Use a number above ${limit.toLocaleString('en-US')}`
        : `Use a number of at least ${limit.toLocaleString('en-US')}`;
    case 'date':
      return `Use a date from ${new Date(Number(limit)).toISOString().slice(0, 10)}`;
    default:
      return 'This is too small: make it longer or larger';
  }
}

const FORMATS: Record<string, string> = {
  url: 'Use a full web address starting with https:// or http://',
  email: 'Enter an email address like name@example.com',
  uuid: 'Choose one of the options offered',
  guid: 'Choose one of the options offered',
  date: 'Use a date like 2026-12-31',
  datetime: 'Use a date and time like 2026-12-31T17:00:00Z',
  time: 'Use a time like 17:00',
};

function invalidType(issue: Extract<RawIssue, { code: 'invalid_type' }>): string {
  if (issue.input === undefined || issue.input === null || issue.input === '') return 'Fill this in: it cannot be empty';
  switch (issue.expected) {
    case 'number':
    case 'int':
    case 'bigint':
      return 'Enter a number, like 42 or 3.5';
    case 'string':
      return 'Enter text here';
    case 'boolean':
      return 'Choose yes or no';
    case 'date':
      return 'Use a date like 2026-12-31';
    default:
      return 'This value is not accepted here: check it and try again';
  }
}

/** The sentence for a zod issue that has no message of its own (zod's error-map signature: undefined = zod's default). */
export function validationMessage(issue: RawIssue): string {
  switch (issue.code) {
    case 'too_big':
      return tooBig(issue);
    case 'too_small':
      return tooSmall(issue);
    case 'invalid_format':
      return FORMATS[issue.format] ?? 'This is not in the expected format: check it and try again';
    case 'invalid_type':
      return invalidType(issue);
    case 'invalid_value':
      return 'Choose one of the options offered';
    case 'not_multiple_of':
      return `Use a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `Unexpected ${issue.keys.length === 1 ? 'field' : 'fields'}: ${issue.keys.join(', ')}`;
    default:
      return 'This value is not accepted here: check it and try again';
  }
}

z.config({ customError: validationMessage });

/**
 * What to tell a person about a refused change: the first zod issue's message (our wording, above), a doc-model or
 * other error's own message, else `fallback`. For code that catches whatever a writer threw.
 */
export function problemMessage(error: unknown, fallback = 'The change could not be made'): string {
  // Zod errors carry their issues (their own `message` is a JSON dump of them); checked by shape, not class.
  if (error && typeof error === 'object' && 'issues' in error && Array.isArray(error.issues)) {
    const first = (error.issues as { message?: unknown }[])[0];
    return typeof first?.message === 'string' && first.message ? first.message : fallback;
  }
  if (error instanceof Error && error.message) return error.message;
  return fallback;
}
