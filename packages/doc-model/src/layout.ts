import { z } from 'zod';
import {
  ITEM_STATUSES,
  RISK_LEVELS,
  evidenceSchema,
  figureSchema,
  dueDateSchema,
  isoDate,
  storedFigureSchema,
  referenceSchema,
  sectionTitleSchema,
  titleSchema,
} from './schema.ts';

/*
 * THE declaration of the checklist document: its roots, and the fields of meta, sections and items. The reader
 * (checklist.ts), the schema guard (update-guard.ts) and the templates (template.ts) iterate it, so adding a field
 * is one edit here (and a writer; test/layout.test.ts fails when a declared field has none).
 *
 * `stored` is what a document may hold (the reader reads anything else as `fallback`); `written`, when given, is
 * what the guard lets a client write (due dates outside 2000-2100 are refused by the writers, the import and the
 * guard alike, but a date stored before that rule still reads); without it the guard checks `stored`.
 *
 * Schema versions (meta.schemaVersion; absent means 1):
 *   1  item and section titles are plain strings
 *   2  item and section titles are Y.Text (merged per character); a version-1 value still reads and is upgraded
 *      by the first current client with edit rights (upgradeDocument), see decision 150.
 */
export const SCHEMA_VERSION = 2;

type Schema = z.ZodType;
export interface ValueField {
  kind: 'value';
  stored: Schema;
  fallback: unknown;
  /** What the guard lets a client write, when stricter than what older documents hold (default: `stored`). */
  written?: Schema;
}
/** Collaborative plain text: a Y.Text (version 2) or, in a version-1 document, a string. */
export interface TextField {
  kind: 'text';
  /** Checked on the string it reads as (and on a legacy string value). */
  stored: Schema;
  fallback: string;
  maxLength: number;
}
/** A Y.Map of plain entries keyed by their id (figures, evidence). */
export interface EntryMapField {
  kind: 'entries';
  /** What the reader keeps. */
  entry: Schema;
  /** What the guard lets a client write (may be stricter than what older documents hold). */
  written: Schema;
  /** Its name in the guard's refusals. */
  noun: string;
}
/** A Y.XmlFragment of rich text (Tiptap notes). */
export interface RichTextField {
  kind: 'rich-text';
}
export type FieldDeclaration = ValueField | TextField | EntryMapField | RichTextField;

const value = (stored: Schema, fallback: unknown, written?: Schema): ValueField =>
  written ? { kind: 'value', stored, fallback, written } : { kind: 'value', stored, fallback };
const text = (stored: Schema, fallback: string): TextField => ({ kind: 'text', stored, fallback, maxLength: 500 });

const nonEmptyString = z.string().min(1, 'expected a non-empty string');

export const META_FIELDS = {
  title: value(titleSchema, ''),
  schemaVersion: value(z.int().min(1).max(SCHEMA_VERSION), 1),
} as const satisfies Record<string, FieldDeclaration>;

export const SECTION_FIELDS = {
  title: text(sectionTitleSchema, 'Untitled section'),
  position: value(nonEmptyString, ''),
} as const satisfies Record<string, FieldDeclaration>;

export const ITEM_FIELDS = {
  sectionId: value(nonEmptyString, ''),
  position: value(nonEmptyString, ''),
  title: text(titleSchema, 'Untitled item'),
  reference: value(referenceSchema.nullable(), null),
  status: value(z.enum(ITEM_STATUSES), 'not_started'),
  ownerId: value(z.uuid().nullable(), null),
  // A date before 2000 or after 2100 stored before that rule still reads; none can be written (decision 153).
  dueDate: value(isoDate.nullable(), null, dueDateSchema.nullable()),
  risk: value(z.enum(RISK_LEVELS).nullable(), null),
  figures: { kind: 'entries', entry: storedFigureSchema, written: figureSchema, noun: 'a figure' },
  evidence: { kind: 'entries', entry: evidenceSchema, written: evidenceSchema, noun: 'an evidence link' },
  notes: { kind: 'rich-text' },
} as const satisfies Record<string, FieldDeclaration>;

/** The root maps of a document and the kind of entry each holds. */
export const ROOTS = {
  meta: 'meta',
  sections: 'section',
  items: 'item',
} as const;

export type ItemFieldName = keyof typeof ITEM_FIELDS;
export type SectionFieldName = keyof typeof SECTION_FIELDS;

/** Item fields an item's form, a template or an import can set directly (plain values and text). */
export const EDITABLE_ITEM_FIELDS = ['title', 'reference', 'status', 'ownerId', 'dueDate', 'risk'] as const satisfies readonly ItemFieldName[];
