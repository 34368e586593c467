import * as Y from 'yjs';
import {
  ITEM_FIELDS,
  META_FIELDS as META_DECLARED,
  ROOTS as ROOTS_DECLARED,
  SECTION_FIELDS as SECTION_DECLARED,
  type FieldDeclaration,
} from './layout.ts';
import { figureLabelKey, TITLE_MAX_LENGTH } from './schema.ts';

/*
 * Checks a Yjs update against the checklist schema (see checklist.ts) BEFORE it is applied, so a hub (the
 * collaboration server) can refuse a well-formed update that would put something else in the document.
 * Nothing is applied, copied or encoded: the update is decoded into structs, and each struct with live content
 * is placed by following its parent (a root name, or the id of an item holding a shared type) or, when the
 * encoding left the parent out, its left or right neighbour, which Yjs would take the parent from. Neighbours
 * and parents are looked up among the update's own structs or in the document. Deletions are always allowed.
 *
 * An update may refer to content the document does not have: Yjs would keep it pending until that content
 * arrives. Such an update is not accepted here either (its content cannot be placed); the verdict says so
 * (`missingContent`), so a caller that expects the missing part to follow from the same sender can hold it.
 */

/**
 * Where a value lives: a root map, a section or item map, an item's figures/evidence map, inside its notes, or
 * inside a collaborative title (Y.Text, schema version 2).
 */
type Place = 'meta' | 'sections' | 'items' | 'section' | 'item' | 'figures' | 'evidence' | 'notes' | 'title';

class Refusal {
  constructor(readonly reason: string) {}
}

class Missing {
  constructor(readonly id: Y.ID) {}
}

/** Yjs discards the struct on integration (its neighbour or parent was garbage collected): nothing to check. */
const GARBAGE = Symbol('garbage');

/** Where a struct goes: under a type of `parent` kind, at `key`, that type being `depth` levels below its root. */
type Placed = { parent: Place; key: string | null; depth: number };
type Location = Placed | Refusal | Missing | typeof GARBAGE;
/** The place a shared type opens, and how deep it is (its root: 0), counting the document's levels too. */
type PlaceAt = { place: Place; depth: number };
type Struct = Y.Item | Y.GC | Y.Skip;
type Content = Y.Item['content'];
type TypeClass = new (...args: any[]) => Y.AbstractType<any>;

export interface UpdateVerdict {
  /** A short, human reason. */
  reason: string;
  /**
   * True when the only problem is content the document does not have (yet): the update cannot be judged
   * until it arrives. False for an update that breaks the schema whatever arrives later.
   */
  missingContent: boolean;
}

/**
 * Shared types nested deeper than this below their root are refused, counting what is in the document already, not
 * only the update's own levels (an item's notes start at 2; rich text nests a few levels more, not hundreds).
 */
export const MAX_DEPTH = 64;
/** A plain value (map value, embed, format attribute) nested deeper than this is refused. */
export const MAX_VALUE_DEPTH = 32;
/** A plain value larger than this (its strings, keys and numbers) is refused. */
export const MAX_VALUE_BYTES = 64 * 1024;

type ZodLike = { safeParse(value: unknown): { success: boolean; error?: { issues: { message: string }[] } } };

/*
 * The fields each place may hold come from the one declaration (layout.ts). Maps, not object literals: keys come
 * from the update, and "constructor" or "__proto__" must not find anything.
 */
type Declared = Record<string, FieldDeclaration>;
const valueFields = (declared: Declared) =>
  new Map<string, ZodLike>(
    Object.entries(declared).flatMap(([key, field]) =>
      field.kind === 'value' || field.kind === 'text' ? [[key, ((field.kind === 'value' && field.written) || field.stored) as ZodLike] as const] : [],
    ),
  );
/** Text fields: a Y.Text (version 2) or, as a version-1 document wrote them, a plain string value. */
const textFields = (declared: Declared) => new Set(Object.entries(declared).flatMap(([key, field]) => (field.kind === 'text' ? [key] : [])));
const PLACE_OF_ENTRIES: Record<string, Place> = { figures: 'figures', evidence: 'evidence' };
const META_FIELDS = valueFields(META_DECLARED);
const SECTION_FIELDS = valueFields(SECTION_DECLARED);
const SECTION_TEXT_FIELDS = textFields(SECTION_DECLARED);
const ITEM_VALUE_FIELDS = valueFields(ITEM_FIELDS);
const ITEM_TEXT_FIELDS = textFields(ITEM_FIELDS);
const ITEM_TYPE_FIELDS = new Map<string, { type: TypeClass; place: Place }>(
  Object.entries(ITEM_FIELDS as Declared).flatMap(([key, field]) => {
    if (field.kind === 'rich-text') return [[key, { type: Y.XmlFragment as TypeClass, place: 'notes' as Place }] as const];
    if (field.kind === 'entries') {
      const place = PLACE_OF_ENTRIES[key];
      if (!place) throw new Error(`The schema guard has no place for the entries field "${key}"`);
      return [[key, { type: Y.Map as TypeClass, place }] as const];
    }
    return [];
  }),
);
const ENTRY_SCHEMAS = new Map<Place, { schema: ZodLike; noun: string }>(
  Object.entries(ITEM_FIELDS as Declared).flatMap(([key, field]) =>
    field.kind === 'entries' ? [[PLACE_OF_ENTRIES[key]!, { schema: field.written as ZodLike, noun: field.noun }] as const] : [],
  ),
);
const ROOTS = new Map<string, Place>(Object.keys(ROOTS_DECLARED).map((name) => [name, name as Place]));

const XML_TYPES = new Set<unknown>([Y.XmlElement, Y.XmlText, Y.XmlFragment]);
const XML_CONTENT = new Set<unknown>([Y.ContentString, Y.ContentFormat, Y.ContentEmbed, Y.ContentAny]);

const shorten = (text: string) => (text.length > 32 ? `${text.slice(0, 29)}...` : text);

function typeName(type: unknown): string {
  switch (type) {
    case Y.Map:
      return 'a Y.Map';
    case Y.Array:
      return 'a Y.Array';
    case Y.Text:
      return 'a Y.Text';
    case Y.XmlFragment:
      return 'a Y.XmlFragment';
    case Y.XmlElement:
      return 'a Y.XmlElement';
    case Y.XmlText:
      return 'a Y.XmlText';
    case Y.XmlHook:
      return 'a Y.XmlHook';
    default:
      return 'a shared type';
  }
}

function describe(content: Content): string {
  if (content instanceof Y.ContentType) return typeName(content.type.constructor);
  if (content instanceof Y.ContentAny) {
    const value: unknown = content.arr[0];
    if (value === null || value === undefined) return String(value);
    return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  }
  if (content instanceof Y.ContentString) return 'text';
  if (content instanceof Y.ContentFormat) return 'a text format';
  if (content instanceof Y.ContentEmbed) return 'an embed';
  if (content instanceof Y.ContentBinary) return 'binary data';
  if (content instanceof Y.ContentDoc) return 'a subdocument';
  if (content instanceof Y.ContentJSON) return 'JSON';
  return 'unknown content';
}

const PLACE_NAMES: Record<Place, string> = {
  meta: 'meta',
  sections: 'sections',
  items: 'items',
  section: 'a section',
  item: 'an item',
  figures: "an item's figures",
  evidence: "an item's evidence",
  notes: "an item's notes",
  title: 'a title',
};

function checkValues(content: Content, schema: ZodLike, what: string): Refusal | null {
  if (!(content instanceof Y.ContentAny)) return new Refusal(`${what} is ${describe(content)}, not a plain value`);
  for (const value of content.arr) {
    const result = schema.safeParse(value);
    if (!result.success) return new Refusal(`${what}: ${result.error?.issues[0]?.message ?? 'invalid value'}`);
  }
  return null;
}

function expectType(content: Content, expected: TypeClass, what: string): Refusal | null {
  if (content instanceof Y.ContentType && content.type.constructor === expected) return null;
  return new Refusal(`${what} is ${describe(content)}, not ${typeName(expected)}`);
}

/** Whether `content` may be written at `key` of `parent`; for a shared type, also the place it opens. */
function checkContent(parent: Place, key: string | null, content: Content): Refusal | Place | null {
  if (parent === 'notes') {
    if (content instanceof Y.ContentType) {
      return XML_TYPES.has(content.type.constructor) ? 'notes' : new Refusal(`notes hold ${typeName(content.type.constructor)}`);
    }
    return XML_CONTENT.has(content.constructor) ? null : new Refusal(`notes hold ${describe(content)}`);
  }
  if (parent === 'title') return checkTitleText(content);
  if (key === null) return new Refusal(`${PLACE_NAMES[parent]} is a map, written as a list`);
  const field = `"${shorten(key)}"`;
  switch (parent) {
    case 'meta': {
      const schema = META_FIELDS.get(key);
      return schema ? checkValues(content, schema, `meta ${field}`) : new Refusal(`meta has no field ${field}`);
    }
    case 'sections':
      return expectType(content, Y.Map, 'a section entry') ?? 'section';
    case 'items':
      return expectType(content, Y.Map, 'an item entry') ?? 'item';
    case 'section': {
      if (SECTION_TEXT_FIELDS.has(key) && content instanceof Y.ContentType) return expectType(content, Y.Text, `section ${field}`) ?? 'title';
      const schema = SECTION_FIELDS.get(key);
      return schema ? checkValues(content, schema, `section ${field}`) : new Refusal(`a section has no field ${field}`);
    }
    case 'item': {
      if (ITEM_TEXT_FIELDS.has(key) && content instanceof Y.ContentType) return expectType(content, Y.Text, `item ${field}`) ?? 'title';
      const schema = ITEM_VALUE_FIELDS.get(key);
      if (schema) return checkValues(content, schema, `item ${field}`);
      const typed = ITEM_TYPE_FIELDS.get(key);
      if (typed) return expectType(content, typed.type, `item ${field}`) ?? typed.place;
      return new Refusal(`an item has no field ${field}`);
    }
    case 'figures':
    case 'evidence': {
      const entries = ENTRY_SCHEMAS.get(parent)!;
      return checkValues(content, entries.schema, entries.noun);
    }
  }
}

/**
 * What a collaborative title may hold: plain characters on one line. A new Y.Text arrives with its whole text in
 * one struct (checked against the title length); typing adds a few characters at a time.
 */
function checkTitleText(content: Content): Refusal | null {
  if (!(content instanceof Y.ContentString)) return new Refusal(`a title holds ${describe(content)}, not plain text`);
  if (content.str.length > TITLE_MAX_LENGTH) return new Refusal(`a title is at most ${TITLE_MAX_LENGTH} characters`);
  if (/[\r\n]/.test(content.str)) return new Refusal('a title is one line');
  return null;
}

/**
 * The place an integrated type opens, and its depth. Cached: a type never moves, and whether it was valid never
 * changes. Walks up without recursion (a document may already hold nesting from before this check counted it).
 */
const placeOfIntegrated = new WeakMap<Y.AbstractType<any>, PlaceAt | Refusal>();

function placeOfType(type: Y.AbstractType<any>): PlaceAt | Refusal {
  const chain: Y.AbstractType<any>[] = [];
  let base: PlaceAt | Refusal | undefined;
  for (let current = type; ;) {
    base = placeOfIntegrated.get(current);
    if (base) break;
    const item = current._item;
    if (item === null) {
      const name = Y.findRootTypeKey(current);
      const root = ROOTS.get(name);
      base = root ? { place: root, depth: 0 } : new Refusal(`unknown root "${shorten(name)}"`);
      placeOfIntegrated.set(current, base);
      break;
    }
    chain.push(current);
    // Deeper than anything acceptable, whatever lies above: not cached (the levels above may be fine).
    if (chain.length > MAX_DEPTH) return new Refusal('nested too deeply');
    current = item.parent as Y.AbstractType<any>;
  }
  for (let index = chain.length - 1; index >= 0; index -= 1) {
    const current = chain[index]!;
    const item = current._item!;
    let result: PlaceAt | Refusal;
    if (base instanceof Refusal) result = base;
    else if (base.depth + 1 > MAX_DEPTH) result = new Refusal('nested too deeply');
    else {
      const opened = checkContent(base.place, item.parentSub, item.content);
      result =
        opened instanceof Refusal
          ? opened
          : opened === null
            ? new Refusal('inside a value that is not a shared type')
            : { place: opened, depth: base.depth + 1 };
    }
    placeOfIntegrated.set(current, result);
    base = result;
  }
  return base;
}

/** Plain values a struct carries (map values, embeds, format attributes), each checked by `valueProblem`. */
function valuesOf(content: Content): unknown[] {
  if (content instanceof Y.ContentAny || content instanceof Y.ContentJSON) return content.arr;
  if (content instanceof Y.ContentEmbed) return [content.embed];
  if (content instanceof Y.ContentFormat) return [content.key, content.value];
  return [];
}

/**
 * Why a plain value cannot be stored: nested deeper than MAX_VALUE_DEPTH or larger than MAX_VALUE_BYTES (Yjs encodes
 * values recursively, so a deep one would make every later encoding of the document fail). Without recursion.
 */
export function valueProblem(value: unknown): string | null {
  const stack: [unknown, number][] = [[value, 0]];
  let bytes = 0;
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current === 'string') bytes += current.length;
    else if (current === null || typeof current !== 'object') bytes += 8;
    else {
      if (depth >= MAX_VALUE_DEPTH) return `a value nested deeper than ${MAX_VALUE_DEPTH} levels`;
      if (current instanceof Uint8Array) bytes += current.byteLength;
      else if (Array.isArray(current)) for (const element of current) stack.push([element, depth + 1]);
      else {
        for (const [key, element] of Object.entries(current)) {
          bytes += key.length;
          stack.push([element, depth + 1]);
        }
      }
    }
    if (bytes > MAX_VALUE_BYTES) return `a value larger than ${MAX_VALUE_BYTES} bytes`;
  }
  return null;
}

/** Judges one decoded update against the document it would be applied to. */
class UpdateCheck {
  private readonly byClient = new Map<number, Struct[]>();
  /** Per client, the first clock Yjs could not integrate now (a gap after the document's state, or a Skip). */
  private readonly gaps = new Map<number, number>();
  private readonly locations = new Map<Y.Item, Location>();
  private readonly opened = new Map<Y.Item, Place | Refusal>();
  /** Per figures map (the document's, or a new one's holder in the update): figure label key -> figure id. */
  private readonly figureLabels = new Map<object, Map<string, string>>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly structs: Struct[],
  ) {}

  run(blocks: number): UpdateVerdict | null {
    for (const struct of this.structs) {
      const { client, clock } = struct.id;
      const list = this.byClient.get(client);
      if (!list) {
        this.byClient.set(client, [struct]);
        const state = Y.getState(this.doc.store, client);
        if (clock > state) this.gaps.set(client, state);
      } else if (list[list.length - 1]!.id.clock + list[list.length - 1]!.length !== clock) {
        return { reason: "a client's structs are split", missingContent: false };
      } else list.push(struct);
      if (struct instanceof Y.Skip && !this.gaps.has(client)) this.gaps.set(client, clock);
    }
    // Yjs keeps only the last block of a client that appears twice: then what it integrates is not what is checked.
    if (blocks !== this.byClient.size) return { reason: "a client's structs are split", missingContent: false };
    let missing: Missing | null = null;
    for (const struct of this.structs) {
      if (!(struct instanceof Y.Item) || struct.content instanceof Y.ContentDeleted) continue;
      // Already in the document: Yjs skips it.
      if (struct.id.clock + struct.length <= Y.getState(this.doc.store, struct.id.client)) continue;
      const location = this.afterGap(struct.id) ?? this.locate(struct, 0);
      if (location === GARBAGE) continue;
      if (location instanceof Missing) {
        missing ??= location;
        continue;
      }
      if (location instanceof Refusal) return { reason: location.reason, missingContent: false };
      for (const value of valuesOf(struct.content)) {
        const problem = valueProblem(value);
        if (problem) return { reason: problem, missingContent: false };
      }
      if (struct.content instanceof Y.ContentType && location.depth + 1 > MAX_DEPTH) {
        return { reason: 'nested too deeply', missingContent: false };
      }
      const opened = this.placeOpenedBy(struct, location);
      if (opened instanceof Refusal) return { reason: opened.reason, missingContent: false };
      const clash = location.parent === 'figures' ? this.figureLabelClash(struct) : null;
      if (clash) return { reason: clash.reason, missingContent: false };
    }
    if (missing) {
      return {
        reason: `it refers to content the server does not have (client ${missing.id.client}, clock ${missing.id.clock})`,
        missingContent: true,
      };
    }
    return null;
  }

  /** A figure written with a label another figure of the same item has (labels compared as figureLabelKey does). */
  private figureLabelClash(struct: Y.Item): Refusal | null {
    const key = struct.parentSub;
    const value: unknown = (struct.content as Y.ContentAny).arr.at(-1);
    const container = this.figuresContainer(struct);
    if (key === null || container === null || typeof value !== 'object' || value === null) return null;
    let labels = this.figureLabels.get(container);
    if (!labels) {
      labels = new Map();
      if (container instanceof Y.Map) {
        container.forEach((figure: unknown, id) => {
          const label = (figure as { label?: unknown } | null)?.label;
          if (typeof label === 'string') labels!.set(figureLabelKey(label), id);
        });
      }
      this.figureLabels.set(container, labels);
    }
    for (const [label, id] of labels) if (id === key) labels.delete(label);
    const label = figureLabelKey(String((value as { label?: unknown }).label ?? ''));
    const other = labels.get(label);
    labels.set(label, key);
    return other !== undefined && other !== key ? new Refusal(`an item already has a figure labelled "${shorten(label)}"`) : null;
  }

  /** The figures map a struct is written into: the document's Y.Map, or the update's item holding a new one. */
  private figuresContainer(start: Y.Item): object | null {
    let struct: Y.Item = start;
    for (let depth = 0; depth <= MAX_DEPTH; depth += 1) {
      if (isIntegrated(struct)) return struct.parent as Y.AbstractType<any>;
      const parent = struct.parent as unknown;
      if (parent !== null && typeof parent === 'object' && !(parent instanceof Y.AbstractType)) {
        const holder = this.find(parent as Y.ID);
        if (!(holder instanceof Y.Item)) return null;
        return isIntegrated(holder) && holder.content instanceof Y.ContentType ? holder.content.type : holder;
      }
      const neighbour = struct.origin ? this.find(struct.origin) : struct.rightOrigin ? this.find(struct.rightOrigin) : null;
      if (!(neighbour instanceof Y.Item)) return null;
      struct = neighbour;
    }
    return null;
  }

  /**
   * Structs after a gap in their client's clocks wait in Yjs's pending store, where later updates may fill the gap
   * with anything: they are judged once the gap is filled, not now.
   */
  private afterGap(id: Y.ID): Missing | null {
    const gap = this.gaps.get(id.client);
    return gap !== undefined && id.clock >= gap ? new Missing(Y.createID(id.client, gap)) : null;
  }

  private placeOpenedBy(struct: Y.Item, location: Placed): Place | Refusal | null {
    const known = this.opened.get(struct);
    if (known) return known;
    const result = checkContent(location.parent, location.key, struct.content);
    if (result !== null) this.opened.set(struct, result);
    return result;
  }

  /** The struct covering `id`: from the document when it has that clock (Yjs skips what it already has), else from the update. */
  private find(id: Y.ID): Y.Item | Y.GC | Missing {
    if (id.clock < Y.getState(this.doc.store, id.client)) return Y.getItem(this.doc.store, id) as Y.Item | Y.GC;
    const gap = this.afterGap(id);
    if (gap) return gap;
    const list = this.byClient.get(id.client);
    if (list) {
      let low = 0;
      let high = list.length - 1;
      while (low <= high) {
        const middle = (low + high) >> 1;
        const struct = list[middle]!;
        if (id.clock < struct.id.clock) high = middle - 1;
        else if (id.clock >= struct.id.clock + struct.length) low = middle + 1;
        else return struct instanceof Y.Skip ? new Missing(id) : struct;
      }
    }
    return new Missing(id);
  }

  /** The place a struct of the update goes, as Yjs's Item.getMissing would determine it. */
  private locate(start: Y.Item, depth: number): Location {
    // Siblings find their parent through each other (a pasted list, a run of formatted text): walk that chain
    // in a loop rather than by recursion, then share the answer along it.
    const chain: Y.Item[] = [];
    let struct = start;
    let location: Location;
    for (;;) {
      const known = this.locations.get(struct);
      if (known !== undefined) {
        location = known;
        break;
      }
      const left = struct.origin ? this.find(struct.origin) : null;
      const right = struct.rightOrigin ? this.find(struct.rightOrigin) : null;
      if (left instanceof Missing || right instanceof Missing) {
        location = (left instanceof Missing ? left : right) as Missing;
        break;
      }
      if (left instanceof Y.GC || right instanceof Y.GC) {
        location = GARBAGE;
        break;
      }
      const parent = struct.parent as unknown;
      if (parent === null) {
        // The encoding leaves the parent out when a neighbour is given: Yjs takes it from the left one, else the right.
        const neighbour = left ?? right;
        if (neighbour === null) {
          location = GARBAGE;
          break;
        }
        if (isIntegrated(neighbour)) {
          location = locationInType(neighbour.parent as Y.AbstractType<any>, neighbour.parentSub);
          break;
        }
        chain.push(struct);
        struct = neighbour;
        continue;
      }
      if (typeof parent === 'string') {
        const root = ROOTS.get(parent);
        location = root ? { parent: root, key: struct.parentSub, depth: 0 } : new Refusal(`unknown root "${shorten(parent)}"`);
        break;
      }
      location = this.locationUnder(parent as Y.ID, struct.parentSub, depth);
      break;
    }
    this.locations.set(struct, location);
    for (const linked of chain) this.locations.set(linked, location);
    return location;
  }

  /**
   * Under the shared type held by the item `parentId`. A parent the document lacks is not guessed at: the server is
   * the hub every client syncs through and has every item a client learned from it, so a parent it lacks was made
   * by the sender and not sent yet (offline edits whose sync is on its way) or does not exist.
   */
  private locationUnder(parentId: Y.ID, key: string | null, depth: number): Location {
    const parentItem = this.find(parentId);
    if (parentItem instanceof Missing) return parentItem;
    if (parentItem instanceof Y.GC) return GARBAGE;
    // A parent deleted (and garbage collected) meanwhile: Yjs discards what is written into it.
    if (parentItem.content instanceof Y.ContentDeleted) return GARBAGE;
    if (!(parentItem.content instanceof Y.ContentType)) return new Refusal('its parent is not a shared type');
    if (isIntegrated(parentItem)) return locationInType(parentItem.content.type, key);
    if (depth > MAX_DEPTH) return new Refusal('nested too deeply');
    const parentLocation = this.locate(parentItem, depth + 1);
    if (parentLocation === GARBAGE || parentLocation instanceof Missing || parentLocation instanceof Refusal) return parentLocation;
    if (parentLocation.depth + 1 > MAX_DEPTH) return new Refusal('nested too deeply');
    const place = this.placeOpenedBy(parentItem, parentLocation);
    if (place === null) return new Refusal('its parent is not a shared type');
    return place instanceof Refusal ? place : { parent: place, key, depth: parentLocation.depth + 1 };
  }
}

/** Decoded items carry a root name, an id or nothing as parent; integrated ones the shared type itself. */
const isIntegrated = (item: Y.Item) => item.parent instanceof Y.AbstractType;

function locationInType(type: Y.AbstractType<any>, key: string | null): Location {
  const at = placeOfType(type);
  return at instanceof Refusal ? at : { parent: at.place, key, depth: at.depth };
}

/** The number of client blocks a (v1) update declares: its first varuint. */
function blockCount(update: Uint8Array): number {
  let result = 0;
  for (let index = 0, shift = 0; index < update.length && shift < 35; index += 1, shift += 7) {
    const byte = update[index]!;
    result += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return result;
  }
  return -1;
}

/**
 * Judges `update` against `doc`, the document it would be applied to: null when it is acceptable. Pass the result
 * of `Y.decodeUpdate(update)` when the caller has it already. Throws what `Y.decodeUpdate` throws for bytes that are
 * not an update.
 */
export function inspectUpdate(doc: Y.Doc, update: Uint8Array, decoded: { structs: Struct[] } = Y.decodeUpdate(update)): UpdateVerdict | null {
  return new UpdateCheck(doc, decoded.structs).run(blockCount(update));
}

/** Whether applying `update` to `doc` keeps the checklist schema: null when it does, else a short reason. */
export function checkUpdate(doc: Y.Doc, update: Uint8Array): string | null {
  return inspectUpdate(doc, update)?.reason ?? null;
}
