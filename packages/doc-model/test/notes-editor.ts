import { Schema, type Node as PmNode } from '@tiptap/pm/model';
import { updateYFragment } from '@tiptap/y-tiptap';
import fc from 'fast-check';
import type * as Y from 'yjs';

/*
 * Notes edits as the app's editor makes them: Tiptap's Collaboration extension binds ProseMirror to the item's
 * Y.XmlFragment through y-tiptap (y-prosemirror), whose `updateYFragment` writes each new editor state into Yjs.
 * The schema has the kinds of nodes, attributes and marks the app's StarterKit + task lists + tables produce.
 */
export const notesSchema = new Schema({
  nodes: {
    doc: { content: 'block+' },
    paragraph: { content: 'inline*', group: 'block' },
    heading: { attrs: { level: { default: 2 } }, content: 'inline*', group: 'block' },
    bulletList: { content: 'listItem+', group: 'block' },
    orderedList: { attrs: { start: { default: 1 }, type: { default: null } }, content: 'listItem+', group: 'block' },
    listItem: { content: 'paragraph block*' },
    taskList: { content: 'taskItem+', group: 'block' },
    taskItem: { attrs: { checked: { default: false } }, content: 'paragraph block*' },
    table: { content: 'tableRow+', group: 'block' },
    tableRow: { content: 'tableCell+' },
    tableCell: { attrs: { colspan: { default: 1 }, rowspan: { default: 1 }, colwidth: { default: null } }, content: 'block+' },
    hardBreak: { inline: true, group: 'inline' },
    text: { group: 'inline' },
  },
  marks: {
    bold: {},
    italic: {},
    code: {},
    link: {
      attrs: { href: {}, target: { default: '_blank' }, rel: { default: 'noopener noreferrer nofollow' }, class: { default: null } },
      inclusive: false,
    },
  },
});

/** Writes `state` into the fragment as the editor binding does after a ProseMirror transaction. */
export function writeNotes(doc: Y.Doc, fragment: Y.XmlFragment, state: PmNode): void {
  updateYFragment(doc, fragment, state, { mapping: new Map(), isOMark: new Map() });
}

const { nodes, marks } = notesSchema;
const text = (value: string, ...markNames: ('bold' | 'italic' | 'code' | 'link')[]) =>
  notesSchema.text(
    value,
    markNames.map((name) => (name === 'link' ? marks.link.create({ href: 'https://example.com/ppa' }) : marks[name]!.create())),
  );
const paragraph = (...content: PmNode[]) => nodes.paragraph!.create(null, content);

/** A short editing session: typing, formatting, a link, lists, a checked task, a table, a deletion. */
export function notesSession(): PmNode[] {
  const steps: PmNode[][] = [
    [paragraph()],
    [paragraph(text('Utility'))],
    [paragraph(text('Utility interconnection agreement reviewed'))],
    [paragraph(text('Utility '), text('interconnection', 'bold'), text(' agreement reviewed'))],
    [paragraph(text('Utility '), text('interconnection', 'bold'), text(' agreement reviewed, see '), text('the PPA', 'link'))],
    [
      paragraph(text('Utility '), text('interconnection', 'bold'), text(' agreement reviewed, see '), text('the PPA', 'link')),
      nodes.heading!.create({ level: 3 }, [text('Open points')]),
      nodes.bulletList!.create(null, [nodes.listItem!.create(null, [paragraph(text('Substation upgrade'))])]),
    ],
    [
      paragraph(text('Utility '), text('interconnection', 'bold'), text(' agreement reviewed, see '), text('the PPA', 'link')),
      nodes.heading!.create({ level: 3 }, [text('Open points')]),
      nodes.taskList!.create(null, [
        nodes.taskItem!.create({ checked: true }, [paragraph(text('Substation upgrade'))]),
        nodes.taskItem!.create({ checked: false }, [paragraph(text('Liquid cooling '), text('CDU', 'code'))]),
      ]),
      nodes.table!.create(null, [
        nodes.tableRow!.create(null, [
          nodes.tableCell!.create({ colwidth: [120] }, [paragraph(text('Site'))]),
          nodes.tableCell!.create(null, [paragraph(text('MW', 'italic'))]),
        ]),
      ]),
    ],
    [
      nodes.heading!.create({ level: 2 }, [text('Open points')]),
      nodes.orderedList!.create({ start: 3 }, [
        nodes.listItem!.create(null, [paragraph(text('Substation'), nodes.hardBreak!.create(), text('upgrade'))]),
      ]),
    ],
  ];
  return steps.map((content) => nodes.doc!.create(null, content));
}

const markNames = fc.subarray(['bold', 'italic', 'code', 'link'] as const);
const run = fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), markNames).map(([value, names]) => text(value, ...names));
const inline = fc
  .array(fc.oneof({ weight: 5, arbitrary: run }, { weight: 1, arbitrary: fc.constant(null) }), { maxLength: 4 })
  .map((parts) => parts.map((part) => part ?? nodes.hardBreak!.create()));
const para = inline.map((content) => paragraph(...content));
const block: fc.Arbitrary<PmNode> = fc.oneof(
  { weight: 4, arbitrary: para },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(2, 3), inline).map(([level, content]) => nodes.heading!.create({ level }, content)) },
  {
    weight: 1,
    arbitrary: fc.array(para, { minLength: 1, maxLength: 3 }).map((ps) =>
      nodes.bulletList!.create(
        null,
        ps.map((p) => nodes.listItem!.create(null, [p])),
      ),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.array(fc.tuple(fc.boolean(), para), { minLength: 1, maxLength: 3 }).map((entries) =>
      nodes.taskList!.create(
        null,
        entries.map(([checked, p]) => nodes.taskItem!.create({ checked }, [p])),
      ),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.array(para, { minLength: 1, maxLength: 3 }).map((cells) =>
      nodes.table!.create(null, [
        nodes.tableRow!.create(
          null,
          cells.map((p) => nodes.tableCell!.create(null, [p])),
        ),
      ]),
    ),
  },
);

/** Random editor states; writing one after another makes the inserts, deletions and format changes typing would. */
export const notesState: fc.Arbitrary<PmNode> = fc.array(block, { minLength: 1, maxLength: 5 }).map((blocks) => nodes.doc!.create(null, blocks));
