import * as Y from 'yjs';
import { applyTextChange, ChecklistError, itemsOf, metaOf, readItem, readSections, sectionsOf, textValue } from './checklist.ts';
import type { Evidence, Figure } from './schema.ts';

/*
 * Restoring from a version (docs/decisions/123-restore-and-undo.md): the target document is changed, with ordinary
 * edits, until it reads as the version does, so the restore is a new change on top of the current document: it reaches
 * everyone connected, is logged with its author, and destroys no history. Ids are kept (a deleted item comes back as
 * itself), so comments, files and approvals attached to it find it again.
 */

type Entry = Y.Map<unknown>;

const asMap = (value: unknown): Entry | null => (value instanceof Y.Map ? (value as Entry) : null);

/** A copy of an XML node (notes) that can be inserted into another document. */
function cloneXml(node: Y.XmlElement | Y.XmlText): Y.XmlElement | Y.XmlText {
  if (node instanceof Y.XmlText) {
    const text = new Y.XmlText();
    text.applyDelta(node.toDelta());
    return text;
  }
  const element = new Y.XmlElement(node.nodeName);
  for (const [key, value] of Object.entries(node.getAttributes())) element.setAttribute(key, value as string);
  element.insert(
    0,
    node.toArray().map((child) => cloneXml(child as Y.XmlElement | Y.XmlText)),
  );
  return element;
}

function notesOf(entry: Entry): Y.XmlFragment | null {
  const notes = entry.get('notes');
  return notes instanceof Y.XmlFragment ? notes : null;
}

function writeTitle(entry: Entry, next: string): void {
  const current = entry.get('title');
  if (current instanceof Y.Text) applyTextChange(current, next);
  else if (textValue(current) !== next) entry.set('title', new Y.Text(next));
}

function syncEntries<T extends { id: string }>(entry: Entry, key: 'figures' | 'evidence', wanted: readonly T[]): void {
  let map = entry.get(key);
  if (!(map instanceof Y.Map)) {
    map = new Y.Map<T>();
    entry.set(key, map);
  }
  const target = map as Y.Map<T>;
  const ids = new Set(wanted.map((value) => value.id));
  for (const id of [...target.keys()]) if (!ids.has(id)) target.delete(id);
  for (const value of wanted) {
    if (JSON.stringify(target.get(value.id)) !== JSON.stringify(value)) target.set(value.id, { ...value });
  }
}

function syncNotes(entry: Entry, source: Entry): void {
  const from = notesOf(source);
  let notes = notesOf(entry);
  if (!notes) {
    notes = new Y.XmlFragment();
    entry.set('notes', notes);
  }
  if (notes.toString() === (from?.toString() ?? '')) return;
  if (notes.length > 0) notes.delete(0, notes.length);
  if (from && from.length > 0)
    notes.insert(
      0,
      from.toArray().map((child) => cloneXml(child as Y.XmlElement | Y.XmlText)),
    );
}

const PLAIN_FIELDS = ['sectionId', 'position', 'reference', 'status', 'ownerId', 'dueDate', 'risk'] as const;

/** Makes item `itemId` of `doc` read as it does in `from` (creating it again with its id if it was deleted). */
function writeItem(doc: Y.Doc, itemId: string, source: Entry): void {
  const view = readItem(source, itemId);
  const items = itemsOf(doc);
  let entry = asMap(items.get(itemId));
  if (!entry) {
    entry = new Y.Map<unknown>();
    entry.set('title', new Y.Text(view.title));
    entry.set('figures', new Y.Map<Figure>());
    entry.set('evidence', new Y.Map<Evidence>());
    entry.set('notes', new Y.XmlFragment());
    items.set(itemId, entry);
  } else {
    writeTitle(entry, view.title);
  }
  const created = !entry.has('status');
  for (const key of PLAIN_FIELDS) {
    const value = view[key] ?? null;
    if (key === 'reference' && value === null) {
      // An item without a reference has no reference field (as addItem writes it).
      if (entry.has(key)) entry.delete(key);
    } else if (created || entry.get(key) !== value) entry.set(key, value);
  }
  syncEntries(entry, 'figures', view.figures);
  syncEntries(entry, 'evidence', view.evidence);
  syncNotes(entry, source);
}

/** Makes section `sectionId` of `doc` read as in `from` (title and place), creating it again if it was deleted. */
function writeSection(doc: Y.Doc, sectionId: string, section: { title: string; position: string }): void {
  const sections = sectionsOf(doc);
  let entry = asMap(sections.get(sectionId));
  if (!entry) {
    entry = new Y.Map<unknown>();
    entry.set('title', new Y.Text(section.title));
    entry.set('position', section.position);
    sections.set(sectionId, entry);
    return;
  }
  writeTitle(entry, section.title);
  if (entry.get('position') !== section.position) entry.set('position', section.position);
}

/**
 * Restores one item as it is in `from` (a version): its fields, place, figures, evidence and notes; a deleted item
 * comes back with its id, and its section too if that was deleted. Throws ChecklistError when `from` has no such item.
 */
export function restoreItem(doc: Y.Doc, from: Y.Doc, itemId: string): void {
  const source = asMap(itemsOf(from).get(itemId));
  if (!source) throw new ChecklistError('This version has no such item.');
  const sectionId = readItem(source, itemId).sectionId;
  const section = readSections(from).find((entry) => entry.id === sectionId);
  if (!section) throw new ChecklistError('This item is not in a section in this version.');
  doc.transact(() => {
    if (!asMap(sectionsOf(doc).get(sectionId))) writeSection(doc, sectionId, section);
    writeItem(doc, itemId, source);
  });
}

/** Makes the whole of `doc` read as `from` does: title, sections, items; what `from` does not have is deleted. */
export function restoreChecklist(doc: Y.Doc, from: Y.Doc): void {
  const sections = readSections(from);
  const sectionIds = new Set(sections.map((section) => section.id));
  doc.transact(() => {
    const title = metaOf(from).get('title');
    if (typeof title === 'string' && metaOf(doc).get('title') !== title) metaOf(doc).set('title', title);
    for (const section of sections) writeSection(doc, section.id, section);
    for (const id of [...sectionsOf(doc).keys()]) if (!sectionIds.has(id)) sectionsOf(doc).delete(id);
    const wanted = new Set<string>();
    itemsOf(from).forEach((value, id) => {
      const source = asMap(value);
      if (!source || !sectionIds.has(readItem(source, id).sectionId)) return;
      wanted.add(id);
      writeItem(doc, id, source);
    });
    for (const id of [...itemsOf(doc).keys()]) if (!wanted.has(id)) itemsOf(doc).delete(id);
  });
}
