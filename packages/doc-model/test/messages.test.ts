import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { z } from 'zod';
import {
  addEvidence,
  addItem,
  addSection,
  checkUpdate,
  DUE_DATE_RANGE_MESSAGE,
  itemsOf,
  problemMessage,
  readChecklist,
  renameSection,
  setFigure,
  setTitle,
  updateItem,
  validationMessage,
} from '../src/index.ts';

/** zod's own developer wording, which no person should read ("Too big: expected string to have <=500 characters"). */
const ZOD_WORDING = /Too (big|small):|expected (string|number|one of)|Invalid (input|UUID|URL|option|email|string)|received /;

const messageOf = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error(`expected ${JSON.stringify(value)} to be refused`);
  return result.error.issues[0]!.message;
};

function checklist() {
  const doc = new Y.Doc();
  setTitle(doc, 'Site retrofits');
  const sectionId = addSection(doc, { title: 'Power' });
  const itemId = addItem(doc, { sectionId, title: 'Substation capacity' });
  return { doc, sectionId, itemId };
}

function editOf(base: Y.Doc, write: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
  const before = Y.encodeStateVector(doc);
  write(doc);
  return Y.encodeStateAsUpdate(doc, before);
}

describe('the one error map (any zod schema without its own message)', () => {
  it('says what to do instead of zod’s wording', () => {
    const cases: [z.ZodType, unknown, string][] = [
      [z.string().max(500), 'x'.repeat(501), 'Use at most 500 characters'],
      [z.string().max(2000), 'x'.repeat(2001), 'Use at most 2,000 characters'],
      [z.string().min(1), '', 'Fill this in: it cannot be empty'],
      [z.string().min(8), 'short', 'Use at least 8 characters'],
      [z.number().min(0), -1, 'Use a number of at least 0'],
      [z.number().max(100), 101, 'Use a number of at most 100'],
      [z.number(), 'abc', 'Enter a number, like 42 or 3.5'],
      [z.string(), undefined, 'Fill this in: it cannot be empty'],
      [z.uuid(), 'not-an-id', 'Choose one of the options offered'],
      [z.enum(['low', 'high']), 'severe', 'Choose one of the options offered'],
      [z.url(), 'example', 'Use a full web address starting with https:// or http://'],
      [z.email(), 'someone', 'Enter an email address like name@example.com'],
      [z.array(z.string()).max(2), ['a', 'b', 'c'], 'Use at most 2 entries'],
    ];
    for (const [schema, value, message] of cases) expect(messageOf(schema, value)).toBe(message);
  });

  it('leaves a schema’s own message alone', () => {
    expect(messageOf(z.string().min(1, 'A section needs a name'), '')).toBe('A section needs a name');
  });

  it('words every kind of issue without zod’s text', () => {
    const issues: z.core.$ZodRawIssue[] = [
      { code: 'too_big', origin: 'string', maximum: 3, inclusive: true, input: 'abcd', path: [] },
      { code: 'too_small', origin: 'array', minimum: 1, inclusive: true, input: [], path: [] },
      { code: 'invalid_format', format: 'regex', input: 'x', path: [] },
      { code: 'invalid_type', expected: 'boolean', input: 'x', path: [] },
      { code: 'unrecognized_keys', keys: ['extra'], input: {}, path: [] },
      { code: 'custom', input: 1, path: [] },
    ];
    for (const issue of issues) expect(validationMessage(issue)).not.toMatch(ZOD_WORDING);
  });
});

describe('problemMessage (what a form shows when a writer throws)', () => {
  it('gives the first issue’s sentence, not a JSON dump of the issues', () => {
    const { doc, itemId } = checklist();
    let thrown: unknown;
    try {
      updateItem(doc, itemId, { title: 'x'.repeat(501) });
    } catch (error) {
      thrown = error;
    }
    expect(problemMessage(thrown)).toBe('A title can be at most 500 characters');
  });

  it('uses a plain error’s message, else the fallback', () => {
    expect(problemMessage(new Error('No item with id x'))).toBe('No item with id x');
    expect(problemMessage('boom', 'Try again')).toBe('Try again');
  });
});

describe('the doc-model writers refuse in words', () => {
  it('an empty section name', () => {
    const { doc, sectionId } = checklist();
    expect(() => renameSection(doc, sectionId, '   ')).toThrow('A section needs a name');
    expect(() => addSection(doc, { title: '' })).toThrow('A section needs a name');
    expect(readChecklist(doc).sections.map((section) => section.title)).toEqual(['Power']);
  });

  it('figure labels and evidence', () => {
    const { doc, itemId } = checklist();
    const failure = (write: () => void) => {
      try {
        write();
      } catch (error) {
        return problemMessage(error);
      }
      throw new Error('expected a refusal');
    };
    expect(failure(() => setFigure(doc, itemId, { kind: 'mw', label: 'x'.repeat(121), value: 1 }))).toBe(
      'A figure label can be at most 120 characters',
    );
    expect(failure(() => setFigure(doc, itemId, { kind: 'mw', label: ' ', value: 1 }))).toBe('A figure needs a label');
    expect(failure(() => addEvidence(doc, itemId, { url: 'ftp://files', label: '' }))).toBe(
      'Use a full web address starting with https:// or http://',
    );
    expect(failure(() => addEvidence(doc, itemId, { url: 'https://example.com', label: 'x'.repeat(201) }))).toBe(
      'An evidence label can be at most 200 characters',
    );
  });

  it('implausible due dates, at the edges of 2000 and 2100', () => {
    const { doc, itemId } = checklist();
    for (const date of ['1999-12-31', '2101-01-01', '0202-03-04', '2026-02-31']) {
      expect(() => updateItem(doc, itemId, { dueDate: date })).toThrow();
    }
    expect(() => updateItem(doc, itemId, { dueDate: '1999-12-31' })).toThrow(DUE_DATE_RANGE_MESSAGE);
    updateItem(doc, itemId, { dueDate: '2000-01-01' });
    updateItem(doc, itemId, { dueDate: '2100-12-31' });
    expect(readChecklist(doc).sections[0]!.items[0]!.dueDate).toBe('2100-12-31');
  });
});

describe('the server’s schema guard agrees with the writers on due dates', () => {
  it('refuses writing a date outside 2000-2100, in the same words', () => {
    const { doc, itemId } = checklist();
    const update = editOf(doc, (copy) => (itemsOf(copy).get(itemId) as Y.Map<unknown>).set('dueDate', '1999-12-31'));
    expect(checkUpdate(doc, update)).toContain(DUE_DATE_RANGE_MESSAGE);
    const fine = editOf(doc, (copy) => (itemsOf(copy).get(itemId) as Y.Map<unknown>).set('dueDate', '2026-12-31'));
    expect(checkUpdate(doc, fine)).toBeNull();
  });

  it('still reads a date stored before the rule, and accepts other edits of that item', () => {
    const { doc, itemId } = checklist();
    (itemsOf(doc).get(itemId) as Y.Map<unknown>).set('dueDate', '1999-12-31');
    expect(readChecklist(doc).sections[0]!.items[0]!.dueDate).toBe('1999-12-31');
    const update = editOf(doc, (copy) => updateItem(copy, itemId, { status: 'in_progress' }));
    expect(checkUpdate(doc, update)).toBeNull();
  });
});
