import { generateKeyBetween } from 'fractional-indexing';
import * as Y from 'yjs';
import { newId } from './ids.ts';
import { ITEM_FIELDS, SCHEMA_VERSION, SECTION_FIELDS, type FieldDeclaration, type ItemFieldName } from './layout.ts';
import { MAX_DEPTH } from './update-guard.ts';
import {
  duplicateFigureLabel,
  sectionTitleSchema,
  evidenceSchema,
  figureSchema,
  storedFigureSchema,
  itemFieldsSchema,
  itemPatchSchema,
  type ChecklistView,
  type Evidence,
  type Figure,
  type ItemFields,
  type ItemPatch,
  type ItemView,
  type SectionView,
} from './schema.ts';

/*
 * The Yjs layout of one checklist document (declared field by field in layout.ts):
 *   meta      Y.Map   { title, schemaVersion }
 *   sections  Y.Map   sectionId -> Y.Map { title: Y.Text, position }
 *   items     Y.Map   itemId    -> Y.Map { sectionId, position, title: Y.Text, reference, status, ownerId, dueDate, risk,
 *                                          figures: Y.Map<figureId, plain Figure>,
 *                                          evidence: Y.Map<evidenceId, plain Evidence>,
 *                                          notes: Y.XmlFragment (Tiptap / y-prosemirror) }
 * Order is a fractional-index `position` per entry rather than an array, so a move is one field write:
 * concurrent moves of the same item resolve to one place, never a duplicate or a loss.
 */

type Entry = Y.Map<unknown>;

export const metaOf = (doc: Y.Doc) => doc.getMap<unknown>('meta');
export const sectionsOf = (doc: Y.Doc) => doc.getMap<Entry>('sections');
export const itemsOf = (doc: Y.Doc) => doc.getMap<Entry>('items');

export class ChecklistError extends Error {
  override name = 'ChecklistError';
}

const byPosition = <T extends { position: string; id: string }>(a: T, b: T) =>
  a.position < b.position ? -1 : a.position > b.position ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

function requireEntry(map: Y.Map<Entry>, id: string, what: string): Entry {
  const entry: unknown = map.get(id);
  if (!(entry instanceof Y.Map)) throw new ChecklistError(`No ${what} with id ${id}`);
  return entry as Entry;
}

function lastPosition(positions: string[]): string | null {
  return positions.length ? positions.reduce((max, p) => (p > max ? p : max)) : null;
}

function positionsInSection(doc: Y.Doc, sectionId: string, except?: string): { id: string; position: string }[] {
  const result: { id: string; position: string }[] = [];
  itemsOf(doc).forEach((item: unknown, id) => {
    if (id === except || !(item instanceof Y.Map) || item.get('sectionId') !== sectionId) return;
    const position = item.get('position');
    if (typeof position === 'string') result.push({ id, position });
  });
  return result.sort(byPosition);
}

/** A key between the neighbours of `beforeId` (or at the end), for ordered siblings. */
function keyBefore(siblings: { id: string; position: string }[], beforeId: string | null | undefined): string {
  if (!beforeId) return generateKeyBetween(lastPosition(siblings.map((s) => s.position)), null);
  const index = siblings.findIndex((s) => s.id === beforeId);
  if (index === -1) throw new ChecklistError(`No sibling with id ${beforeId}`);
  const next = siblings[index]!.position;
  const previous = index > 0 ? siblings[index - 1]!.position : null;
  // Equal keys can arise from concurrent inserts; nudge so the result stays strictly ordered.
  return previous !== null && previous >= next ? generateKeyBetween(null, next) : generateKeyBetween(previous, next);
}

export function setTitle(doc: Y.Doc, title: string): void {
  const parsed = itemFieldsSchema.shape.title.parse(title);
  doc.transact(() => {
    // A new, empty document is written in the current schema version from the start.
    if (sectionsOf(doc).size === 0 && itemsOf(doc).size === 0) markCurrentVersion(doc);
    metaOf(doc).set('title', parsed);
  });
}

/*
 * Titles are collaborative text (Y.Text, schema version 2): an edit changes only the characters that changed, so
 * two people typing in one title both keep their text. A version-1 document holds plain strings; they read the
 * same, and upgradeDocument (or the first edit of that title) turns them into Y.Text.
 */

/** Replaces the content of `text` with `next` by deleting and inserting only the part that differs. */
export function applyTextChange(text: Y.Text, next: string): void {
  const current = text.toString();
  if (current === next) return;
  const shorter = Math.min(current.length, next.length);
  let start = 0;
  while (start < shorter && current.charCodeAt(start) === next.charCodeAt(start)) start += 1;
  let end = 0;
  while (end < shorter - start && current.charCodeAt(current.length - 1 - end) === next.charCodeAt(next.length - 1 - end)) end += 1;
  // Never split a surrogate pair (an emoji): widen the changed range to whole characters.
  if (start > 0 && isHighSurrogate(current.charCodeAt(start - 1))) start -= 1;
  if (end > 0 && isLowSurrogate(current.charCodeAt(current.length - end))) end -= 1;
  const run = () => {
    const removed = current.length - start - end;
    if (removed > 0) text.delete(start, removed);
    const inserted = next.slice(start, next.length - end);
    if (inserted) text.insert(start, inserted);
  };
  if (text.doc) text.doc.transact(run);
  else run();
}
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** The string a text field reads as: a Y.Text's content, a legacy string, or null for anything else. */
export function textValue(value: unknown): string | null {
  if (value instanceof Y.Text) return value.toString();
  return typeof value === 'string' ? value : null;
}

/** Writes `next` into the text field `key` of `entry`: into its Y.Text, or as a new Y.Text (upgrading a legacy string). */
function writeText(entry: Entry, key: string, next: string): void {
  const current = entry.get(key);
  if (current instanceof Y.Text) applyTextChange(current, next);
  else entry.set(key, new Y.Text(next));
}

function textFieldOf(entry: Entry, key: string): Y.Text {
  const current = entry.get(key);
  if (current instanceof Y.Text) return current;
  const upgraded = new Y.Text(textValue(current) ?? '');
  entry.set(key, upgraded);
  return upgraded;
}

export type TitleTarget = { kind: 'item' | 'section'; id: string };

/**
 * The Y.Text of an item's or a section's title, for binding an input to it (live typing, carets). A version-1
 * title (a string) is upgraded to Y.Text first, in its own transaction.
 */
export function titleText(doc: Y.Doc, target: TitleTarget): Y.Text {
  const entry = requireEntry(target.kind === 'item' ? itemsOf(doc) : sectionsOf(doc), target.id, target.kind);
  const current = entry.get('title');
  if (current instanceof Y.Text) return current;
  let text: Y.Text | null = null;
  doc.transact(() => {
    text = textFieldOf(entry, 'title');
  });
  return text!;
}

/** The Y.Text of a title if it is one already (null for a version-1 string or a missing entry); never writes. */
export function peekTitleText(doc: Y.Doc, target: TitleTarget): Y.Text | null {
  const entry = (target.kind === 'item' ? itemsOf(doc) : sectionsOf(doc)).get(target.id) as unknown;
  const title = entry instanceof Y.Map ? entry.get('title') : null;
  return title instanceof Y.Text ? title : null;
}

/** The document's schema version (1 when it does not say). */
export function schemaVersionOf(doc: Y.Doc): number {
  const version = metaOf(doc).get('schemaVersion');
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : 1;
}

/** Whether the document holds anything written in an older schema version (a plain-string title). */
export function needsUpgrade(doc: Y.Doc): boolean {
  if (schemaVersionOf(doc) < SCHEMA_VERSION) return true;
  let legacy = false;
  const check = (entry: unknown) => {
    if (!legacy && entry instanceof Y.Map && typeof entry.get('title') === 'string') legacy = true;
  };
  sectionsOf(doc).forEach(check);
  itemsOf(doc).forEach(check);
  return legacy;
}

/**
 * Brings a document to the current schema version in one transaction: every plain-string title of a section or an
 * item becomes a Y.Text with the same text, and meta.schemaVersion is set. Returns whether anything changed.
 */
export function upgradeDocument(doc: Y.Doc): boolean {
  if (!needsUpgrade(doc)) return false;
  doc.transact(() => {
    const upgrade = (entry: unknown) => {
      if (entry instanceof Y.Map && typeof entry.get('title') === 'string') textFieldOf(entry as Entry, 'title');
    };
    sectionsOf(doc).forEach(upgrade);
    itemsOf(doc).forEach(upgrade);
    markCurrentVersion(doc);
  });
  return true;
}

/** Marks a document as written in the current schema version (new documents, upgraded ones). */
export function markCurrentVersion(doc: Y.Doc): void {
  if (metaOf(doc).get('schemaVersion') !== SCHEMA_VERSION) metaOf(doc).set('schemaVersion', SCHEMA_VERSION);
}

export function addSection(doc: Y.Doc, input: { title: string; id?: string; beforeId?: string | null }): string {
  const title = sectionTitleSchema.parse(input.title);
  const id = input.id ?? newId();
  doc.transact(() => {
    const siblings = readSections(doc);
    const section = new Y.Map<unknown>();
    section.set('title', new Y.Text(title));
    section.set('position', keyBefore(siblings, input.beforeId));
    sectionsOf(doc).set(id, section);
  });
  return id;
}

export function renameSection(doc: Y.Doc, sectionId: string, title: string): void {
  const parsed = sectionTitleSchema.parse(title);
  const section = requireEntry(sectionsOf(doc), sectionId, 'section');
  doc.transact(() => writeText(section, 'title', parsed));
}

export function moveSection(doc: Y.Doc, sectionId: string, beforeId: string | null): void {
  doc.transact(() => {
    const section = requireEntry(sectionsOf(doc), sectionId, 'section');
    const siblings = readSections(doc).filter((s) => s.id !== sectionId);
    section.set('position', keyBefore(siblings, beforeId));
  });
}

export function deleteSection(doc: Y.Doc, sectionId: string): void {
  doc.transact(() => {
    requireEntry(sectionsOf(doc), sectionId, 'section');
    for (const { id } of positionsInSection(doc, sectionId)) itemsOf(doc).delete(id);
    sectionsOf(doc).delete(sectionId);
  });
}

export interface NewItem extends Partial<ItemFields> {
  title: string;
  sectionId: string;
  id?: string;
  beforeId?: string | null;
  /** A figure's id may be given (deterministic seeds); otherwise one is made. */
  figures?: (Omit<Figure, 'id'> & { id?: string | undefined })[];
  notes?: string[];
}

export function addItem(doc: Y.Doc, input: NewItem): string {
  const fields = itemFieldsSchema.parse({
    title: input.title,
    reference: input.reference ?? null,
    status: input.status ?? 'not_started',
    ownerId: input.ownerId ?? null,
    dueDate: input.dueDate ?? null,
    risk: input.risk ?? null,
  });
  const id = input.id ?? newId();
  doc.transact(() => {
    requireEntry(sectionsOf(doc), input.sectionId, 'section');
    const item = new Y.Map<unknown>();
    item.set('sectionId', input.sectionId);
    item.set('position', keyBefore(positionsInSection(doc, input.sectionId), input.beforeId));
    for (const [key, value] of Object.entries(fields)) {
      if (key === 'title') item.set(key, new Y.Text(value as string));
      // An item without a reference has no reference field (documents from before references read the same).
      else if (value !== null || key !== 'reference') item.set(key, value);
    }
    const figures = new Y.Map<Figure>();
    const added: Figure[] = [];
    for (const figure of input.figures ?? []) {
      const parsed = figureSchema.parse({ ...figure, id: figure.id ?? newId() });
      const clash = duplicateFigureLabel(parsed, added);
      if (clash) throw new ChecklistError(clash);
      added.push(parsed);
      figures.set(parsed.id, parsed);
    }
    item.set('figures', figures);
    item.set('evidence', new Y.Map<Evidence>());
    const notes = new Y.XmlFragment();
    item.set('notes', notes);
    itemsOf(doc).set(id, item);
    if (input.notes?.length) appendParagraphs(notes, input.notes);
  });
  return id;
}

function appendParagraphs(fragment: Y.XmlFragment, paragraphs: string[]): void {
  fragment.insert(
    fragment.length,
    paragraphs.map((text) => {
      const paragraph = new Y.XmlElement('paragraph');
      paragraph.insert(0, [new Y.XmlText(text)]);
      return paragraph;
    }),
  );
}

/** Sets some fields of an item; fields not named are left alone, so concurrent edits of other fields both win. */
export function updateItem(doc: Y.Doc, itemId: string, patch: ItemPatch): void {
  const parsed = itemPatchSchema.parse(patch);
  doc.transact(() => writePatch(requireEntry(itemsOf(doc), itemId, 'item'), parsed));
}

/**
 * The same patch for several items in one transaction (bulk edits): one undo step, one update on the wire.
 * Validates everything first, so a bad patch or an unknown id changes nothing.
 */
export function updateItems(doc: Y.Doc, itemIds: readonly string[], patch: ItemPatch): void {
  const parsed = itemPatchSchema.parse(patch);
  const items = itemIds.map((id) => requireEntry(itemsOf(doc), id, 'item'));
  doc.transact(() => {
    for (const item of items) writePatch(item, parsed);
  });
}

function writePatch(item: Entry, patch: ItemPatch): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === 'title') writeText(item, key, value as string);
    else if (value === null && key === 'reference') {
      if (item.has(key)) item.delete(key);
    } else if (item.get(key) !== value) item.set(key, value);
  }
}

/** Moves an item before `beforeId` in `sectionId`, or to the end of it. */
export function moveItem(doc: Y.Doc, itemId: string, to: { sectionId: string; beforeId?: string | null }): void {
  doc.transact(() => {
    const item = requireEntry(itemsOf(doc), itemId, 'item');
    requireEntry(sectionsOf(doc), to.sectionId, 'section');
    item.set('position', keyBefore(positionsInSection(doc, to.sectionId, itemId), to.beforeId));
    if (item.get('sectionId') !== to.sectionId) item.set('sectionId', to.sectionId);
  });
}

export function deleteItem(doc: Y.Doc, itemId: string): void {
  requireEntry(itemsOf(doc), itemId, 'item');
  itemsOf(doc).delete(itemId);
}

/** An item's figures or evidence map; one that a bad write replaced with something else is replaced anew. */
function childMap<T>(item: Entry, key: 'figures' | 'evidence'): Y.Map<T> {
  const current = item.get(key);
  if (current instanceof Y.Map) return current as Y.Map<T>;
  const fresh = new Y.Map<T>();
  item.set(key, fresh);
  return fresh;
}

export function setFigure(doc: Y.Doc, itemId: string, figure: Omit<Figure, 'id'> & { id?: string }): string {
  const parsed = figureSchema.parse({ ...figure, id: figure.id ?? newId() });
  const item = requireEntry(itemsOf(doc), itemId, 'item');
  const clash = duplicateFigureLabel(parsed, validEntries(item.get('figures'), storedFigureSchema));
  if (clash) throw new ChecklistError(clash);
  childMap<Figure>(item, 'figures').set(parsed.id, parsed);
  return parsed.id;
}

export function removeFigure(doc: Y.Doc, itemId: string, figureId: string): void {
  childMap<Figure>(requireEntry(itemsOf(doc), itemId, 'item'), 'figures').delete(figureId);
}

export function addEvidence(doc: Y.Doc, itemId: string, evidence: { url: string; label?: string }): string {
  const parsed = evidenceSchema.parse({ id: newId(), url: evidence.url, label: evidence.label ?? '' });
  childMap<Evidence>(requireEntry(itemsOf(doc), itemId, 'item'), 'evidence').set(parsed.id, parsed);
  return parsed.id;
}

export function removeEvidence(doc: Y.Doc, itemId: string, evidenceId: string): void {
  childMap<Evidence>(requireEntry(itemsOf(doc), itemId, 'item'), 'evidence').delete(evidenceId);
}

/** The rich-text notes of an item, for Tiptap's Collaboration extension (`fragment` option). */
export function itemNotes(doc: Y.Doc, itemId: string): Y.XmlFragment {
  const notes = requireEntry(itemsOf(doc), itemId, 'item').get('notes');
  if (!(notes instanceof Y.XmlFragment)) throw new ChecklistError(`The notes of item ${itemId} cannot be read`);
  return notes;
}

/** Plain text of an item's notes (search, projections, exports). Without recursion: notes may nest deeply. */
export function itemNotesText(doc: Y.Doc, itemId: string): string {
  const notes = asMap(itemsOf(doc).get(itemId))?.get('notes');
  if (!(notes instanceof Y.XmlFragment)) return '';
  const lines: string[] = [];
  const stack: (Y.XmlElement | Y.XmlText | Y.XmlFragment)[] = [notes];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node instanceof Y.XmlText) {
      try {
        lines.push(node.toString().replace(/<[^>]+>/g, ''));
      } catch {
        // Text whose embedded values cannot be written out (stored before the schema guard bounded them): skipped.
      }
    } else {
      const children = node.toArray();
      for (let index = children.length - 1; index >= 0; index -= 1) {
        const child = children[index];
        if (child instanceof Y.XmlElement || child instanceof Y.XmlText) stack.push(child);
      }
    }
  }
  return lines.join('\n');
}

/**
 * How deeply an item's notes nest (the fragment's children: 1), counted without recursion and up to `limit + 1`:
 * an editor binding (y-prosemirror) walks notes recursively, so a page checks this before showing them.
 */
export function notesDepth(doc: Y.Doc, itemId: string, limit = NOTES_MAX_DEPTH): number {
  const notes = asMap(itemsOf(doc).get(itemId))?.get('notes');
  if (!(notes instanceof Y.XmlFragment)) return 0;
  let deepest = 0;
  const stack: [Y.XmlElement | Y.XmlFragment, number][] = [[notes, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    for (const child of node.toArray()) {
      deepest = Math.max(deepest, depth + 1);
      if (deepest > limit) return deepest;
      if (child instanceof Y.XmlElement) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/** The deepest notes the schema guard accepts: its MAX_DEPTH less the levels above the notes (items, item, notes). */
export const NOTES_MAX_DEPTH = MAX_DEPTH - 2;

/*
 * Reading never throws, whatever a (buggy or hostile) client wrote: entries that are not maps are skipped and
 * invalid fields read as their neutral value, so one bad write cannot make a checklist unreadable for everyone.
 */
const asMap = (value: unknown): Entry | null => (value instanceof Y.Map ? (value as Entry) : null);
const asString = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const parsedOr = <T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, value: unknown, fallback: T): T => {
  const result = schema.safeParse(value);
  return result.success ? result.data : fallback;
};

/** A declared field of an entry as its reader sees it: the neutral value when what is stored does not fit. */
function readField(entry: Entry, key: string, field: FieldDeclaration): unknown {
  switch (field.kind) {
    case 'value':
      return parsedOr(field.stored as never, entry.get(key) ?? null, field.fallback);
    case 'text':
      return parsedOr(field.stored as never, textValue(entry.get(key))?.slice(0, field.maxLength * 2) ?? null, field.fallback);
    case 'entries':
      return validEntries(entry.get(key), field.entry as never);
    case 'rich-text':
      return undefined;
  }
}

/** The title of a section or item entry as readers show it (a Y.Text or a legacy string). */
export function entryTitle(entry: unknown): string | null {
  return entry instanceof Y.Map ? textValue(entry.get('title')) : null;
}

export function readSections(doc: Y.Doc): { id: string; title: string; position: string }[] {
  const result: { id: string; title: string; position: string }[] = [];
  sectionsOf(doc).forEach((value, id) => {
    const section = asMap(value);
    if (!section) return;
    const fields: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(SECTION_FIELDS)) fields[key] = readField(section, key, field);
    if (!fields.position) return;
    result.push({ id, ...(fields as { title: string; position: string }) });
  });
  return result.sort(byPosition);
}

function validEntries<T>(value: unknown, schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }): T[] {
  const map = asMap(value);
  if (!map) return [];
  return [...map.values()].flatMap((entry) => {
    const parsed = schema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

/** One field of an item as readItem reads it, without reading the others (e.g. the owner after each edit). */
export function readItemField<K extends Exclude<ItemFieldName, 'notes' | 'figures' | 'evidence'>>(item: Entry, key: K): ItemView[K] {
  return readField(item, key, ITEM_FIELDS[key]) as ItemView[K];
}

export function readItem(item: Entry, id: string): ItemView {
  const view: Record<string, unknown> = { id };
  for (const [key, field] of Object.entries(ITEM_FIELDS)) {
    if (field.kind !== 'rich-text') view[key] = readItemEntryField(item, key as ItemFieldName);
  }
  return view as unknown as ItemView;
}

/**
 * `readItem` of `item` when only the fields in `keys` may differ from `base` (an earlier readItem of the same item):
 * those are read again, the others (and any property `base` has beyond an ItemView) are taken from `base` as they are.
 * Keys that are not declared fields are ignored, as readItem ignores them.
 */
export function rereadItem<T extends ItemView>(item: Entry, base: T, keys: Iterable<string>): T {
  const view = { ...base } as unknown as Record<string, unknown>;
  for (const key of keys) {
    if (Object.hasOwn(ITEM_FIELDS, key) && ITEM_FIELDS[key as ItemFieldName].kind !== 'rich-text') {
      view[key] = readItemEntryField(item, key as ItemFieldName);
    }
  }
  return view as T;
}

/** One declared field of an item as readItem reads it (figures and evidence in their shared order). */
function readItemEntryField(item: Entry, key: ItemFieldName): unknown {
  const value = readField(item, key, ITEM_FIELDS[key]);
  if (key === 'figures') (value as ItemView['figures']).sort((a, b) => byText(a.label, b.label) || byText(a.id, b.id));
  if (key === 'evidence') {
    (value as ItemView['evidence']).sort((a, b) => byText(a.label || a.url, b.label || b.url) || byText(a.url, b.url) || byText(a.id, b.id));
  }
  return value;
}

/*
 * A Y.Map iterates in the order its keys arrived on this replica, which differs between replicas: entries are
 * sorted, with the id as the last tie-break, so every person sees the same order. One fixed locale, so the
 * server and every browser agree too.
 */
const collator = new Intl.Collator('en', { sensitivity: 'variant' });
const byText = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

/** A plain, ordered view of the whole checklist. Items whose section is gone are not shown. */
export function readChecklist(doc: Y.Doc): ChecklistView {
  const sections: SectionView[] = readSections(doc).map((section) => ({ ...section, items: [] }));
  const byId = new Map(sections.map((section) => [section.id, section]));
  itemsOf(doc).forEach((value, id) => {
    const item = asMap(value);
    if (item) byId.get(asString(item.get('sectionId')) ?? '')?.items.push(readItem(item, id));
  });
  for (const section of sections) section.items.sort(byPosition);
  return { title: asString(metaOf(doc).get('title')) ?? '', sections };
}
