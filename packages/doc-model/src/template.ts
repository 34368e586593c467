import type * as Y from 'yjs';
import { z } from 'zod';
import { addItem, addSection, markCurrentVersion, setTitle } from './checklist.ts';
import { EDITABLE_ITEM_FIELDS } from './layout.ts';
import { duplicateFigureLabel, FIGURE_KIND_NAMES, itemFieldsSchema, type FigureKind } from './schema.ts';

export const WORKSTREAM_KINDS = ['site_retrofits', 'energy_contracts', 'lease_exposure', 'custom'] as const;
export type WorkstreamKind = (typeof WORKSTREAM_KINDS)[number];

/** The plain fields an item of a template may set: those of layout.ts's EDITABLE_ITEM_FIELDS, all optional but the title. */
const templateFields = itemFieldsSchema.pick(
  Object.fromEntries(EDITABLE_ITEM_FIELDS.map((field) => [field, true])) as { [K in (typeof EDITABLE_ITEM_FIELDS)[number]]: true },
);
const templateItemSchema = templateFields
  .partial()
  .required({ title: true })
  .extend({
    figures: z
      .array(
        z.object({
          kind: z.enum(FIGURE_KIND_NAMES as [FigureKind, ...FigureKind[]]),
          label: z.string().trim().min(1).max(120),
          value: z.number().finite().nullable().optional(),
        }),
      )
      .default([])
      .superRefine((figures, context) => {
        figures.forEach((figure, index) => {
          const clash = duplicateFigureLabel(
            { id: String(index), label: figure.label },
            figures.slice(0, index).map((other, at) => ({ id: String(at), label: other.label })),
          );
          if (clash) context.addIssue({ code: 'custom', message: clash, path: [index, 'label'] });
        });
      }),
    notes: z.array(z.string()).default([]),
  });

/** A checklist template: plain data (JSON), validated here, turned into a document by `applyTemplate`. */
export const checklistTemplateSchema = z.object({
  key: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().trim().min(1).max(200),
  workstream: z.enum(WORKSTREAM_KINDS),
  description: z.string().max(2000).default(''),
  sections: z.array(z.object({ title: z.string().trim().min(1).max(200), items: z.array(templateItemSchema) })).min(1),
});
export type ChecklistTemplate = z.input<typeof checklistTemplateSchema>;

export interface ApplyTemplateOptions {
  /** Makes the ids of sections, items and figures; defaults to random ids (pass a deterministic one for seeds). */
  newId?: () => string;
}

/** Fills an empty document from a template, in one transaction. */
export function applyTemplate(doc: Y.Doc, template: ChecklistTemplate, title = template.name, options: ApplyTemplateOptions = {}): void {
  const parsed = checklistTemplateSchema.parse(template);
  const id = options.newId;
  doc.transact(() => {
    markCurrentVersion(doc);
    setTitle(doc, title);
    for (const section of parsed.sections) {
      const sectionId = addSection(doc, { title: section.title, id: id?.() });
      for (const item of section.items) {
        const itemId = id?.();
        const figures = item.figures.map((figure) => ({ kind: figure.kind, label: figure.label, value: null, id: id?.() }));
        addItem(doc, { ...item, figures, sectionId, id: itemId });
      }
    }
  });
}
