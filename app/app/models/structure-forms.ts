import { DEAL_STAGES, STRUCTURE_KINDS } from '@tieout/db/structure-kinds';
import { z } from 'zod';

/**
 * The forms that rename, archive, unarchive and delete deals, workstreams and checklists, and change a deal's stage
 * (the deal's Manage page and the workspace's Archived page; decision 153). Told apart by their `intent` button.
 */
const kind = z.enum(STRUCTURE_KINDS, { error: 'Choose a deal, workstream or checklist' });
const id = z.uuid('Choose a deal, workstream or checklist');

export const structureIntentSchema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('rename'),
    kind,
    id,
    name: z.string().trim().min(1, 'Enter a name').max(200, 'Use at most 200 characters'),
  }),
  z.object({ intent: z.literal('archive'), kind, id }),
  z.object({ intent: z.literal('unarchive'), kind, id }),
  // The confirmation dialog adds `confirmed`; a delete without it (a form posted without the page's script) is refused.
  z.object({ intent: z.literal('delete'), kind, id, confirmed: z.literal('yes', { error: 'Confirm the deletion first' }) }),
  z.object({ intent: z.literal('stage'), stage: z.enum(DEAL_STAGES, { error: 'Choose a stage' }) }),
]);
export type StructureIntent = z.output<typeof structureIntentSchema>;

/** The intent's form fields, validated; the first problem as a message. */
export function parseStructureIntent(
  formData: FormData,
): { ok: true; value: StructureIntent } | { ok: false; message: string; field: string | null } {
  const raw: Record<string, string> = {};
  for (const [key, value] of formData) if (typeof value === 'string') raw[key] = value;
  const parsed = structureIntentSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path[0] === undefined ? null : String(issue.path[0]);
  const message =
    field === 'intent' ? 'Choose what to do: rename, archive, unarchive, delete or change the stage' : (issue?.message ?? 'Check the form');
  return { ok: false, message, field };
}

export const KIND_LABELS = { deal: 'deal', workstream: 'workstream', checklist: 'checklist' } as const;
