import { WORKSTREAM_KINDS } from '@tieout/doc-model';
import { z } from 'zod';
import { parseFigureValue } from '~/utils/import/mapping.ts';

/**
 * Form schemas of the deal, workstream and checklist pages (validated on the server; messages shown by field).
 * Lengths and formats are worded by the doc model's one error map ("Use at most 200 characters"); a message here
 * is only for what the map cannot know (which field is missing and how to fill it).
 */

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((value) => (value ? value : null));

const usdValue = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (!value || value.trim() === '') return null;
    const parsed = parseFigureValue(value, 'usd');
    if (parsed === null) return null;
    if (typeof parsed === 'object' || parsed < 0) {
      ctx.addIssue({ code: 'custom', message: 'Enter an amount in US dollars, like 9,000,000,000 or $9B' });
      return z.NEVER;
    }
    return parsed;
  });

export const newDealSchema = z
  .object({
    workspaceId: z.uuid('Choose a workspace'),
    name: z.string().trim().min(1, 'Enter a name for the deal').max(200),
    buyer: optionalText(200),
    target: optionalText(200),
    value: usdValue,
  })
  .transform(({ value, ...rest }) => ({ ...rest, valueUsd: value }));

export const WORKSTREAM_KIND_LABELS: Record<(typeof WORKSTREAM_KINDS)[number], string> = {
  site_retrofits: 'Site retrofits',
  energy_contracts: 'Energy contracts',
  lease_exposure: 'Lease exposure',
  custom: 'Custom',
};

export const newWorkstreamSchema = z
  .object({
    kind: z.enum(WORKSTREAM_KINDS, { error: 'Choose a kind of workstream' }),
    name: z.string().trim().max(200).optional(),
  })
  .transform((input, ctx) => {
    const name = input.name || (input.kind === 'custom' ? '' : WORKSTREAM_KIND_LABELS[input.kind]);
    if (!name) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'Name the custom workstream' });
      return z.NEVER;
    }
    return { kind: input.kind, name };
  });

export const newChecklistSchema = z
  .object({
    workstreamId: z.uuid('Choose a workstream'),
    title: z.string().trim().min(1, 'Enter a title for the checklist').max(200),
    source: z.string().min(1, 'Choose a template or an empty checklist'),
    sectionTitle: z.string().trim().max(200).optional(),
  })
  .transform((input, ctx) => {
    if (input.source === 'empty') return { ...input, source: { kind: 'empty' as const, sectionTitle: input.sectionTitle || 'General' } };
    const templateId = z.uuid().safeParse(input.source);
    if (!templateId.success) {
      ctx.addIssue({ code: 'custom', path: ['source'], message: 'Choose a template or an empty checklist' });
      return z.NEVER;
    }
    return { ...input, source: { kind: 'template' as const, templateId: templateId.data } };
  });

export const saveTemplateSchema = z.object({
  name: z.string().trim().min(1, 'Enter a name for the template').max(200),
  description: z
    .string()
    .trim()
    .max(2000)
    .optional()
    .transform((value) => value ?? ''),
});
