/*
 * Anchors of comments on a range of an item's notes: two Yjs relative positions (JSON), so the range follows
 * concurrent edits around it. A range whose text was deleted resolves to an empty range: the thread is
 * "detached" and shown with the text it was made on.
 */
import * as Y from 'yjs';
import type { CommentAnchor } from '@tieout/db';

export function resolveAnchor(doc: Y.Doc, anchor: CommentAnchor): { start: Y.AbsolutePosition; end: Y.AbsolutePosition } | null {
  try {
    const start = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(anchor.start), doc);
    const end = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(anchor.end), doc);
    if (!start || !end) return null;
    return { start, end };
  } catch {
    return null;
  }
}

/** True when the anchored text is gone (or the anchor cannot be read). */
export function isDetached(doc: Y.Doc, anchor: CommentAnchor): boolean {
  const resolved = resolveAnchor(doc, anchor);
  if (!resolved) return true;
  return resolved.start.type === resolved.end.type && resolved.end.index <= resolved.start.index;
}
