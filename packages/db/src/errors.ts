/**
 * The one error type for refused or invalid data access (issue 11, docs/decisions/015). Every refusal a packages/db
 * function gives the app is a DataAccessError (or a subclass that only names its area): a `kind` from a small closed set
 * the app maps to an HTTP status in one place, a finer `code` an area may branch on (for example the invitation page's
 * "expired" versus "already used"), and a plain-words `message` the page shows as it is.
 */

export const DATA_ACCESS_KINDS = ['invalid', 'forbidden', 'not_found', 'conflict', 'gone', 'unavailable'] as const;

/**
 * - invalid: the input cannot be used (a bad filter, an over-long search, a missing comment);
 * - forbidden: the caller may see the thing but not do this to it;
 * - not_found: no such thing, or the caller may not see it (the same answer for both, decision 114);
 * - conflict: the thing's state refuses it now (last owner, resolved thread, already a member);
 * - gone: it existed but cannot be used any more (an expired or used invitation);
 * - unavailable: a service it depends on did not answer (the collaboration server); nothing was changed.
 */
export type DataAccessKind = (typeof DATA_ACCESS_KINDS)[number];

export class DataAccessError<Code extends string = string> extends Error {
  override name = 'DataAccessError';
  /** The finer reason; the kind itself when the area has none. */
  readonly code: Code;
  constructor(
    readonly kind: DataAccessKind,
    message: string,
    options?: { code?: Code; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code ?? (kind as string as Code);
  }
}
