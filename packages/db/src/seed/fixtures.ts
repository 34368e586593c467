import { demoUsers, otherWorkspace } from '../demo.ts';

/** The outsider's own deal in the other workspace: RLS tests check that demo members never see it. */
export const otherDeal = {
  id: '33333333-3333-4333-8333-000000000009',
  workspaceId: otherWorkspace.id,
  name: 'Helios Compute / Ridgeline Hash',
  buyer: 'Helios Compute',
  target: 'Ridgeline Hash',
  valueUsd: 450_000_000,
} as const;

export const otherWorkstream = {
  id: '44444444-4444-4444-8444-000000000009',
  kind: 'energy_contracts',
  name: 'Power contracts',
} as const;

export const otherChecklist = {
  id: '55555555-5555-4555-8555-000000000009',
  workstreamId: otherWorkstream.id,
  title: 'Power contracts',
  createdBy: demoUsers.outsider.id,
} as const;

/** Ids of the built-in templates' rows in public.checklist_templates. */
export const builtInTemplateIds: Record<string, string> = {
  'site-retrofits': '66666666-6666-4666-8666-000000000001',
  'energy-contracts': '66666666-6666-4666-8666-000000000002',
  'lease-exposure': '66666666-6666-4666-8666-000000000003',
};

/** "Today" in the demo story: due dates before it on unfinished items are overdue. */
export const SEED_TODAY = '2026-11-22';
