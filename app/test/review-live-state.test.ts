import type { ItemReviewState } from '@tieout/db';
import { describe, expect, it } from 'vitest';
import { liveState } from '../app/components/review/review-context.tsx';

const approvedAt = 'a'.repeat(64);
const edited = 'b'.repeat(64);

function stored(state: ItemReviewState['state'], approvedFingerprint: string | null, fingerprint: string | null): ItemReviewState {
  return { itemId: 'item-1', state, decidedBy: 'u', decidedByName: 'Rita', decidedAt: '2026-12-02T10:00:00.000Z', approvedFingerprint, fingerprint };
}

describe('liveState: the review state as the live document tells it', () => {
  it('calls an approval changed as soon as the live item differs from what was approved, before the projection knows', () => {
    expect(liveState(stored('approved', approvedAt, approvedAt), edited)?.state).toBe('changed_since_approval');
  });

  it('calls an approval current when the live item is what was approved, while the projection still holds an older edit', () => {
    expect(liveState(stored('changed_since_approval', approvedAt, edited), approvedAt)?.state).toBe('approved');
  });

  it('keeps the stored state without a live document, for send-backs and for items never decided', () => {
    const approved = stored('approved', approvedAt, approvedAt);
    expect(liveState(approved, null)).toBe(approved);
    const sentBack = stored('sent_back', null, approvedAt);
    expect(liveState(sentBack, edited)).toBe(sentBack);
    expect(liveState(undefined, edited)).toBeUndefined();
  });
});
