import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { clientsCreatedBy, decodeRefused, encodeRefused, Quarantine, withoutRefused } from '../src/quarantine.ts';

/** Two replicas' edits merged into one update, as a reconnecting session's sync step 2 would carry them. */
function mergedEdits() {
  const kept = new Y.Doc();
  kept.clientID = 11;
  kept.getMap('sections').set('kept', 'from a member');
  kept.getMap('sections').set('gone', 'deleted by the member');
  kept.getMap('sections').delete('gone');
  const refused = new Y.Doc();
  refused.clientID = 22;
  const refusedUpdate = Y.encodeStateAsUpdate(refused);
  refused.getMap('sections').set('refused', 'from a demoted member');
  refused.getMap('sections').set('refused too', 'also');
  const refusedEdit = Y.diffUpdate(Y.encodeStateAsUpdate(refused), Y.encodeStateVectorFromUpdate(refusedUpdate));
  return { merged: Y.mergeUpdates([Y.encodeStateAsUpdate(kept), refusedEdit]), refusedEdit };
}

describe('refused content (quarantine)', () => {
  it('leaves out exactly the refused clients’ structs and keeps the rest, delete set included', () => {
    const { merged, refusedEdit } = mergedEdits();
    const refused = clientsCreatedBy([refusedEdit]);
    expect([...refused]).toEqual([[22, 0]]);
    const stripped = withoutRefused(merged, refused);
    expect(stripped).not.toBe(merged);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stripped);
    expect(doc.getMap('sections').toJSON()).toEqual({ kept: 'from a member' });
    expect(doc.store.pendingStructs).toBeNull();
    const clients = Y.decodeUpdate(stripped).structs.map((struct) => struct.id.client);
    expect(new Set(clients)).toEqual(new Set([11]));
    expect(Y.decodeUpdate(stripped).ds.clients.get(11)?.length).toBe(1);
  });

  it('returns the update itself when nothing in it is refused', () => {
    const { merged } = mergedEdits();
    expect(withoutRefused(merged, new Map([[33, 0]]))).toBe(merged);
    expect(withoutRefused(merged, undefined)).toBe(merged);
    // Content before the refused clock is kept.
    expect(withoutRefused(merged, new Map([[22, 2]]))).toBe(merged);
  });

  it('travels between processes and keeps the earliest clock per client', () => {
    const quarantine = new Quarantine();
    expect(quarantine.add('c', new Map([[22, 5]]))).toBe(true);
    expect(
      quarantine.add(
        'c',
        decodeRefused(
          encodeRefused(
            new Map([
              [22, 3],
              [44, 0],
            ]),
          ),
        ),
      ),
    ).toBe(true);
    expect(quarantine.add('c', new Map([[22, 4]]))).toBe(false);
    expect([...quarantine.of('c')!]).toEqual([
      [22, 3],
      [44, 0],
    ]);
    expect(quarantine.of('other')).toBeUndefined();
    expect(() => decodeRefused(new Uint8Array([0xff, 0xff, 0xff, 0x0f]))).toThrow();
  });
});
