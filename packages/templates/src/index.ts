import { checklistTemplateSchema, type ChecklistTemplate, type WorkstreamKind } from '@tieout/doc-model';
import energyContracts from '../templates/energy-contracts.json' with { type: 'json' };
import leaseExposure from '../templates/lease-exposure.json' with { type: 'json' };
import siteRetrofits from '../templates/site-retrofits.json' with { type: 'json' };

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Validates template data (a parsed JSON file or a stored row's body); the error names the template and the field. */
export function parseTemplate(data: unknown, source = 'template'): ChecklistTemplate {
  const result = checklistTemplateSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new TemplateError(`${source} is not a valid checklist template: ${problems.join('; ')}`);
  }
  return result.data;
}

/** The templates shipped with Tieout, one per built-in workstream, validated when this module loads. */
export const builtInTemplates: ChecklistTemplate[] = [
  parseTemplate(siteRetrofits, 'templates/site-retrofits.json'),
  parseTemplate(energyContracts, 'templates/energy-contracts.json'),
  parseTemplate(leaseExposure, 'templates/lease-exposure.json'),
];

export function templateByKey(key: string): ChecklistTemplate | undefined {
  return builtInTemplates.find((template) => template.key === key);
}

export function templateForWorkstream(kind: WorkstreamKind): ChecklistTemplate | undefined {
  return builtInTemplates.find((template) => template.workstream === kind);
}
