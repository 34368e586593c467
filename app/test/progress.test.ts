import { describe, expect, it } from 'vitest';
import { addProgress, emptyProgress, percentDone } from '@tieout/doc-model';
import { canEdit, isMemberRole } from '@tieout/db/roles';

describe('progress', () => {
  it('adds up', () => {
    const a = { total: 3, done: 1, blocked: 1, overdue: 2, needsReview: 0 };
    expect(addProgress(addProgress(emptyProgress, a), a)).toEqual({ total: 6, done: 2, blocked: 2, overdue: 4, needsReview: 0 });
  });
  it('never shows 100% while an item is open, and 0% for an empty checklist', () => {
    expect(percentDone({ done: 199, total: 200 })).toBe(99);
    expect(percentDone({ done: 2, total: 2 })).toBe(100);
    expect(percentDone({ done: 0, total: 0 })).toBe(0);
  });
});

describe('roles', () => {
  it('lets owners and editors edit, not reviewers, viewers or non-members', () => {
    expect([canEdit('owner'), canEdit('editor'), canEdit('reviewer'), canEdit('viewer'), canEdit(null)]).toEqual([true, true, false, false, false]);
    expect(isMemberRole('editor')).toBe(true);
    expect(isMemberRole('admin')).toBe(false);
  });
});

import { formatFigure, formatUsd } from '../app/utils/format.ts';

describe('formatFigure', () => {
  it('shows units, money compactly and unknown values as a dash', () => {
    expect(formatFigure('mw', 'MW', 1300)).toBe('1,300 MW');
    expect(formatFigure('usd', 'USD', 9_000_000_000)).toBe('$9B');
    expect(formatFigure('percent', '%', 10.1)).toBe('10.1%');
    expect(formatFigure('years', 'years', null)).toBe('—');
    expect(formatUsd(null)).toBe('—');
  });
});
