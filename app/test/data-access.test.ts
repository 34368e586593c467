import {
  AuditError,
  DashboardError,
  DATA_ACCESS_KINDS,
  DataAccessError,
  FileRecordError,
  ReviewError,
  SearchQueryError,
  TenancyError,
  VersionError,
  type ReviewErrorCode,
  type TenancyErrorCode,
  type VersionErrorCode,
} from '@tieout/db';
import { describe, expect, it } from 'vitest';
import { HistoryError } from '~/models/history.server.ts';
import { LiveAppendError } from '~/models/live-append.server.ts';
import { accessStatus, attempt } from '~/models/tenancy.server.ts';

/** The app's one mapping from a refused or invalid data access to HTTP (docs/decisions/015). */
describe('attempt', () => {
  it('gives each kind its status, with the message and the kind as code', async () => {
    const expected = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409, gone: 410, unavailable: 503 };
    expect(Object.keys(expected).sort()).toEqual([...DATA_ACCESS_KINDS].sort());
    for (const kind of DATA_ACCESS_KINDS) {
      const refused = await attempt(() => Promise.reject(new DataAccessError(kind, `refused as ${kind}`)));
      expect(refused).toEqual({ ok: false, kind, code: kind, message: `refused as ${kind}`, status: expected[kind] });
    }
  });

  it('keeps the status each workspace refusal had, and its code', async () => {
    const statuses: Record<TenancyErrorCode, number> = {
      forbidden: 403,
      not_found: 404,
      invalid_input: 400,
      conflict: 409,
      last_owner: 409,
      already_member: 409,
      invitation_invalid: 404,
      invitation_expired: 410,
      invitation_used: 410,
      invitation_email_mismatch: 403,
    };
    for (const [code, status] of Object.entries(statuses) as [TenancyErrorCode, number][]) {
      const error = new TenancyError(code, 'No.');
      expect(error).toBeInstanceOf(DataAccessError);
      expect(error.name).toBe('TenancyError');
      expect(accessStatus(error)).toBe(status);
      const refused = await attempt(() => Promise.reject(error));
      expect(refused).toMatchObject({ ok: false, code, message: 'No.', status });
    }
  });

  it('keeps the status each review, version, dashboard, search and file refusal had, and the app history and live-change ones', async () => {
    const reviews: Record<ReviewErrorCode, number> = {
      forbidden: 403,
      not_found: 404,
      invalid_input: 400,
      thread_resolved: 409,
      thread_deleted: 409,
      comment_deleted: 409,
      not_a_member: 400,
      needs_comment: 400,
      not_all_approved: 409,
      changed_while_reviewed: 409,
    };
    const versions: Record<VersionErrorCode, number> = { invalid_name: 400, invalid_input: 400, forbidden: 403, not_found: 404 };
    const cases: [DataAccessError, string, number][] = [
      ...(Object.entries(reviews) as [ReviewErrorCode, number][]).map(([code, status]): [DataAccessError, string, number] => [
        new ReviewError(code, 'No.'),
        'ReviewError',
        status,
      ]),
      ...(Object.entries(versions) as [VersionErrorCode, number][]).map(([code, status]): [DataAccessError, string, number] => [
        new VersionError(code, 'No.'),
        'VersionError',
        status,
      ]),
      [new DashboardError('invalid', 'No.'), 'DashboardError', 400],
      [new DashboardError('not_found', 'No.'), 'DashboardError', 404],
      [new SearchQueryError('invalid', 'No.'), 'SearchQueryError', 400],
      [new FileRecordError('not_found', 'No.'), 'FileRecordError', 404],
      [new HistoryError('not_found', 'No.'), 'HistoryError', 404],
      [new HistoryError('forbidden', 'No.'), 'HistoryError', 403],
      [new LiveAppendError('unavailable', 'No.'), 'LiveAppendError', 503],
      [new AuditError('invalid_event', 'No.'), 'AuditError', 400],
      [new AuditError('invalid_filter', 'No.'), 'AuditError', 400],
    ];
    for (const [error, name, status] of cases) {
      expect(error.name).toBe(name);
      expect(await attempt(() => Promise.reject(error))).toMatchObject({ ok: false, code: error.code, message: 'No.', status });
    }
  });

  it('returns the value of work that succeeds and rethrows anything that is not a refusal', async () => {
    await expect(attempt(async () => 42)).resolves.toEqual({ ok: true, value: 42 });
    const bug = new TypeError('a bug');
    await expect(attempt(() => Promise.reject(bug))).rejects.toBe(bug);
  });

  it('keeps the cause of a refusal', () => {
    const cause = new Error('SQLSTATE TO001');
    expect(new TenancyError('last_owner', 'A workspace needs an owner.', { cause }).cause).toBe(cause);
    expect(new DataAccessError('invalid', 'No cause.').cause).toBeUndefined();
  });
});
