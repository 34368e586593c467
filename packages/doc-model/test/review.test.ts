import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  addEvidence,
  addItem,
  addSection,
  itemFingerprint,
  itemFingerprintIn,
  itemNotes,
  itemsOf,
  itemsSetToDone,
  moveItem,
  readItem,
  setFigure,
  sha256Hex,
  updateItem,
} from '../src/index.ts';

function fixture() {
  const doc = new Y.Doc();
  const section = addSection(doc, { title: 'Power' });
  const other = addSection(doc, { title: 'Leases' });
  const itemId = addItem(doc, { sectionId: section, title: 'Interconnection', notes: ['Capacity is 1.3 GW at the substation.'] });
  const fingerprint = () => itemFingerprint(itemsOf(doc).get(itemId) as Y.Map<unknown>, itemId);
  return { doc, section, other, itemId, fingerprint };
}

describe('itemFingerprint', () => {
  it('changes with each kind of reviewed content', () => {
    const { doc, itemId, fingerprint } = fixture();
    const seen = new Set([fingerprint()]);
    const change = (work: () => void) => {
      work();
      const next = fingerprint();
      expect(seen.has(next), 'a change of reviewed content must change the fingerprint').toBe(false);
      seen.add(next);
    };
    change(() => updateItem(doc, itemId, { title: 'Interconnection capacity' }));
    change(() => updateItem(doc, itemId, { risk: 'high' }));
    change(() => updateItem(doc, itemId, { dueDate: '2026-12-31' }));
    change(() => updateItem(doc, itemId, { ownerId: '00000000-0000-4000-8000-000000000001' }));
    change(() => setFigure(doc, itemId, { kind: 'mw', label: 'Deliverable', value: 250 }));
    change(() => addEvidence(doc, itemId, { url: 'https://example.com/ia.pdf', label: 'Interconnection agreement' }));
    change(() => (itemNotes(doc, itemId).get(0) as Y.XmlElement).insert(0, [new Y.XmlText('Confirmed: ')]));
    expect(fingerprint()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is read from a document by item id, and is null for an item the document does not have', () => {
    const { doc, itemId, fingerprint } = fixture();
    expect(itemFingerprintIn(doc, itemId)).toBe(fingerprint());
    expect(itemFingerprintIn(doc, 'no-such-item')).toBeNull();
  });

  it('is SHA-256 of the canonical content, and the same when the caller passes the item as it read it', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const { doc, itemId, fingerprint } = fixture();
    setFigure(doc, itemId, { kind: 'mw', label: 'Deliverable', value: 250 });
    addEvidence(doc, itemId, { url: 'https://example.com/ia.pdf', label: 'Interconnection agreement' });
    const entry = itemsOf(doc).get(itemId) as Y.Map<unknown>;
    const hashed: string[] = [];
    const hash = (text: string) => {
      hashed.push(text);
      return sha256Hex(text);
    };
    expect(itemFingerprint(entry, itemId, { view: readItem(entry, itemId), hash })).toBe(fingerprint());
    expect(JSON.parse(hashed[0]!)).toMatchObject({ title: 'Interconnection', figures: [[expect.any(String), 'mw', 'Deliverable', 250]] });
  });

  it('does not change with the status or the place of the item', () => {
    const { doc, other, itemId, fingerprint } = fixture();
    const before = fingerprint();
    updateItem(doc, itemId, { status: 'done' });
    moveItem(doc, itemId, { sectionId: other });
    expect(fingerprint()).toBe(before);
  });

  it('is the same on every replica, whatever order figures arrived in', () => {
    const a = fixture();
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a.doc));
    const beforeA = Y.encodeStateVector(a.doc);
    const beforeB = Y.encodeStateVector(b);
    setFigure(a.doc, a.itemId, { kind: 'mw', label: 'Deliverable', value: 250 });
    setFigure(b, a.itemId, { kind: 'usd', label: 'Capex', value: 9 });
    const fromA = Y.encodeStateAsUpdate(a.doc, beforeA);
    const fromB = Y.encodeStateAsUpdate(b, beforeB);
    Y.applyUpdate(a.doc, fromB);
    Y.applyUpdate(b, fromA);
    expect(itemFingerprint(itemsOf(b).get(a.itemId) as Y.Map<unknown>, a.itemId)).toBe(a.fingerprint());
  });
});

describe('itemsSetToDone', () => {
  it('names the items an update moves to done, with their fingerprint after it, and leaves the document alone', () => {
    const { doc, itemId, fingerprint } = fixture();
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    const before = Y.encodeStateVector(remote);
    updateItem(remote, itemId, { status: 'done', title: 'Interconnection (final)' });
    const update = Y.encodeStateAsUpdate(remote, before);
    const expected = itemFingerprint(itemsOf(remote).get(itemId) as Y.Map<unknown>, itemId);
    const original = fingerprint();
    expect(itemsSetToDone(doc, update)).toEqual([{ itemId, fingerprint: expected }]);
    expect(fingerprint()).toBe(original);
    expect((itemsOf(doc).get(itemId) as Y.Map<unknown>).get('status')).toBe('not_started');
  });

  it('is empty for updates that do not set done, and for items already done', () => {
    const { doc, itemId } = fixture();
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    let before = Y.encodeStateVector(remote);
    updateItem(remote, itemId, { status: 'blocked', title: 'done' });
    expect(itemsSetToDone(doc, Y.encodeStateAsUpdate(remote, before))).toEqual([]);
    updateItem(doc, itemId, { status: 'done' });
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
    before = Y.encodeStateVector(remote);
    updateItem(remote, itemId, { status: 'done' });
    expect(itemsSetToDone(doc, Y.encodeStateAsUpdate(remote, before))).toEqual([]);
  });
});
