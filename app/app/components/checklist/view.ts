/** Pure helpers for the checklist page: keeping unchanged rows identical, filtering, sorting. */
import { ITEM_STATUSES, RISK_LEVELS, type ChecklistView, type ItemStatus, type ItemView, type RiskLevel, type SectionView } from '@tieout/doc-model';

/** Keeping unchanged rows identical lives with the reader in the doc model (live-view.ts); the page tests use it from here. */
export { sameItemView as sameItem, stabilizeView } from '@tieout/doc-model';

export type SortKey = 'manual' | 'reference' | 'status' | 'owner' | 'risk' | 'due';
export const SORT_LABELS: Record<SortKey, string> = {
  manual: 'Checklist order',
  reference: 'Reference (1.2 before 1.10)',
  status: 'Status',
  owner: 'Owner',
  risk: 'Risk (highest first)',
  due: 'Due date (soonest first)',
};

export interface ItemFilter {
  status: ItemStatus | '';
  /** A member id, 'unassigned', or '' for anyone. */
  owner: string;
  risk: RiskLevel | '';
  overdueOnly: boolean;
  query: string;
}

export const NO_FILTER: ItemFilter = { status: '', owner: '', risk: '', overdueOnly: false, query: '' };

export const isFiltering = (filter: ItemFilter) =>
  filter.status !== '' || filter.owner !== '' || filter.risk !== '' || filter.overdueOnly || filter.query.trim() !== '';

/* One definition of today and overdue for every page (doc-model dates.ts, decision 141): the UTC calendar day. */
import { isOverdue } from '@tieout/doc-model';
export { isOverdue, todayIso } from '@tieout/doc-model';

export interface VisibleSection {
  section: SectionView;
  items: ItemView[];
}

export interface ViewContext {
  today: string;
  /** Plain text of an item's notes; only called while searching. */
  notesText: (itemId: string) => string;
  ownerName: (ownerId: string) => string;
}

const referenceOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const statusRank = new Map(ITEM_STATUSES.map((status, index) => [status, index]));
const riskRank = new Map(RISK_LEVELS.map((risk, index) => [risk, index + 1]));

/** Sections with the items that pass the filter, in the chosen order (ties keep checklist order). */
export function visibleSections(view: ChecklistView, filter: ItemFilter, sort: SortKey, context: ViewContext): VisibleSection[] {
  const filtering = isFiltering(filter);
  const query = filter.query.trim().toLowerCase();
  const matches = (item: ItemView) =>
    (filter.status === '' || item.status === filter.status) &&
    (filter.owner === '' || (filter.owner === 'unassigned' ? item.ownerId === null : item.ownerId === filter.owner)) &&
    (filter.risk === '' || item.risk === filter.risk) &&
    (!filter.overdueOnly || isOverdue(item, context.today)) &&
    (query === '' ||
      item.title.toLowerCase().includes(query) ||
      (item.reference ?? '').toLowerCase().includes(query) ||
      context.notesText(item.id).toLowerCase().includes(query));

  const compare = comparator(sort, context);
  const result: VisibleSection[] = [];
  for (const section of view.sections) {
    let items = filtering ? section.items.filter(matches) : section.items;
    if (compare)
      items = items
        .map((item, index) => ({ item, index }))
        .sort((a, b) => compare(a.item, b.item) || a.index - b.index)
        .map(({ item }) => item);
    if (filtering && items.length === 0) continue;
    result.push({ section, items });
  }
  return result;
}

function comparator(sort: SortKey, context: ViewContext): ((a: ItemView, b: ItemView) => number) | null {
  switch (sort) {
    case 'manual':
      return null;
    case 'reference':
      return (a, b) => {
        if (a.reference === b.reference) return 0;
        if (a.reference === null) return 1;
        if (b.reference === null) return -1;
        return referenceOrder.compare(a.reference, b.reference);
      };
    case 'status':
      return (a, b) => statusRank.get(a.status)! - statusRank.get(b.status)!;
    case 'risk':
      return (a, b) => (b.risk ? riskRank.get(b.risk)! : 0) - (a.risk ? riskRank.get(a.risk)! : 0);
    case 'due':
      return (a, b) => (a.dueDate ?? '9999-99-99').localeCompare(b.dueDate ?? '9999-99-99');
    case 'owner':
      return (a, b) => {
        if (a.ownerId === b.ownerId) return 0;
        if (a.ownerId === null) return 1;
        if (b.ownerId === null) return -1;
        return context.ownerName(a.ownerId).localeCompare(context.ownerName(b.ownerId));
      };
  }
}
