import { figureLabelKey, type FigureKind } from './schema.ts';
import { rollupFigures, type FigureRollup, type RollupInput } from './projection.ts';

/*
 * The exposure table of a deal: the typed figures that say what the buyer gets and what it takes on, matched by
 * the labels the built-in templates use (a workspace's own templates and imports can use the same labels to
 * appear here). Each line is a roll-up of that label over the deal's items, verified and unverified apart.
 */

export interface ExposureLineSpec {
  label: string;
  kind: FigureKind;
  /** What the line means for the deal, shown next to it. */
  role: string;
}

export interface ExposureGroupSpec {
  key: 'power' | 'leases' | 'energy';
  title: string;
  lines: ExposureLineSpec[];
}

export const EXPOSURE_GROUPS: readonly ExposureGroupSpec[] = [
  {
    key: 'power',
    title: 'Power: deliverable vs reported',
    lines: [
      { label: 'Reported gross capacity (portfolio)', kind: 'mw', role: 'reported' },
      { label: 'Contracted MW', kind: 'mw', role: 'contracted' },
      { label: 'Capacity under signed ESAs', kind: 'mw', role: 'contracted' },
      { label: 'Deliverable MW today', kind: 'mw', role: 'deliverable' },
      { label: 'Verified MW (utility confirmation)', kind: 'mw', role: 'deliverable' },
    ],
  },
  {
    key: 'leases',
    title: 'Lease obligations: eliminated vs assumed',
    lines: [
      { label: 'Reported future lease obligations eliminated', kind: 'usd', role: 'eliminated' },
      { label: 'ASC 842 lease liability assumed', kind: 'usd', role: 'assumed' },
      { label: 'Total remaining rent', kind: 'usd', role: 'assumed' },
      { label: 'Estimated restoration cost', kind: 'usd', role: 'assumed' },
    ],
  },
  {
    key: 'energy',
    title: 'Energy commitments by year',
    lines: [
      { label: 'Committed energy spend, year 1', kind: 'usd', role: 'year 1' },
      { label: 'Committed energy spend, year 2', kind: 'usd', role: 'year 2' },
      { label: 'Committed energy spend, year 3', kind: 'usd', role: 'year 3' },
      { label: 'Take-or-pay exposure', kind: 'usd', role: 'minimum take' },
      { label: 'Exit penalties', kind: 'usd', role: 'exit' },
    ],
  },
];

export interface ExposureLine extends ExposureLineSpec {
  /** Null when no item of the deal has a value for this figure yet. */
  rollup: FigureRollup | null;
}

export interface ExposureGroup {
  key: ExposureGroupSpec['key'];
  title: string;
  lines: ExposureLine[];
}

/** The exposure table of one deal's items (their figures and whether each item is approved). */
export function exposureOf(items: readonly RollupInput[]): ExposureGroup[] {
  const rollups = new Map(rollupFigures(items).map((rollup) => [`${rollup.kind}\u0000${figureLabelKey(rollup.label)}`, rollup]));
  return EXPOSURE_GROUPS.map((group) => ({
    key: group.key,
    title: group.title,
    lines: group.lines.map((line) => ({ ...line, rollup: rollups.get(`${line.kind}\u0000${figureLabelKey(line.label)}`) ?? null })),
  }));
}
