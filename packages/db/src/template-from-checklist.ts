import { checklistTemplateSchema, type ChecklistTemplate, type ChecklistView, type WorkstreamKind } from '@tieout/doc-model';

/**
 * A checklist's structure as template data: sections, item titles and references, risk levels and the figures to collect
 * (kind and label). What belongs to one deal is left out: status, owners, due dates, figure values, notes,
 * evidence (docs/decisions/092-save-as-template.md).
 */
export function templateFromChecklist(
  view: ChecklistView,
  meta: { key: string; name: string; description: string; workstream: WorkstreamKind },
): ChecklistTemplate {
  return checklistTemplateSchema.parse({
    key: meta.key,
    name: meta.name,
    description: meta.description,
    workstream: meta.workstream,
    sections: view.sections.map((section) => ({
      title: section.title,
      items: section.items.map((item) => ({
        title: item.title,
        ...(item.reference ? { reference: item.reference } : {}),
        ...(item.risk ? { risk: item.risk } : {}),
        figures: item.figures.map((figure) => ({ kind: figure.kind, label: figure.label, value: null })),
      })),
    })),
  });
}

/** A template key from its name: "Site retrofits (Texas)" -> "site-retrofits-texas". */
export function templateKey(name: string): string {
  const key = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return key || 'template';
}
