import { digest } from 'lib0/hash/sha256';
import * as Y from 'yjs';
import { itemsOf, NOTES_MAX_DEPTH, readItem } from './checklist.ts';
import type { ItemView } from './schema.ts';

/*
 * The fingerprint of an item's reviewed content: its fields (title, owner, due date, risk), figures, evidence and
 * notes, NOT its status (moving an approved item to done must not make the approval stale) nor its place
 * (section, position). An approval records the fingerprint; when it differs later, the item "changed since
 * approval". Equal on every replica for equal content: figures and evidence are read sorted, attributes sorted.
 */

type Canonical = string | number | boolean | null | Canonical[] | { [key: string]: Canonical };

function sortedAttributes(attributes: Record<string, unknown> | undefined): Canonical {
  if (!attributes) return null;
  return Object.keys(attributes)
    .sort()
    .map((key) => [key, canonicalValue(attributes[key])]);
}

function canonicalValue(value: unknown): Canonical {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (typeof value === 'object') return sortedAttributes(value as Record<string, unknown>);
  return String(value);
}

/** Notes deeper than the schema guard accepts (stored before it counted) read as a marker below that depth. */
function canonicalNotes(node: Y.XmlFragment | Y.XmlElement | Y.XmlText, depth = 0): Canonical {
  if (depth > NOTES_MAX_DEPTH) return ['#too-deep'];
  if (node instanceof Y.XmlText) {
    return [
      '#text',
      (node.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]).map((op) => [
        typeof op.insert === 'string' ? op.insert : canonicalValue(op.insert),
        sortedAttributes(op.attributes),
      ]),
    ];
  }
  const children = node.toArray().map((child) => canonicalNotes(child as Y.XmlElement | Y.XmlText, depth + 1));
  if (node instanceof Y.XmlElement) return [node.nodeName, sortedAttributes(node.getAttributes()), children];
  return ['#fragment', children];
}

/** The fields of an item that its fingerprint covers besides the notes. */
export type ReviewedFields = Pick<ItemView, 'title' | 'ownerId' | 'dueDate' | 'risk' | 'figures' | 'evidence'>;

/**
 * What a reviewer signs off on, as plain canonical data (the fingerprint is its hash). `view`: the item as readItem
 * has just read it, for a caller that has it already (the projection); else it is read here.
 */
export function reviewedContent(item: Y.Map<unknown>, id: string, view: ReviewedFields = readItem(item, id)): Canonical {
  const notes = item.get('notes');
  return {
    title: view.title,
    ownerId: view.ownerId,
    dueDate: view.dueDate,
    risk: view.risk,
    figures: [...view.figures].sort((a, b) => (a.id < b.id ? -1 : 1)).map((f) => [f.id, f.kind, f.label, f.value]),
    evidence: [...view.evidence].sort((a, b) => (a.id < b.id ? -1 : 1)).map((e) => [e.id, e.url, e.label]),
    notes: notes instanceof Y.XmlFragment ? canonicalNotes(notes) : null,
  };
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/** SHA-256 of a text's UTF-8 bytes, as lowercase hex. */
export type Sha256Hex = (text: string) => string;

/** lib0's SHA-256 in JavaScript: the same everywhere, browsers included. */
export const sha256Hex: Sha256Hex = (text) => hex(digest(new TextEncoder().encode(text)));

/**
 * sha256 (hex) of the item's reviewed content. The projection passes the ItemView it has read (`view`) and Node's
 * native SHA-256 (`hash`, the same digest several times faster); everything else takes the defaults.
 */
export function itemFingerprint(item: Y.Map<unknown>, id: string, options: { view?: ReviewedFields; hash?: Sha256Hex } = {}): string {
  return (options.hash ?? sha256Hex)(JSON.stringify(reviewedContent(item, id, options.view)));
}

/** itemFingerprint of the item `id` of `doc`, or null when the document has no such item. */
export function itemFingerprintIn(doc: Y.Doc, id: string): string | null {
  const entry = itemsOf(doc).get(id);
  return entry instanceof Y.Map ? itemFingerprint(entry as Y.Map<unknown>, id) : null;
}

/**
 * Could the update write a status of 'done' (a cheap scan of its structs, nothing applied)? A map write that
 * follows an earlier write of the same key does not carry its key in the encoding, so any value 'done' counts.
 */
function writesDone(update: Uint8Array): boolean {
  const { structs } = Y.decodeUpdate(update);
  return structs.some((struct) => struct instanceof Y.Item && struct.content instanceof Y.ContentAny && struct.content.getContent().includes('done'));
}

/**
 * The items that `update` would move to done (status not done before, done after), each with its fingerprint
 * after the update. The document itself is not changed: only when the update writes 'done' at all is it applied
 * to a copy.
 */
export function itemsSetToDone(doc: Y.Doc, update: Uint8Array): { itemId: string; fingerprint: string }[] {
  if (!writesDone(update)) return [];
  const copy = new Y.Doc({ gc: false });
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    Y.applyUpdate(copy, update);
    const before = doc.getMap<unknown>('items');
    const result: { itemId: string; fingerprint: string }[] = [];
    copy.getMap<unknown>('items').forEach((value, id) => {
      if (!(value instanceof Y.Map) || readItem(value as Y.Map<unknown>, id).status !== 'done') return;
      const previous = before.get(id);
      const wasDone = previous instanceof Y.Map && readItem(previous as Y.Map<unknown>, id).status === 'done';
      if (!wasDone) result.push({ itemId: id, fingerprint: itemFingerprint(value as Y.Map<unknown>, id) });
    });
    return result;
  } finally {
    copy.destroy();
  }
}
