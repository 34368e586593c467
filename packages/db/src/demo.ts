/** Fixed identities of the demo seed (supabase/seed.sql). Tests and docs refer to these. */
export const DEMO_PASSWORD = 'tieout-demo-2026';

export const demoUsers = {
  owner: { id: '11111111-1111-4111-8111-000000000001', email: 'olivia.owner@tieout.dev', name: 'Olivia Owens', role: 'owner' },
  editor: { id: '11111111-1111-4111-8111-000000000002', email: 'eddie.editor@tieout.dev', name: 'Eddie Ng', role: 'editor' },
  editor2: { id: '11111111-1111-4111-8111-000000000003', email: 'erin.editor@tieout.dev', name: 'Erin Alvarez', role: 'editor' },
  reviewer: { id: '11111111-1111-4111-8111-000000000004', email: 'rita.reviewer@tieout.dev', name: 'Rita Chen', role: 'reviewer' },
  reviewer2: { id: '11111111-1111-4111-8111-000000000005', email: 'raj.reviewer@tieout.dev', name: 'Raj Patel', role: 'reviewer' },
  viewer: { id: '11111111-1111-4111-8111-000000000006', email: 'victor.viewer@tieout.dev', name: 'Victor Osei', role: 'viewer' },
  owner2: { id: '11111111-1111-4111-8111-000000000007', email: 'maya.manager@tieout.dev', name: 'Maya Brooks', role: 'owner' },
  /** Member of another workspace only: must see nothing of the demo workspace. */
  outsider: { id: '11111111-1111-4111-8111-000000000009', email: 'oscar@othercapital.dev', name: 'Oscar Ruiz', role: null },
} as const;

export const demoWorkspace = { id: '22222222-2222-4222-8222-000000000001', name: 'Infrastructure M&A' } as const;
export const otherWorkspace = { id: '22222222-2222-4222-8222-000000000002', name: 'Other Capital' } as const;

export const demoDeal = {
  id: '33333333-3333-4333-8333-000000000001',
  name: 'CoreWeave / Core Scientific',
  buyer: 'CoreWeave',
  target: 'Core Scientific',
  valueUsd: 9_000_000_000,
} as const;

export const demoWorkstreams = {
  siteRetrofits: { id: '44444444-4444-4444-8444-000000000001', kind: 'site_retrofits', name: 'Site retrofits' },
  energyContracts: { id: '44444444-4444-4444-8444-000000000002', kind: 'energy_contracts', name: 'Energy contracts' },
  leaseExposure: { id: '44444444-4444-4444-8444-000000000003', kind: 'lease_exposure', name: 'Lease exposure' },
} as const;

export const demoChecklists = {
  siteRetrofits: { id: '55555555-5555-4555-8555-000000000001', workstreamId: demoWorkstreams.siteRetrofits.id, title: 'Site retrofits' },
  energyContracts: { id: '55555555-5555-4555-8555-000000000002', workstreamId: demoWorkstreams.energyContracts.id, title: 'Energy contracts' },
  leaseExposure: { id: '55555555-5555-4555-8555-000000000003', workstreamId: demoWorkstreams.leaseExposure.id, title: 'Lease exposure' },
} as const;
