import { listAuditTrail, type AuditEntry, type AuditFilter, type Database, type JwtClaims } from '@tieout/db';
import { isoDate } from '@tieout/doc-model';
import Papa from 'papaparse';
import { z } from 'zod';
import { describeAudit, formatWhen, showAuditValue, type Names } from '~/components/history/describe.ts';

/** The activity filters a page reads from its URL: ?person=&field=&from=YYYY-MM-DD&to=YYYY-MM-DD&item=. */
export interface ActivityQuery {
  person: string;
  field: string;
  from: string;
  to: string;
  item: string;
}

const querySchema = z.object({
  person: z.union([z.literal(''), z.uuid({ error: 'Pick a person from the list.' })]),
  field: z.union([z.literal(''), z.string().regex(/^[a-z_]{1,40}$/, 'Pick a field from the list.')]),
  from: z.union([z.literal(''), isoDate]),
  to: z.union([z.literal(''), isoDate]),
  item: z.string().max(64),
});

const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString();

/** The query as typed (for the form) and the filter it means, or the first problem with it. */
export function activityFilter(url: URL): {
  query: ActivityQuery;
  filter: Omit<AuditFilter, 'workspaceId' | 'dealId' | 'checklistId'>;
  error: string | null;
} {
  const query: ActivityQuery = {
    person: url.searchParams.get('person') ?? '',
    field: url.searchParams.get('field') ?? '',
    from: url.searchParams.get('from') ?? '',
    to: url.searchParams.get('to') ?? '',
    item: url.searchParams.get('item') ?? '',
  };
  const parsed = querySchema.safeParse(query);
  if (!parsed.success) return { query, filter: {}, error: parsed.error.issues[0]!.message };
  const q = parsed.data;
  if (q.from && q.to && q.to < q.from) return { query, filter: {}, error: 'The end date is before the start date.' };
  return {
    query,
    error: null,
    filter: {
      userId: q.person || undefined,
      field: q.field || undefined,
      from: q.from ? `${q.from}T00:00:00.000Z` : undefined,
      to: q.to ? nextDay(q.to) : undefined,
      itemId: q.item || undefined,
    },
  };
}

export async function loadActivity(
  db: Database,
  claims: JwtClaims,
  scope: { checklistId: string } | { dealId: string },
  url: URL,
  limit = 200,
): Promise<{ entries: AuditEntry[]; query: ActivityQuery; error: string | null }> {
  const { query, filter, error } = activityFilter(url);
  if (error) return { entries: [], query, error };
  return { entries: await listAuditTrail(db, claims, { ...scope, ...filter, limit }), query, error: null };
}

/** A deal's audit trail as CSV (one row per audit row, newest first), for export. */
export function auditCsv(entries: AuditEntry[], names: Names): string {
  // escapeFormulae: a cell starting with = + - @ is not run as a formula by a spreadsheet.
  return Papa.unparse(
    {
      fields: ['time (UTC)', 'person', 'checklist', 'item', 'kind', 'field', 'old value', 'new value', 'description'],
      data: entries.map((entry) => [
        formatWhen(entry.createdAt).replace(' UTC', ''),
        entry.userName ?? (entry.userId ? 'a former member' : 'system'),
        entry.checklistTitle ?? '',
        entry.itemTitle ?? entry.itemId ?? '',
        entry.kind,
        entry.field ?? '',
        showAuditValue(entry, 'old', names),
        showAuditValue(entry, 'new', names),
        describeAudit(entry, names, entry.itemTitle ?? undefined),
      ]),
    },
    { escapeFormulae: true },
  );
}
