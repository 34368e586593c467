import type { ItemPatch } from '@tieout/doc-model';
import { demoChecklists, demoUsers } from '../demo.ts';
import { otherChecklist } from './fixtures.ts';

/*
 * The demo's history: who did what to each checklist, and when. Every session becomes one logged Yjs update
 * attributed to its author. Figures are only filled in where the public coverage gives a value (see
 * /work/shared/domain/diligence-brief.md); the rest stay empty, to be found by diligence.
 */

export type DemoUserKey = keyof typeof demoUsers;

export interface ItemEdit extends ItemPatch {
  /** The item's title, exactly as in the template. */
  item: string;
  /** Figure values by figure label. */
  figures?: Record<string, number | null>;
}

export interface NewItemEdit {
  section: string;
  title: string;
  risk: NonNullable<ItemPatch['risk']>;
  status: NonNullable<ItemPatch['status']>;
  owner: DemoUserKey;
  dueDate: string;
}

export interface Session {
  by: DemoUserKey;
  at: string;
  /** The first session creates the checklist from its template. */
  create?: { templateKey: string; title: string };
  /** Gives every item an owner and a due date, round-robin over these lists (triage). */
  triage?: { owners: DemoUserKey[]; dueDates: string[] };
  edits?: ItemEdit[];
  add?: NewItemEdit[];
}

export interface ChecklistStory {
  checklistId: string;
  /** How many of the last sessions stay in the log after the stored snapshot (0 sessions: no snapshot at all). */
  tail: number | 'no-snapshot';
  sessions: Session[];
}

const demoDueDates = ['2026-11-27', '2026-12-11', '2027-01-15', '2026-12-18', '2027-01-29', '2026-11-13', '2027-02-12'];
const triageOwners: DemoUserKey[] = ['editor', 'editor2', 'owner', 'editor2', 'editor'];

export const demoStories: ChecklistStory[] = [
  {
    checklistId: demoChecklists.siteRetrofits.id,
    tail: 2,
    sessions: [
      { by: 'owner', at: '2026-10-01T14:00:00Z', create: { templateKey: 'site-retrofits', title: demoChecklists.siteRetrofits.title } },
      { by: 'owner', at: '2026-10-02T09:30:00Z', triage: { owners: triageOwners, dueDates: demoDueDates } },
      {
        // What the public coverage of the deal claims (not findings): entered so the team can check them.
        by: 'owner',
        at: '2026-10-02T09:45:00Z',
        edits: [
          { item: 'Reconcile contracted vs deliverable MW per site', figures: { 'Reported gross capacity (portfolio)': 1300 } },
          { item: 'Share of the mining build that is reusable', figures: { 'Reusable share of the power plant (public estimate)': 20 } },
          { item: 'Floor loading and liquid-cooled rack density', figures: { 'Target rack density': 120 } },
        ],
      },
      {
        by: 'editor',
        at: '2026-10-20T16:10:00Z',
        edits: [
          { item: 'Reconcile contracted vs deliverable MW per site', status: 'in_progress' },
          { item: 'Floor loading and liquid-cooled rack density', status: 'in_progress' },
          { item: 'Capex per MW for conversion vs the mining build; long-lead equipment', status: 'in_progress' },
          { item: 'Redundancy upgrade to N+1 or 2N (UPS, generators, fuel, transfer switches) and its cost', status: 'in_progress' },
        ],
      },
      {
        by: 'editor2',
        at: '2026-11-04T11:45:00Z',
        edits: [
          { item: 'Utility ramp schedule and energization milestones', status: 'blocked', dueDate: '2026-11-13' },
          { item: 'Zoning and change-of-use approval, noise limits', status: 'blocked', dueDate: '2026-11-20' },
          { item: 'Phase I environmental site assessment', status: 'done' },
          { item: 'Share of the mining build that is reusable', status: 'in_progress' },
          { item: 'Fiber: carrier diversity, routes and latency to customers', status: 'in_progress' },
          { item: 'Cooling conversion to direct-to-chip and heat rejection capacity', status: 'needs_review' },
        ],
      },
      {
        by: 'editor',
        at: '2026-11-18T15:20:00Z',
        edits: [
          { item: 'Redundancy upgrade to N+1 or 2N (UPS, generators, fuel, transfer switches) and its cost', status: 'needs_review' },
          { item: 'Substation and transformer ownership, ratings, age and N-1 capability', status: 'in_progress', ownerId: demoUsers.editor.id },
        ],
      },
      {
        by: 'editor2',
        at: '2026-11-21T10:05:00Z',
        edits: [{ item: 'Space per MW: mining layout vs AI hall', status: 'done' }],
      },
    ],
  },
  {
    checklistId: demoChecklists.energyContracts.id,
    tail: 1,
    sessions: [
      { by: 'owner', at: '2026-10-01T14:05:00Z', create: { templateKey: 'energy-contracts', title: demoChecklists.energyContracts.title } },
      { by: 'owner2', at: '2026-10-03T08:15:00Z', triage: { owners: ['editor2', 'editor', 'owner2'], dueDates: demoDueDates } },
      {
        by: 'owner2',
        at: '2026-10-03T08:30:00Z',
        edits: [
          { item: "Target's cost of short-term debt", figures: { 'Reported short-term debt cost': 10.1 } },
          { item: 'Revenue concentration in mining', figures: { 'Share of recent revenue from crypto mining': 89 } },
        ],
      },
      {
        by: 'editor2',
        at: '2026-10-22T13:40:00Z',
        edits: [
          { item: 'PPA and retail supply terms: term, price basis, volume', status: 'in_progress' },
          { item: 'Transmission cost peaks once the load can no longer curtail (e.g. ERCOT 4CP)', status: 'in_progress' },
          { item: "Target's cost of short-term debt", status: 'done' },
          { item: 'Revenue concentration in mining', status: 'done' },
        ],
        add: [
          {
            section: 'Interconnection and electric service',
            title: 'Obtain written firm-capacity confirmations from each utility',
            risk: 'critical',
            status: 'in_progress',
            owner: 'editor2',
            dueDate: '2026-12-04',
          },
        ],
      },
      {
        by: 'editor',
        at: '2026-11-06T17:00:00Z',
        edits: [
          { item: 'Restudy risk when a flexible load becomes firm', status: 'blocked', dueDate: '2026-11-06' },
          { item: 'Curtailment clauses that conflict with firm AI load', status: 'needs_review' },
          { item: 'Assignment and change-of-control consents from utilities and suppliers', status: 'in_progress' },
          { item: 'Past bills: load factor, demand ratchets and pass-through charges', status: 'in_progress' },
        ],
      },
      {
        by: 'owner2',
        at: '2026-11-19T09:10:00Z',
        edits: [
          { item: 'Demand-response and ancillary-service enrolments and exit penalties', status: 'needs_review' },
          { item: 'Credit support: letters of credit and guarantees', status: 'in_progress', risk: 'high' },
        ],
      },
    ],
  },
  {
    checklistId: demoChecklists.leaseExposure.id,
    tail: 1,
    sessions: [
      { by: 'owner', at: '2026-10-01T14:10:00Z', create: { templateKey: 'lease-exposure', title: demoChecklists.leaseExposure.title } },
      { by: 'owner', at: '2026-10-02T10:00:00Z', triage: { owners: ['editor', 'owner', 'editor2'], dueDates: demoDueDates } },
      {
        by: 'owner',
        at: '2026-10-02T10:20:00Z',
        edits: [
          { item: 'Lease term vs 10-15 year hosting contracts', figures: { 'Existing hosting contract term': 12 } },
          {
            item: 'Obligations eliminated vs assumed and their ASC 842 lease liability',
            figures: { 'Reported future lease obligations eliminated': 10_000_000_000 },
          },
        ],
      },
      {
        by: 'editor',
        at: '2026-10-27T12:30:00Z',
        edits: [
          { item: 'Schedule of lease obligations by site: remaining term, renewals, escalations', status: 'in_progress' },
          { item: 'Lease term vs 10-15 year hosting contracts', status: 'done' },
          { item: 'Permitted-use clauses written for crypto mining', status: 'done' },
          { item: 'Obligations eliminated vs assumed and their ASC 842 lease liability', status: 'in_progress' },
        ],
      },
      {
        by: 'owner',
        at: '2026-11-10T16:45:00Z',
        edits: [
          { item: 'Estoppels and non-disturbance agreements (SNDAs)', status: 'blocked', dueDate: '2026-11-16' },
          { item: 'Consents for change of use, assignment, subletting and change of control', status: 'in_progress' },
          { item: 'Ownership and reversion of improvements (substations)', status: 'needs_review' },
          { item: 'Liens and equipment financing', status: 'in_progress', risk: 'high' },
        ],
      },
      {
        by: 'editor2',
        at: '2026-11-20T14:25:00Z',
        edits: [{ item: 'Rent resets or revenue shares tied to mining income', status: 'needs_review' }],
      },
    ],
  },
  {
    checklistId: otherChecklist.id,
    tail: 'no-snapshot',
    sessions: [
      { by: 'outsider', at: '2026-10-15T09:00:00Z', create: { templateKey: 'energy-contracts', title: otherChecklist.title } },
      {
        by: 'outsider',
        at: '2026-11-02T13:00:00Z',
        triage: { owners: ['outsider'], dueDates: ['2026-12-15', '2027-01-20'] },
        edits: [
          { item: 'PPA and retail supply terms: term, price basis, volume', status: 'in_progress' },
          { item: 'Curtailment clauses that conflict with firm AI load', status: 'in_progress' },
        ],
      },
    ],
  },
];
