import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  ChecklistError,
  FIGURE_KIND_NAMES,
  ITEM_STATUSES,
  RISK_LEVELS,
  addEvidence,
  addItem,
  addSection,
  applyTemplate,
  checkUpdate,
  deleteItem,
  deleteSection,
  inspectUpdate,
  itemNotes,
  itemNotesText,
  itemsOf,
  MAX_VALUE_BYTES,
  MAX_VALUE_DEPTH,
  metaOf,
  moveItem,
  moveSection,
  notesDepth,
  NOTES_MAX_DEPTH,
  readChecklist,
  removeEvidence,
  removeFigure,
  renameSection,
  reviewedContent,
  sectionsOf,
  setFigure,
  setTitle,
  updateItem,
  updateItems,
  type ChecklistTemplate,
  type ItemPatch,
} from '../src/index.ts';
import { notesSession, notesState, writeNotes } from './notes-editor.ts';

/**
 * Judges every update `doc` emits against a mirror holding the document as it was before that update (what the
 * collaboration server holds when the update arrives), then applies it to the mirror.
 */
function judged(doc: Y.Doc) {
  const mirror = new Y.Doc();
  Y.applyUpdate(mirror, Y.encodeStateAsUpdate(doc));
  const verdicts: (string | null)[] = [];
  doc.on('update', (update: Uint8Array) => {
    verdicts.push(checkUpdate(mirror, update));
    Y.applyUpdate(mirror, update);
  });
  return { mirror, verdicts, refusals: () => verdicts.filter((verdict) => verdict !== null) };
}

/** A copy of `base` that makes one edit; returns just that edit's update. */
function editOf(base: Y.Doc, write: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
  const before = Y.encodeStateVector(doc);
  write(doc);
  return Y.encodeStateAsUpdate(doc, before);
}

const templatesDir = fileURLToPath(new URL('../../templates/templates/', import.meta.url));
const shippedTemplates = readdirSync(templatesDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(templatesDir + file, 'utf8')) as ChecklistTemplate);

function baseChecklist() {
  const doc = new Y.Doc();
  setTitle(doc, 'Site retrofits');
  const sectionId = addSection(doc, { title: 'Power' });
  const itemId = addItem(doc, {
    sectionId,
    title: 'Substation capacity',
    figures: [{ kind: 'mw', label: 'Deliverable', value: 120 }],
    notes: ['Utility letter received.'],
  });
  return { doc, sectionId, itemId, item: itemsOf(doc).get(itemId)! };
}

describe('checkUpdate: the writers of the doc model pass', () => {
  it('accepts every update of every exported mutation, checked against the state before it', () => {
    const doc = new Y.Doc();
    const { mirror, verdicts, refusals } = judged(doc);
    setTitle(doc, 'Site retrofits (Denton)');
    const power = addSection(doc, { title: 'Power' });
    const cooling = addSection(doc, { title: 'Cooling', beforeId: power });
    renameSection(doc, cooling, 'Cooling and water');
    moveSection(doc, cooling, null);
    const first = addItem(doc, {
      sectionId: power,
      title: 'Deliverable MW per site',
      status: 'in_progress',
      risk: 'high',
      dueDate: '2026-12-31',
      ownerId: '3f1c2a4e-8b9d-4c1e-9f2a-5b6c7d8e9f01',
      figures: [
        { kind: 'mw', label: 'Contracted', value: 100 },
        { kind: 'usd', label: 'Capex', value: null, id: 'fixed-figure-id' },
      ],
      notes: ['Utility letter received.', 'Substation upgrade pending.'],
    });
    const second = addItem(doc, { sectionId: power, title: 'Substation ratings', beforeId: first });
    const third = addItem(doc, { sectionId: cooling, title: 'Direct-to-chip conversion' });
    updateItem(doc, first, { status: 'done', ownerId: null, dueDate: null, risk: null, title: 'Deliverable MW (confirmed)' });
    updateItems(doc, [second, third], { status: 'blocked', risk: 'critical' });
    moveItem(doc, second, { sectionId: cooling, beforeId: third });
    moveItem(doc, third, { sectionId: power });
    const figure = setFigure(doc, first, { kind: 'percent', label: 'Share', value: 12.5 });
    setFigure(doc, first, { id: figure, kind: 'percent', label: 'Share', value: 15 });
    removeFigure(doc, first, figure);
    const evidence = addEvidence(doc, first, { url: 'https://example.com/ppa.pdf', label: 'PPA' });
    addEvidence(doc, second, { url: 'http://example.com/letter' });
    removeEvidence(doc, first, evidence);
    for (const state of notesSession()) writeNotes(doc, itemNotes(doc, third), state);
    deleteItem(doc, second);
    deleteSection(doc, cooling);

    expect(refusals()).toEqual([]);
    expect(verdicts.length).toBeGreaterThan(25);
    expect(readChecklist(mirror)).toEqual(readChecklist(doc));
  });

  it('accepts every shipped template, instantiated in one transaction', () => {
    expect(shippedTemplates.length).toBeGreaterThanOrEqual(3);
    for (const template of shippedTemplates) {
      const doc = new Y.Doc();
      const { verdicts } = judged(doc);
      applyTemplate(doc, template);
      expect(verdicts).toEqual([null]);
      expect(readChecklist(doc).sections.length).toBeGreaterThan(0);
    }
  });

  it('accepts a whole document as one update (a first sync or a reconnect) and an update the document already has', () => {
    const template = shippedTemplates[0]!;
    const doc = new Y.Doc();
    applyTemplate(doc, template);
    for (const section of readChecklist(doc).sections) {
      for (const item of section.items) writeNotes(doc, itemNotes(doc, item.id), notesSession().at(-2)!);
    }
    const whole = Y.encodeStateAsUpdate(doc);
    expect(checkUpdate(new Y.Doc(), whole)).toBeNull();
    expect(checkUpdate(doc, whole)).toBeNull();
  });

  it('accepts writes that repair an entry damaged before the server checked updates', () => {
    const { doc, itemId, item } = baseChecklist();
    // Stored before this check existed: the document holds it, readers skip it.
    item.set('figures', 'not a map');
    item.set('evidence', 7);
    itemsOf(doc).set('broken', 'just a string' as never);
    const { refusals } = judged(doc);
    setFigure(doc, itemId, { kind: 'mw', label: 'Deliverable', value: 90 });
    addEvidence(doc, itemId, { url: 'https://example.com/letter' });
    updateItem(doc, itemId, { status: 'needs_review' });
    expect(refusals()).toEqual([]);
    expect(readChecklist(doc).sections[0]!.items[0]!.figures.map((f) => f.value)).toEqual([90]);
  });

  it('accepts a new field written into an item another client deleted meanwhile (Yjs discards it)', () => {
    const hub = new Y.Doc();
    const sectionId = addSection(hub, { title: 'Power' });
    // An item stored without a risk (older data): setting one adds a key, so its parent is named by id, not reached by a neighbour.
    const legacy = new Y.Map<unknown>();
    for (const [key, value] of Object.entries({ sectionId, position: 'a0', title: 'Old item', status: 'not_started' })) legacy.set(key, value);
    itemsOf(hub).set('legacy', legacy);
    const late = new Y.Doc();
    Y.applyUpdate(late, Y.encodeStateAsUpdate(hub));
    deleteItem(hub, 'legacy');
    const update = editOf(late, (doc) => updateItem(doc, 'legacy', { risk: 'high' }));
    expect(checkUpdate(hub, update)).toBeNull();
    // Against a document that still has the item, the same update is judged (and passes).
    expect(checkUpdate(late, update)).toBeNull();
    expect(
      checkUpdate(
        late,
        editOf(late, (doc) => itemsOf(doc).get('legacy')!.set('risk', 'extreme')),
      ),
    ).toMatch(/item "risk"/);
  });

  it('accepts an edit into an item another client deleted meanwhile (Yjs discards it)', () => {
    const { doc: hub, itemId } = baseChecklist();
    const late = new Y.Doc();
    Y.applyUpdate(late, Y.encodeStateAsUpdate(hub));
    deleteItem(hub, itemId);
    const before = Y.encodeStateVector(late);
    updateItem(late, itemId, { title: 'Edited while it was deleted', status: 'done' });
    setFigure(late, itemId, { kind: 'usd', label: 'Capex', value: 3 });
    writeNotes(late, itemNotes(late, itemId), notesSession().at(-1)!);
    const update = Y.encodeStateAsUpdate(late, before);
    expect(checkUpdate(hub, update)).toBeNull();
    Y.applyUpdate(hub, update);
    expect(readChecklist(hub).sections[0]!.items).toEqual([]);
  });
});

describe('checkUpdate: schema-breaking updates are refused', () => {
  const { doc: base, sectionId, itemId } = baseChecklist();
  const item = (doc: Y.Doc) => itemsOf(doc).get(itemId)!;
  const cases: [string, (doc: Y.Doc) => void, RegExp][] = [
    ['an item that is a string', (doc) => (itemsOf(doc) as Y.Map<unknown>).set('x', 'a string'), /an item entry is a string, not a Y.Map/],
    ['a new root map', (doc) => doc.getMap('evil').set('payload', 1), /unknown root "evil"/],
    ['a new root text', (doc) => doc.getText('notes').insert(0, 'hi'), /unknown root "notes"/],
    [
      'a section that is a Y.Array',
      (doc) => (sectionsOf(doc) as Y.Map<unknown>).set('s', new Y.Array()),
      /a section entry is a Y.Array, not a Y.Map/,
    ],
    ['sections written as a list', (doc) => doc.getArray('sections').push(['x']), /sections is a map, written as a list/],
    ['an unknown item key', (doc) => item(doc).set('color', 'red'), /an item has no field "color"/],
    ['a status outside the enum', (doc) => item(doc).set('status', 'archived'), /item "status"/],
    ['a title that is a number', (doc) => item(doc).set('title', 42), /item "title"/],
    ['an empty title', (doc) => item(doc).set('title', '   '), /item "title"/],
    ['a date that is not a date', (doc) => item(doc).set('dueDate', '2026-02-30'), /item "dueDate"/],
    ['an owner that is not a uuid', (doc) => item(doc).set('ownerId', 'mallory'), /item "ownerId"/],
    ['a section id that is a map', (doc) => item(doc).set('sectionId', new Y.Map()), /item "sectionId" is a Y.Map, not a plain value/],
    [
      'a figure failing the figure schema',
      (doc) => (item(doc).get('figures') as Y.Map<unknown>).set('f', { id: 'f', kind: 'furlongs', label: 'x', value: 1 }),
      /a figure/,
    ],
    ['a figure that is a string', (doc) => (item(doc).get('figures') as Y.Map<unknown>).set('f', 'ten MW'), /a figure/],
    [
      'evidence with a javascript: URL',
      (doc) => (item(doc).get('evidence') as Y.Map<unknown>).set('e', { id: 'e', url: 'javascript:alert(1)', label: '' }),
      /an evidence link/,
    ],
    ['figures replaced by a list', (doc) => item(doc).set('figures', new Y.Array()), /item "figures" is a Y.Array, not a Y.Map/],
    ['notes set to a string', (doc) => item(doc).set('notes', 'plain'), /item "notes" is a string, not a Y.XmlFragment/],
    ['notes set to a Y.Text', (doc) => item(doc).set('notes', new Y.Text('plain')), /item "notes" is a Y.Text, not a Y.XmlFragment/],
    ['a Y.Map inside notes', (doc) => itemNotes(doc, itemId).insert(0, [new Y.Map() as never]), /notes hold a Y.Map/],
    [
      'binary data inside notes',
      (doc) => (itemNotes(doc, itemId).get(0) as Y.XmlElement).setAttribute('data', new Uint8Array([1]) as never),
      /notes hold binary data/,
    ],
    ['an unknown section key', (doc) => (sectionsOf(doc).get(sectionId) as Y.Map<unknown>).set('status', 'done'), /a section has no field "status"/],
    ['a section position that is a number', (doc) => (sectionsOf(doc).get(sectionId) as Y.Map<unknown>).set('position', 1), /section "position"/],
    ['an unknown meta key', (doc) => metaOf(doc).set('blob', 'x'.repeat(100)), /meta has no field "blob"/],
    ['a title that is an object', (doc) => metaOf(doc).set('title', { nested: true }), /meta "title"/],
    [
      'a new item with an unknown key',
      (doc) => {
        const entry = new Y.Map<unknown>();
        entry.set('title', 'ok');
        entry.set('script', '<script>');
        itemsOf(doc).set('new-item', entry);
      },
      /an item has no field "script"/,
    ],
    ['a subdocument', (doc) => item(doc).set('notes', new Y.Doc() as never), /item "notes" is a subdocument/],
    // Names that an object literal would find on Object.prototype.
    ['a root named "constructor"', (doc) => doc.getMap('constructor').set('x', 1), /unknown root "constructor"/],
    ['a root named "__proto__"', (doc) => doc.getArray('__proto__').push([1]), /unknown root "__proto__"/],
    ['an item key "constructor"', (doc) => item(doc).set('constructor', 'x'), /an item has no field "constructor"/],
    ['a meta key "toString"', (doc) => metaOf(doc).set('toString', 'x'), /meta has no field "toString"/],
    [
      'a section key "hasOwnProperty"',
      (doc) => (sectionsOf(doc).get(sectionId) as Y.Map<unknown>).set('hasOwnProperty', 'x'),
      /a section has no field/,
    ],
  ];

  for (const [what, write, reason] of cases) {
    it(`refuses ${what}`, () => {
      const update = editOf(base, write);
      const verdict = inspectUpdate(base, update);
      expect(verdict?.reason).toMatch(reason);
      expect(verdict?.missingContent).toBe(false);
    });
  }

  it('refuses a bad write hidden among good ones in one transaction', () => {
    const update = editOf(base, (doc) =>
      doc.transact(() => {
        updateItem(doc, itemId, { title: 'Looks harmless' });
        addSection(doc, { title: 'Cooling' });
        (item(doc).get('figures') as Y.Map<unknown>).set('f', { kind: 'mw' });
      }),
    );
    expect(checkUpdate(base, update)).toMatch(/a figure/);
  });

  it('refuses a write into an entry that was damaged before, rather than trusting it', () => {
    const damaged = new Y.Doc();
    Y.applyUpdate(damaged, Y.encodeStateAsUpdate(base));
    const legacy = new Y.Array<unknown>();
    item(damaged).set('attachments', legacy);
    expect(
      checkUpdate(
        damaged,
        editOf(damaged, (doc) => (item(doc).get('attachments') as Y.Array<unknown>).push(['x'])),
      ),
    ).toMatch(/an item has no field "attachments"/);
  });

  it('does not judge an update that refers to content the document lacks, and says so', () => {
    const author = new Y.Doc();
    Y.applyUpdate(author, Y.encodeStateAsUpdate(base));
    const sectionFirst = editOf(author, (doc) => addSection(doc, { title: 'Made offline', id: 'offline' }));
    Y.applyUpdate(author, sectionFirst);
    // The second edit sets a field of a section the base has never seen.
    const renamed = editOf(author, (doc) => renameSection(doc, 'offline', 'Renamed offline'));
    const verdict = inspectUpdate(base, renamed);
    expect(verdict).toEqual({ reason: expect.stringMatching(/refers to content the server does not have/), missingContent: true });
    expect(checkUpdate(base, renamed)).toMatch(/does not have/);
    // Once the first edit is there, the second one is judged (and passes).
    const withFirst = new Y.Doc();
    Y.applyUpdate(withFirst, Y.encodeStateAsUpdate(base));
    Y.applyUpdate(withFirst, sectionFirst);
    expect(checkUpdate(withFirst, renamed)).toBeNull();
  });

  it('does not judge structs after a gap in their client clock (Yjs would keep them pending)', () => {
    const author = new Y.Doc();
    Y.applyUpdate(author, Y.encodeStateAsUpdate(base));
    setTitle(author, 'First');
    // Only the second edit, to an existing item: its parent is known, but its clock follows one the base lacks.
    const before = Y.encodeStateVector(author);
    updateItem(author, itemId, { status: 'done' });
    const second = Y.encodeStateAsUpdate(author, before);
    expect(inspectUpdate(base, second)?.missingContent).toBe(true);
  });

  it('a missing parent does not hide a definite violation elsewhere in the update', () => {
    const author = new Y.Doc();
    Y.applyUpdate(author, Y.encodeStateAsUpdate(base));
    Y.applyUpdate(
      author,
      editOf(author, (doc) => addSection(doc, { title: 'Offline', id: 'offline' })),
    );
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(base));
    const bad = editOf(other, (doc) => doc.getMap('evil').set('x', 1));
    const pending = editOf(author, (doc) => renameSection(doc, 'offline', 'x'));
    const verdict = inspectUpdate(base, Y.mergeUpdates([pending, bad]));
    expect(verdict).toEqual({ reason: 'unknown root "evil"', missingContent: false });
  });

  it('allows deletions whatever they delete', () => {
    const update = editOf(base, (doc) => {
      deleteSection(doc, sectionId);
      metaOf(doc).delete('title');
    });
    expect(checkUpdate(base, update)).toBeNull();
  });
});

/*
 * Random sessions of several clients editing through the doc model, connected to a hub that judges every update
 * the way the collaboration server does: each update as it is made while connected, and the whole catch-up sync
 * when a client reconnects after editing offline. Concurrent edits and deletions meet in every order.
 */
describe('checkUpdate: random sessions of legitimate edits', () => {
  const HUB = Symbol('hub');
  const CLIENTS = 3;
  const text = fc.string({ minLength: 1, maxLength: 24 }).filter((s) => s.trim().length > 0);
  const pick = fc.nat();
  const patch: fc.Arbitrary<ItemPatch> = fc.record(
    {
      title: text,
      status: fc.constantFrom(...ITEM_STATUSES),
      risk: fc.constantFrom(null, ...RISK_LEVELS),
      dueDate: fc.constantFrom(null, '2026-01-31', '2027-06-15'),
      ownerId: fc.constantFrom(null, '3f1c2a4e-8b9d-4c1e-9f2a-5b6c7d8e9f01'),
      reference: fc.constantFrom(null, '1.2.3', 'A-4'),
    },
    { requiredKeys: [] },
  );
  const figure = fc.record({
    kind: fc.constantFrom(...FIGURE_KIND_NAMES),
    label: text,
    value: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 100, noNaN: true, noDefaultInfinity: true })),
  });
  const op = fc.oneof(
    fc.record({ op: fc.constant('title' as const), title: text }),
    fc.record({ op: fc.constant('addSection' as const), title: text, before: fc.option(pick) }),
    fc.record({ op: fc.constant('renameSection' as const), at: pick, title: text }),
    fc.record({ op: fc.constant('moveSection' as const), at: pick, before: fc.option(pick) }),
    fc.record({ op: fc.constant('deleteSection' as const), at: pick }),
    fc.record({
      op: fc.constant('addItem' as const),
      at: pick,
      title: text,
      figures: fc.array(figure, { maxLength: 2 }),
      notes: fc.array(fc.string(), { maxLength: 2 }),
    }),
    fc.record({ op: fc.constant('updateItem' as const), at: pick, patch }),
    fc.record({ op: fc.constant('updateItems' as const), at: fc.array(pick, { maxLength: 3 }), patch }),
    fc.record({ op: fc.constant('moveItem' as const), at: pick, to: pick, before: fc.option(pick) }),
    fc.record({ op: fc.constant('deleteItem' as const), at: pick }),
    fc.record({ op: fc.constant('setFigure' as const), at: pick, figure, replace: fc.boolean() }),
    fc.record({ op: fc.constant('removeFigure' as const), at: pick }),
    fc.record({ op: fc.constant('addEvidence' as const), at: pick, url: fc.webUrl(), label: fc.option(text, { nil: undefined }) }),
    fc.record({ op: fc.constant('removeEvidence' as const), at: pick }),
    fc.record({ op: fc.constant('notes' as const), at: pick, state: notesState }),
    fc.record({ op: fc.constant('template' as const), at: fc.nat({ max: 10 }) }),
    // Concurrency comes from clients working offline: make that common.
    fc.record({ op: fc.constant('disconnect' as const) }),
    fc.record({ op: fc.constant('disconnect' as const) }),
    fc.record({ op: fc.constant('disconnect' as const) }),
    fc.record({ op: fc.constant('reconnect' as const) }),
    fc.record({ op: fc.constant('reconnect' as const) }),
  );
  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

  function apply(doc: Y.Doc, step: Op): void {
    const view = readChecklist(doc);
    const sections = view.sections;
    const items = sections.flatMap((section) => section.items);
    const sectionAt = (n: number) => sections[n % Math.max(1, sections.length)];
    const itemAt = (n: number) => items[n % Math.max(1, items.length)];
    switch (step.op) {
      case 'title':
        return setTitle(doc, step.title);
      case 'addSection':
        addSection(doc, { title: step.title, beforeId: step.before === null ? null : sectionAt(step.before)?.id });
        return;
      case 'renameSection': {
        const section = sectionAt(step.at);
        if (section) renameSection(doc, section.id, step.title);
        return;
      }
      case 'moveSection': {
        const section = sectionAt(step.at);
        const before = step.before === null ? null : (sectionAt(step.before)?.id ?? null);
        if (section && before !== section.id) moveSection(doc, section.id, before);
        return;
      }
      case 'deleteSection': {
        const section = sectionAt(step.at);
        if (section) deleteSection(doc, section.id);
        return;
      }
      case 'addItem': {
        const section = sectionAt(step.at);
        if (section) addItem(doc, { sectionId: section.id, title: step.title, figures: step.figures, notes: step.notes });
        return;
      }
      case 'updateItem': {
        const item = itemAt(step.at);
        if (item) updateItem(doc, item.id, step.patch);
        return;
      }
      case 'updateItems': {
        const ids = [...new Set(step.at.map((n) => itemAt(n)?.id).filter((id): id is string => id !== undefined))];
        updateItems(doc, ids, step.patch);
        return;
      }
      case 'moveItem': {
        const item = itemAt(step.at);
        const to = sectionAt(step.to);
        if (!item || !to) return;
        const before = step.before === null ? null : (to.items[step.before % Math.max(1, to.items.length)]?.id ?? null);
        moveItem(doc, item.id, { sectionId: to.id, beforeId: before === item.id ? null : before });
        return;
      }
      case 'deleteItem': {
        const item = itemAt(step.at);
        if (item) deleteItem(doc, item.id);
        return;
      }
      case 'setFigure': {
        const item = itemAt(step.at);
        const id = step.replace ? item?.figures[0]?.id : undefined;
        // A label the item has already is refused by the doc model (ChecklistError): a client never sends it.
        const taken = item?.figures.some(
          (figure) => figure.id !== id && figure.label.trim().toLowerCase() === step.figure.label.trim().toLowerCase(),
        );
        if (item && !taken) setFigure(doc, item.id, { ...step.figure, id });
        return;
      }
      case 'removeFigure': {
        const item = itemAt(step.at);
        if (item?.figures[0]) removeFigure(doc, item.id, item.figures[0].id);
        return;
      }
      case 'addEvidence': {
        const item = itemAt(step.at);
        if (item) addEvidence(doc, item.id, { url: step.url, label: step.label });
        return;
      }
      case 'removeEvidence': {
        const item = itemAt(step.at);
        if (item?.evidence[0]) removeEvidence(doc, item.id, item.evidence[0].id);
        return;
      }
      case 'notes': {
        const item = itemAt(step.at);
        if (item) writeNotes(doc, itemNotes(doc, item.id), step.state);
        return;
      }
      case 'template':
        applyTemplate(doc, shippedTemplates[step.at % shippedTemplates.length]!);
        return;
      default:
        return;
    }
  }

  it('never refuses an update a client makes through the doc model', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: CLIENTS - 1 }), op), { minLength: 1, maxLength: 60 }), (steps) => {
        // Everyone starts from the same checklist, so edits meet on the same sections and items.
        const hub = new Y.Doc();
        applyTemplate(hub, shippedTemplates[0]!);
        const refusals: string[] = [];
        const clients = Array.from({ length: CLIENTS }, () => {
          const doc = new Y.Doc();
          Y.applyUpdate(doc, Y.encodeStateAsUpdate(hub), HUB);
          return { doc, connected: true };
        });
        const deliver = (from: (typeof clients)[number], update: Uint8Array) => {
          const reason = checkUpdate(hub, update);
          if (reason) {
            refusals.push(reason);
            return;
          }
          Y.applyUpdate(hub, update, HUB);
          for (const other of clients) if (other !== from && other.connected) Y.applyUpdate(other.doc, update, HUB);
        };
        for (const client of clients) {
          client.doc.on('update', (update: Uint8Array, origin: unknown) => {
            if (origin !== HUB && client.connected) deliver(client, update);
          });
        }
        for (const [index, step] of steps) {
          const client = clients[index]!;
          if (step.op === 'disconnect') client.connected = false;
          else if (step.op === 'reconnect' && !client.connected) {
            client.connected = true;
            const catchUp = Y.encodeStateAsUpdate(client.doc, Y.encodeStateVector(hub));
            deliver(client, catchUp);
            Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(hub, Y.encodeStateVector(client.doc)), HUB);
          } else {
            try {
              apply(client.doc, step);
            } catch (error) {
              // An id another client's edit made stale (e.g. a section deleted meanwhile): the doc model refuses it.
              if (!(error instanceof ChecklistError)) throw error;
            }
          }
        }
        for (const client of clients) {
          client.connected = true;
          deliver(client, Y.encodeStateAsUpdate(client.doc, Y.encodeStateVector(hub)));
        }
        expect(refusals).toEqual([]);
        for (const client of clients) {
          Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(hub, Y.encodeStateVector(client.doc)), HUB);
          expect(readChecklist(client.doc)).toEqual(readChecklist(hub));
        }
      }),
      { numRuns: 400 },
    );
  }, 120_000);
});

/** `update` with the JSON text `from` (as Yjs writes an embed: a length-prefixed string) replaced by `to`. */
function withJsonReplaced(update: Uint8Array, from: string, to: string): Uint8Array {
  const varuint = (n: number) => {
    const bytes: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes.push((n & 0x7f) | 0x80);
    bytes.push(n);
    return bytes;
  };
  const needle = [...varuint(Buffer.byteLength(from)), ...Buffer.from(from)];
  const at = Buffer.from(update).indexOf(Buffer.from(needle));
  if (at < 0) throw new Error('the JSON text is not in the update');
  return new Uint8Array([...update.subarray(0, at), ...varuint(Buffer.byteLength(to)), ...Buffer.from(to), ...update.subarray(at + needle.length)]);
}

/** An update that adds a paragraph holding `embed` (as JSON text) to an item's notes: only bytes can carry a deep one. */
function embedUpdate(base: Y.Doc, itemId: string, embedJson: string): Uint8Array {
  const placeholder = '{"embed":"PLACEHOLDER"}';
  const update = editOf(base, (doc) => {
    const paragraph = new Y.XmlElement('paragraph');
    const text = new Y.XmlText();
    paragraph.insert(0, [text]);
    itemNotes(doc, itemId).push([paragraph]);
    text.insertEmbed(0, JSON.parse(placeholder));
  });
  return withJsonReplaced(update, placeholder, embedJson);
}

/** Wraps the deepest element of an item's notes in `levels` more nested elements (one update). */
function deepen(base: Y.Doc, itemId: string, levels: number): Uint8Array {
  return editOf(base, (doc) => {
    let parent: Y.XmlFragment | Y.XmlElement = itemNotes(doc, itemId);
    for (let last = parent.get(parent.length - 1); last instanceof Y.XmlElement; last = parent.get(parent.length - 1)) parent = last;
    for (let level = 0; level < levels; level += 1) {
      const child = new Y.XmlElement('blockquote');
      parent.push([child]);
      parent = child;
    }
  });
}

describe('checkUpdate: deep and oversized content (issue 10)', () => {
  it('refuses an embed nested deeper than the value limit: an accepted update can always be applied and encoded', () => {
    const { doc, itemId } = baseChecklist();
    const deep = embedUpdate(doc, itemId, '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000));
    expect(checkUpdate(doc, deep)).toBe(`a value nested deeper than ${MAX_VALUE_DEPTH} levels`);
    // What it would have done: Yjs takes it in, then cannot write the document out any more.
    const victim = new Y.Doc();
    Y.applyUpdate(victim, Y.encodeStateAsUpdate(doc));
    Y.applyUpdate(victim, deep);
    expect(() => Y.encodeStateAsUpdate(victim)).toThrow(RangeError);
    // Shallow embeds, and values up to the limits, stay welcome.
    expect(checkUpdate(doc, embedUpdate(doc, itemId, '{"a":'.repeat(MAX_VALUE_DEPTH - 1) + '1' + '}'.repeat(MAX_VALUE_DEPTH - 1)))).toBeNull();
    expect(checkUpdate(doc, embedUpdate(doc, itemId, '{"image":"x.png"}'))).toBeNull();
  });

  it('refuses attribute, format and embed values above the size limit', () => {
    const { doc, itemId } = baseChecklist();
    const big = 'x'.repeat(MAX_VALUE_BYTES + 1);
    const attribute = editOf(doc, (d) => {
      const element = new Y.XmlElement('image');
      itemNotes(d, itemId).push([element]);
      element.setAttribute('src', big);
    });
    expect(checkUpdate(doc, attribute)).toBe(`a value larger than ${MAX_VALUE_BYTES} bytes`);
    const format = editOf(doc, (d) => {
      const paragraph = new Y.XmlElement('paragraph');
      const text = new Y.XmlText();
      paragraph.insert(0, [text]);
      itemNotes(d, itemId).push([paragraph]);
      text.insert(0, 'linked', { link: { href: big } });
    });
    expect(checkUpdate(doc, format)).toBe(`a value larger than ${MAX_VALUE_BYTES} bytes`);
    expect(checkUpdate(doc, embedUpdate(doc, itemId, JSON.stringify({ data: big })))).toBe(`a value larger than ${MAX_VALUE_BYTES} bytes`);
  });

  it('counts the real depth of notes, the levels already in the document included', () => {
    const { doc, itemId } = baseChecklist();
    let refusal: string | null = null;
    // Twenty levels per update: each is shallow on its own; the notes are not.
    for (let round = 0; round < 20 && refusal === null; round += 1) {
      const update = deepen(doc, itemId, 20);
      refusal = checkUpdate(doc, update);
      if (refusal === null) Y.applyUpdate(doc, update);
    }
    expect(refusal).toBe('nested too deeply');
    expect(notesDepth(doc, itemId)).toBeLessThanOrEqual(NOTES_MAX_DEPTH);
    expect(notesDepth(doc, itemId)).toBeGreaterThan(NOTES_MAX_DEPTH - 20);
    // One level at a time up to the limit is fine, one more is not.
    for (;;) {
      const update = deepen(doc, itemId, 1);
      if (checkUpdate(doc, update) !== null) break;
      Y.applyUpdate(doc, update);
    }
    expect(notesDepth(doc, itemId)).toBe(NOTES_MAX_DEPTH);
  });

  it('reads notes nested thousands of levels deep (stored before the guard counted) without recursion', () => {
    const { doc, itemId } = baseChecklist();
    doc.transact(() => {
      let parent: Y.XmlFragment | Y.XmlElement = itemNotes(doc, itemId);
      for (let level = 0; level < 20_000; level += 1) {
        const child = new Y.XmlElement('blockquote');
        parent.push([child]);
        parent = child;
      }
      const text = new Y.XmlText();
      parent.push([text]);
      text.insert(0, 'at the bottom');
    });
    expect(itemNotesText(doc, itemId)).toBe('Utility letter received.\nat the bottom');
    expect(notesDepth(doc, itemId)).toBe(NOTES_MAX_DEPTH + 1);
    expect(reviewedContent(itemsOf(doc).get(itemId)!, itemId)).toBeTruthy();
    // An update on top of such notes is judged without recursion too.
    expect(checkUpdate(doc, deepen(doc, itemId, 1))).toBe('nested too deeply');
  });
});
