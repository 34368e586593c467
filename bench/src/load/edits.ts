import * as Y from 'yjs';

/**
 * A benchmark edit is a real checklist edit (an item title, through @tieout/doc-model) whose text carries
 * who sent it, its sequence number and the send time. Receivers find it by decoding the update without
 * applying it, so a load generator can host thousands of clients on one core.
 */
/** The marker an edit carries, in the item's reference: a plain string field, so one update holds it whole (titles are Y.Text, whose edits carry only the characters that changed). */
export function editMarker(sender: number, seq: number, sentAt: number): string {
  return `bench ${sender} ${seq} ${sentAt.toFixed(3)}`;
}

export interface ReceivedEdit {
  sender: number;
  seq: number;
  sentAt: number;
}

const EDIT_PATTERN = /^bench (\d+) (\d+) (\d+(?:\.\d+)?)$/;

export function editsInUpdate(update: Uint8Array): ReceivedEdit[] {
  const found: ReceivedEdit[] = [];
  for (const struct of Y.decodeUpdate(update).structs) {
    // parentSub is only encoded when an item has no origin, so edits are recognised by their text alone.
    if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentAny)) continue;
    for (const value of struct.content.arr) {
      if (typeof value !== 'string') continue;
      const match = EDIT_PATTERN.exec(value);
      if (match) found.push({ sender: Number(match[1]), seq: Number(match[2]), sentAt: Number(match[3]) });
    }
  }
  return found;
}
