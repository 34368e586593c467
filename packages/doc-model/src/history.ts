import { diffWordsWithSpace } from 'diff';
import * as Y from 'yjs';
import { itemNotesText, itemsOf, metaOf, readItem, readSections, rereadItem } from './checklist.ts';
import type { Evidence, Figure, ItemView } from './schema.ts';

/*
 * History of a checklist at item level: what one item looks like at a point in time (`snapshotItem`), the audit
 * changes between two such snapshots (`itemChanges`, written by the collaboration server's audit writer), and the
 * diff of two whole document states (`diffChecklists`, shown on the versions page). Pure functions of Y.Doc states.
 */

/** An item as history compares it: its fields, figures, evidence and the plain text of its notes. */
export interface ItemSnapshot extends ItemView {
  notes: string;
}

export interface SectionSnapshot {
  id: string;
  title: string;
  position: string;
}

/** The item as it is in `doc`, or null when there is no such item. Reads only that item. */
export function snapshotItem(doc: Y.Doc, itemId: string): ItemSnapshot | null {
  const entry: unknown = itemsOf(doc).get(itemId);
  if (!(entry instanceof Y.Map)) return null;
  return { ...readItem(entry as Y.Map<unknown>, itemId), notes: itemNotesText(doc, itemId) };
}

/**
 * `snapshotItem` when only the item fields in `keys` (its map's keys: 'status', 'notes', 'figures', ...) may have
 * changed since `before` was taken: reads those again and takes the rest from `before`, for a writer that follows an
 * item edit by edit (the audit trail). Null when there is no such item.
 */
export function resnapshotItem(doc: Y.Doc, itemId: string, before: ItemSnapshot, keys: ReadonlySet<string>): ItemSnapshot | null {
  const entry: unknown = itemsOf(doc).get(itemId);
  if (!(entry instanceof Y.Map)) return null;
  const after = rereadItem(entry as Y.Map<unknown>, before, keys) as ItemSnapshot;
  if (keys.has('notes')) after.notes = itemNotesText(doc, itemId);
  return after;
}

export function snapshotSections(doc: Y.Doc): Map<string, SectionSnapshot> {
  return new Map(readSections(doc).map((section) => [section.id, section]));
}

/** The fields audited and diffed one by one, with the name they have in the audit trail. */
export const HISTORY_FIELDS = [
  { key: 'title', field: 'title' },
  { key: 'reference', field: 'reference' },
  { key: 'status', field: 'status' },
  { key: 'ownerId', field: 'owner' },
  { key: 'dueDate', field: 'due_date' },
  { key: 'risk', field: 'risk' },
] as const satisfies readonly { key: keyof ItemView; field: string }[];
export type HistoryField = (typeof HISTORY_FIELDS)[number]['field'];

/** One row of the audit trail, before it gets its checklist, author and time. */
export interface AuditChange {
  kind: 'item_created' | 'item_deleted' | 'item_field' | 'section_created' | 'section_deleted' | 'section_field' | 'checklist_field';
  itemId: string | null;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
}

/** Notes longer than this are cut in audit rows (the versions keep them whole). */
export const AUDIT_NOTES_LIMIT = 2000;
const cutNotes = (text: string) => (text.length > AUDIT_NOTES_LIMIT ? `${text.slice(0, AUDIT_NOTES_LIMIT)}…` : text);

const byId = <T extends { id: string }>(entries: readonly T[]) => new Map(entries.map((entry) => [entry.id, entry]));
const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/** Changes of entries kept by id (figures, evidence): one per entry added (old null), removed (new null) or changed. */
function entryChanges<T extends { id: string }>(before: readonly T[], after: readonly T[]): { old: T | null; new: T | null }[] {
  if (before === after) return [];
  const old = byId(before);
  const next = byId(after);
  const changes: { old: T | null; new: T | null }[] = [];
  for (const [id, entry] of next) {
    const previous = old.get(id) ?? null;
    if (!previous || !same(previous, entry)) changes.push({ old: previous, new: entry });
  }
  for (const [id, entry] of old) if (!next.has(id)) changes.push({ old: entry, new: null });
  return changes;
}

/** What happened to one item between two snapshots (null: it did not exist), as audit rows. */
export function itemChanges(itemId: string, before: ItemSnapshot | null, after: ItemSnapshot | null): AuditChange[] {
  if (!before && !after) return [];
  if (!before) {
    const { id: _id, notes, figures, evidence, position: _position, ...fields } = after!;
    return [
      {
        kind: 'item_created',
        itemId,
        field: null,
        oldValue: null,
        newValue: { ...fields, figures: figures.length, evidence: evidence.length, notes: cutNotes(notes) },
      },
    ];
  }
  if (!after) {
    return [
      {
        kind: 'item_deleted',
        itemId,
        field: null,
        oldValue: { title: before.title, sectionId: before.sectionId, status: before.status },
        newValue: null,
      },
    ];
  }
  const changes: AuditChange[] = [];
  const field = (name: string, oldValue: unknown, newValue: unknown) => changes.push({ kind: 'item_field', itemId, field: name, oldValue, newValue });
  for (const { key, field: name } of HISTORY_FIELDS) {
    if (!same(before[key], after[key])) field(name, before[key], after[key]);
  }
  if (before.sectionId !== after.sectionId) field('section', before.sectionId, after.sectionId);
  else if (before.position !== after.position) field('position', before.position, after.position);
  for (const change of entryChanges(before.figures, after.figures)) field('figure', change.old, change.new);
  for (const change of entryChanges(before.evidence, after.evidence)) field('evidence', change.old, change.new);
  if (before.notes !== after.notes) field('notes', cutNotes(before.notes), cutNotes(after.notes));
  return changes;
}

export function sectionChanges(sectionId: string, before: SectionSnapshot | undefined, after: SectionSnapshot | undefined): AuditChange[] {
  if (!before && !after) return [];
  if (!before) return [{ kind: 'section_created', itemId: null, field: null, oldValue: null, newValue: { sectionId, title: after!.title } }];
  if (!after) return [{ kind: 'section_deleted', itemId: null, field: null, oldValue: { sectionId, title: before.title }, newValue: null }];
  const changes: AuditChange[] = [];
  if (before.title !== after.title) {
    changes.push({
      kind: 'section_field',
      itemId: null,
      field: 'title',
      oldValue: { sectionId, title: before.title },
      newValue: { sectionId, title: after.title },
    });
  }
  if (before.position !== after.position) {
    changes.push({
      kind: 'section_field',
      itemId: null,
      field: 'position',
      oldValue: { sectionId, position: before.position },
      newValue: { sectionId, position: after.position },
    });
  }
  return changes;
}

export const checklistTitle = (doc: Y.Doc): string => {
  const title = metaOf(doc).get('title');
  return typeof title === 'string' ? title : '';
};

// ---------------------------------------------------------------------------------------------------------------
// Diff of two document states (versions page)

export interface SectionRef {
  id: string;
  title: string;
}

export interface FieldChange {
  field: HistoryField;
  old: unknown;
  new: unknown;
}

export interface EntryChange<T> {
  change: 'added' | 'removed' | 'changed';
  old: T | null;
  new: T | null;
}

export type TextPart = { type: 'equal' | 'insert' | 'delete'; text: string };

export interface ItemDiff {
  itemId: string;
  change: 'added' | 'removed' | 'changed';
  /** The title now (or, for a removed item, as it was). */
  title: string;
  /** The section it is in now (removed: was in). */
  section: SectionRef;
  /** Set when the item changed section, or its place within the section. */
  moved: { from: SectionRef; to: SectionRef; betweenSections: boolean } | null;
  fields: FieldChange[];
  figures: EntryChange<Figure>[];
  evidence: EntryChange<Evidence>[];
  /** Word-level changes of the notes' text, when it changed (whole text as one insert or delete for added/removed items). */
  notes: TextPart[] | null;
}

export interface ChecklistDiff {
  title: { old: string; new: string } | null;
  sections: { added: SectionRef[]; removed: SectionRef[]; renamed: { id: string; old: string; new: string }[] };
  /** Changed, added and removed items: in the order of the newer state, then removed items in the older state's order. */
  items: ItemDiff[];
  /** Items in both states with nothing changed. */
  unchanged: number;
}

interface Visible {
  item: ItemSnapshot;
  section: SectionRef;
}

/** The items a reader sees (in a section that exists), in reading order. */
function visibleItems(doc: Y.Doc): Map<string, Visible> {
  const sections = snapshotSections(doc);
  const items: Visible[] = [];
  itemsOf(doc).forEach((value, id) => {
    if (!(value instanceof Y.Map)) return;
    const view = readItem(value as Y.Map<unknown>, id);
    const section = sections.get(view.sectionId);
    if (!section) return;
    items.push({ item: { ...view, notes: itemNotesText(doc, id) }, section: { id: section.id, title: section.title } });
  });
  const sectionOrder = new Map([...sections.keys()].map((id, index) => [id, index]));
  items.sort(
    (a, b) =>
      sectionOrder.get(a.section.id)! - sectionOrder.get(b.section.id)! ||
      (a.item.position < b.item.position ? -1 : a.item.position > b.item.position ? 1 : a.item.id < b.item.id ? -1 : 1),
  );
  return new Map(items.map(({ item, section }) => [item.id, { item, section }]));
}

function textParts(before: string, after: string): TextPart[] {
  return diffWordsWithSpace(before, after).map((part) => ({
    type: part.added ? 'insert' : part.removed ? 'delete' : 'equal',
    text: part.value,
  }));
}

function entryDiff<T extends { id: string }>(before: readonly T[], after: readonly T[]): EntryChange<T>[] {
  return entryChanges(before, after).map((change) => ({
    change: change.old === null ? 'added' : change.new === null ? 'removed' : 'changed',
    old: change.old,
    new: change.new,
  }));
}

/**
 * The item-level differences from `before` to `after` (two states of the same checklist): items added, removed,
 * moved (within or between sections), fields changed (title, reference, status, owner, due date, risk), figures and
 * evidence added, removed or changed, and notes text as insertions and deletions. Sections added, removed or renamed
 * and the checklist title are listed too. An item in a deleted section counts as removed, as readers no longer see it.
 */
export function diffChecklists(before: Y.Doc, after: Y.Doc): ChecklistDiff {
  const old = visibleItems(before);
  const next = visibleItems(after);
  const oldSections = snapshotSections(before);
  const newSections = snapshotSections(after);
  const items: ItemDiff[] = [];
  let unchanged = 0;
  for (const [id, { item, section }] of next) {
    const previous = old.get(id);
    if (!previous) {
      items.push({
        itemId: id,
        change: 'added',
        title: item.title,
        section,
        moved: null,
        fields: [],
        figures: item.figures.map((figure) => ({ change: 'added', old: null, new: figure })),
        evidence: item.evidence.map((entry) => ({ change: 'added', old: null, new: entry })),
        notes: item.notes ? [{ type: 'insert', text: item.notes }] : null,
      });
      continue;
    }
    const fields: FieldChange[] = HISTORY_FIELDS.filter(({ key }) => !same(previous.item[key], item[key])).map(({ key, field }) => ({
      field,
      old: previous.item[key],
      new: item[key],
    }));
    const betweenSections = previous.section.id !== section.id;
    const moved = betweenSections || previous.item.position !== item.position ? { from: previous.section, to: section, betweenSections } : null;
    const figures = entryDiff(previous.item.figures, item.figures);
    const evidence = entryDiff(previous.item.evidence, item.evidence);
    const notes = previous.item.notes !== item.notes ? textParts(previous.item.notes, item.notes) : null;
    if (fields.length === 0 && !moved && figures.length === 0 && evidence.length === 0 && !notes) {
      unchanged += 1;
      continue;
    }
    items.push({ itemId: id, change: 'changed', title: item.title, section, moved, fields, figures, evidence, notes });
  }
  for (const [id, { item, section }] of old) {
    if (next.has(id)) continue;
    items.push({
      itemId: id,
      change: 'removed',
      title: item.title,
      section,
      moved: null,
      fields: [],
      figures: item.figures.map((figure) => ({ change: 'removed', old: figure, new: null })),
      evidence: item.evidence.map((entry) => ({ change: 'removed', old: entry, new: null })),
      notes: item.notes ? [{ type: 'delete', text: item.notes }] : null,
    });
  }
  const ref = (section: SectionSnapshot): SectionRef => ({ id: section.id, title: section.title });
  const sections: ChecklistDiff['sections'] = {
    added: [...newSections.values()].filter((section) => !oldSections.has(section.id)).map(ref),
    removed: [...oldSections.values()].filter((section) => !newSections.has(section.id)).map(ref),
    renamed: [...newSections.values()]
      .filter((section) => oldSections.has(section.id) && oldSections.get(section.id)!.title !== section.title)
      .map((section) => ({ id: section.id, old: oldSections.get(section.id)!.title, new: section.title })),
  };
  const oldTitle = checklistTitle(before);
  const newTitle = checklistTitle(after);
  return { title: oldTitle !== newTitle ? { old: oldTitle, new: newTitle } : null, sections, items, unchanged };
}

/** A Y.Doc holding a stored state (a version's bytes); the caller destroys it. */
export function stateToDoc(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}
