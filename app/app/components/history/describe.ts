import { FIGURE_KINDS, STATUS_LABELS, type FigureKind, type ItemStatus } from '@tieout/doc-model';
import { DEAL_STAGE_LABELS, isDealStage } from '@tieout/db/structure-kinds';
import { RISK_LABELS } from '~/components/checklist/labels.ts';

/** Names of people by id, for owners and authors. */
export type Names = ReadonlyMap<string, string>;

export const FIELD_LABELS: Record<string, string> = {
  title: 'Title',
  reference: 'Reference',
  status: 'Status',
  owner: 'Owner',
  due_date: 'Due date',
  risk: 'Risk',
  section: 'Section',
  position: 'Order',
  figure: 'Figure',
  evidence: 'Evidence',
  notes: 'Notes',
  role: 'Role',
  review: 'Review',
};

/** A field value as people read it: labels for statuses and risks, names for owners, "none" for empty. */
export function showValue(field: string | null, value: unknown, names: Names, sections?: ReadonlyMap<string, string>): string {
  if (value === null || value === undefined || value === '') return 'none';
  if (field === 'status' && typeof value === 'string') return STATUS_LABELS[value as ItemStatus] ?? value;
  if (field === 'risk' && typeof value === 'string') return RISK_LABELS[value as keyof typeof RISK_LABELS] ?? value;
  if (field === 'owner' && typeof value === 'string') return names.get(value) ?? 'a former member';
  if (field === 'section' && typeof value === 'string') return sections?.get(value) ?? 'another section';
  if (field === 'figure' && typeof value === 'object') {
    const figure = value as { label?: string; value?: number | null; kind?: string };
    const unit = figure.kind && figure.kind in FIGURE_KINDS ? FIGURE_KINDS[figure.kind as FigureKind].unit : '';
    return `${figure.label ?? 'figure'}: ${figure.value ?? '—'}${unit ? ` ${unit}` : ''}`;
  }
  if (field === 'evidence' && typeof value === 'object') {
    const evidence = value as { label?: string; url?: string };
    return evidence.label || evidence.url || 'a link';
  }
  if (typeof value === 'string') return value.length > 140 ? `${value.slice(0, 140)}…` : value;
  return JSON.stringify(value);
}

export interface AuditLike {
  kind: string;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
  itemId: string | null;
}

const stageLabel = (stage: unknown) => (isDealStage(stage) ? DEAL_STAGE_LABELS[stage] : 'no stage');
const count = (n: unknown, noun: string) => (typeof n === 'number' ? `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}` : `${noun}s`);
const fileName = (file: unknown) => {
  const name = (file as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name ? `the file “${name}”` : 'a file';
};

/** One sentence for an audit row ("changed Status from In progress to Done"), without who and when. */
export function describeAudit(entry: AuditLike, names: Names, itemTitle?: string): string {
  const item = itemTitle ? `“${itemTitle}”` : 'an item';
  const value = (v: unknown) => v as Record<string, unknown> | null;
  switch (entry.kind) {
    case 'item_created':
      return `added ${itemTitle ? item : `“${String(value(entry.newValue)?.title ?? 'an item')}”`}`;
    case 'item_deleted':
      return `deleted “${String(value(entry.oldValue)?.title ?? itemTitle ?? 'an item')}”`;
    case 'item_field': {
      const label = FIELD_LABELS[entry.field ?? ''] ?? entry.field ?? 'a field';
      if (entry.field === 'notes') return `edited the notes of ${item}`;
      if (entry.field === 'position') return `moved ${item} within its section`;
      if ((entry.field === 'figure' || entry.field === 'evidence') && entry.oldValue === null) {
        return `added ${label.toLowerCase()} ${showValue(entry.field, entry.newValue, names)} to ${item}`;
      }
      if ((entry.field === 'figure' || entry.field === 'evidence') && entry.newValue === null) {
        return `removed ${label.toLowerCase()} ${showValue(entry.field, entry.oldValue, names)} from ${item}`;
      }
      return `changed ${label} of ${item} from ${showValue(entry.field, entry.oldValue, names)} to ${showValue(entry.field, entry.newValue, names)}`;
    }
    case 'section_created':
      return `added the section “${String(value(entry.newValue)?.title ?? '')}”`;
    case 'section_deleted':
      return `deleted the section “${String(value(entry.oldValue)?.title ?? '')}”`;
    case 'section_field':
      return entry.field === 'title'
        ? `renamed the section “${String(value(entry.oldValue)?.title ?? '')}” to “${String(value(entry.newValue)?.title ?? '')}”`
        : 'moved a section';
    case 'checklist_field':
      return `renamed the checklist to “${String(entry.newValue ?? '')}”`;
    case 'version_restored':
      return 'restored an earlier version of the checklist';
    case 'item_restored':
      return `restored ${item} from an earlier version`;
    case 'member_added':
      return `added ${names.get(String(value(entry.newValue)?.userId)) ?? 'a person'} as ${String(value(entry.newValue)?.role ?? '')}`;
    case 'member_role_changed':
      return `changed the role of ${names.get(String(value(entry.newValue)?.userId)) ?? 'a person'} from ${String(value(entry.oldValue)?.role ?? '')} to ${String(value(entry.newValue)?.role ?? '')}`;
    case 'member_removed':
      return `removed ${names.get(String(value(entry.oldValue)?.userId)) ?? 'a person'} from the workspace`;
    case 'invitation_created':
      return `invited ${String(value(entry.newValue)?.email ?? 'someone')} as ${String(value(entry.newValue)?.role ?? '')}`;
    case 'invitation_revoked':
      return `revoked the invitation of ${String(value(entry.oldValue)?.email ?? 'someone')}`;
    case 'invitation_accepted':
      return `accepted the invitation as ${String(value(entry.newValue)?.role ?? '')}`;
    case 'deal_deleted':
      return `deleted the deal “${String(value(entry.oldValue)?.name ?? '')}”`;
    case 'checklist_deleted':
      return `deleted the checklist “${String(value(entry.oldValue)?.title ?? '')}”`;
    case 'workstream_deleted':
      return `deleted the workstream “${String(value(entry.oldValue)?.name ?? '')}”`;
    case 'deal_renamed':
    case 'workstream_renamed':
    case 'checklist_renamed':
      return `renamed the ${entry.kind.split('_')[0]} “${String(value(entry.oldValue)?.name ?? '')}” to “${String(value(entry.newValue)?.name ?? '')}”`;
    case 'deal_archived':
    case 'workstream_archived':
    case 'checklist_archived':
      return `archived the ${entry.kind.split('_')[0]} “${String(value(entry.newValue)?.name ?? '')}”`;
    case 'deal_unarchived':
    case 'workstream_unarchived':
    case 'checklist_unarchived':
      return `brought back the archived ${entry.kind.split('_')[0]} “${String(value(entry.newValue)?.name ?? '')}”`;
    case 'deal_stage_changed':
      return `moved the deal from ${stageLabel(entry.oldValue)} to ${stageLabel(entry.newValue)}`;
    case 'deal_exported':
      return `exported the deal (${String(value(entry.newValue)?.format ?? '').toUpperCase()}, ${count(value(entry.newValue)?.items, 'item')})`;
    case 'items_exported':
      return `exported the checklist's items (${String(value(entry.newValue)?.format ?? '').toUpperCase()}, ${count(value(entry.newValue)?.rows, 'row')})`;
    case 'audit_exported':
      return `exported the audit trail (${String(value(entry.newValue)?.format ?? '').toUpperCase()}, ${count(value(entry.newValue)?.rows, 'row')})`;
    case 'item_approved':
      return `approved ${item}`;
    case 'item_sent_back':
      return `sent back ${item}${value(entry.newValue)?.commentId ? ' with a comment' : ''}`;
    case 'checklist_signed_off':
      return `signed off the checklist (${count(value(entry.newValue)?.items, 'item')})`;
    case 'file_uploaded':
      return `uploaded ${fileName(entry.newValue)} to ${item}`;
    case 'file_removed':
      return `removed ${fileName(entry.oldValue)} from ${item}`;
    default:
      return entry.kind.replace(/_/g, ' ');
  }
}

const named = (names: Names, id: unknown) => (typeof id === 'string' ? (names.get(id) ?? 'a former member') : 'a person');

/**
 * The old or new value of an audit row as people read it (the audit CSV's value columns): the same words as the
 * feed's (showValue for item fields), "pdf, 52 items" for an export, "Rita Reyes (reviewer)" for a membership, and
 * for a shape it does not know, its fields as "key: value" pairs. Empty when the row has no such value.
 */
export function showAuditValue(entry: AuditLike, side: 'old' | 'new', names: Names): string {
  const raw = side === 'old' ? entry.oldValue : entry.newValue;
  if (raw === null || raw === undefined) return '';
  const v = typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  switch (entry.kind) {
    case 'item_field':
      return showValue(entry.field, raw, names);
    case 'deal_stage_changed':
      return stageLabel(raw);
    case 'item_approved':
      return 'approved';
    case 'item_sent_back':
      return v?.commentId ? 'sent back, with a comment' : 'sent back';
    case 'checklist_signed_off':
      return count(v?.items, 'item');
    case 'deal_exported':
      return `${String(v?.format ?? '')}, ${count(v?.items, 'item')}`;
    case 'items_exported':
    case 'audit_exported':
      return `${String(v?.format ?? '')}, ${count(v?.rows, 'row')}`;
    case 'member_added':
    case 'member_role_changed':
    case 'member_removed':
      return `${named(names, v?.userId)} (${String(v?.role ?? '')})`;
    case 'invitation_created':
    case 'invitation_revoked':
    case 'invitation_accepted':
      return `${String(v?.email ?? 'someone')} (${String(v?.role ?? '')})`;
    case 'file_uploaded':
    case 'file_removed':
      return typeof v?.name === 'string' ? v.name : 'a file';
  }
  if (v && typeof v.title === 'string' && Object.keys(v).length <= 2) return v.title;
  if (v && typeof v.name === 'string' && Object.keys(v).length <= 2) return v.name;
  if (v) {
    return Object.entries(v)
      .filter(([, field]) => field !== null && field !== undefined && field !== '')
      .map(([key, field]) => `${key}: ${typeof field === 'object' ? JSON.stringify(field) : String(field)}`)
      .join(', ');
  }
  return showValue(entry.field, raw, names);
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", or the date. */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 14) return `${days} day${days === 1 ? '' : 's'} ago`;
  return new Date(iso).toISOString().slice(0, 10);
}

/** The date and time of an ISO timestamp in UTC, as shown in lists and the CSV ("2026-12-01 21:40 UTC"). */
export const formatWhen = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
