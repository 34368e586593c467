/**
 * What can be renamed, archived and deleted, and a deal's stages (the check constraint of public.deals.stage):
 * browser-safe (no imports), for the app's pages as `@tieout/db/structure-kinds`. Decision 153.
 */
export type StructureKind = 'deal' | 'workstream' | 'checklist';
export const STRUCTURE_KINDS = ['deal', 'workstream', 'checklist'] as const satisfies readonly StructureKind[];

export const DEAL_STAGES = ['diligence', 'signing', 'closed', 'abandoned'] as const;
export type DealStage = (typeof DEAL_STAGES)[number];
export const DEAL_STAGE_LABELS: Record<DealStage, string> = {
  diligence: 'Diligence',
  signing: 'Signing',
  closed: 'Closed',
  abandoned: 'Abandoned',
};

export function isDealStage(value: unknown): value is DealStage {
  return typeof value === 'string' && (DEAL_STAGES as readonly string[]).includes(value);
}
