import { describe, expect, it } from 'vitest';
import { describeAudit, showAuditValue } from '../app/components/history/describe.ts';
import { auditCsv } from '../app/models/activity.server.ts';

const names = new Map<string, string>();
const row = (kind: string, values: { oldValue?: unknown; newValue?: unknown; field?: string } = {}) => ({
  kind,
  field: values.field ?? null,
  oldValue: values.oldValue ?? null,
  newValue: values.newValue ?? null,
  itemId: null,
});

describe('activity sentences for the audited actions outside the document', () => {
  it('say what was exported, uploaded, renamed, archived or moved, instead of the raw kind', () => {
    expect(describeAudit(row('deal_exported', { newValue: { format: 'xlsx', items: 312 } }), names)).toBe('exported the deal (XLSX, 312 items)');
    expect(describeAudit(row('items_exported', { newValue: { format: 'csv', rows: 1 } }), names)).toBe("exported the checklist's items (CSV, 1 row)");
    expect(describeAudit(row('audit_exported', { newValue: { format: 'csv', rows: 2048 } }), names)).toBe(
      'exported the audit trail (CSV, 2,048 rows)',
    );
    expect(
      describeAudit({ ...row('file_uploaded', { newValue: { name: 'PPA.pdf', version: 2 } }), itemId: 'i1' }, names, 'Power purchase agreement'),
    ).toBe('uploaded the file “PPA.pdf” to “Power purchase agreement”');
    expect(describeAudit({ ...row('file_removed', { oldValue: { fileGroup: 'g' } }), itemId: 'i1' }, names)).toBe('removed a file from an item');
    expect(
      describeAudit(row('checklist_renamed', { field: 'name', oldValue: { name: 'Power' }, newValue: { name: 'Power and cooling' } }), names),
    ).toBe('renamed the checklist “Power” to “Power and cooling”');
    expect(describeAudit(row('workstream_archived', { newValue: { name: 'Tax' } }), names)).toBe('archived the workstream “Tax”');
    expect(describeAudit(row('deal_unarchived', { newValue: { name: 'Project Volt' } }), names)).toBe(
      'brought back the archived deal “Project Volt”',
    );
    expect(describeAudit(row('workstream_deleted', { oldValue: { name: 'Tax' } }), names)).toBe('deleted the workstream “Tax”');
    expect(describeAudit(row('deal_stage_changed', { field: 'stage', oldValue: 'diligence', newValue: 'signing' }), names)).toBe(
      'moved the deal from Diligence to Signing',
    );
  });

  it('say who approved, sent back or signed off what (issue 12)', () => {
    const item = (kind: string, newValue: unknown) => ({ ...row(kind, { field: 'review', newValue }), itemId: 'i1' });
    expect(
      describeAudit(item('item_approved', { decision: 'approved', commentId: null, title: 'Interconnection study' }), names, 'Interconnection study'),
    ).toBe('approved “Interconnection study”');
    expect(describeAudit(item('item_sent_back', { decision: 'sent_back', commentId: 'c1' }), names, 'Interconnection study')).toBe(
      'sent back “Interconnection study” with a comment',
    );
    expect(describeAudit(row('checklist_signed_off', { field: 'review', newValue: { items: 52, signoffId: 3 } }), names)).toBe(
      'signed off the checklist (52 items)',
    );
  });

  it('fall back to the kind in words for a kind it does not know', () => {
    expect(describeAudit(row('item_signed_off'), names)).toBe('item signed off');
  });
});

describe('audit values in the CSV', () => {
  const people = new Map([['u-rita', 'Rita Reyes']]);
  it('read as words, not JSON', () => {
    expect(showAuditValue(row('deal_exported', { field: 'format', newValue: { items: 52, format: 'pdf' } }), 'new', people)).toBe('pdf, 52 items');
    expect(showAuditValue(row('deal_exported', { field: 'format', newValue: { items: 52, format: 'pdf' } }), 'old', people)).toBe('');
    expect(showAuditValue(row('checklist_signed_off', { newValue: { items: 52, signoffId: 3, stateHash: 'ab' } }), 'new', people)).toBe('52 items');
    expect(showAuditValue(row('item_sent_back', { newValue: { decision: 'sent_back', commentId: 'c1' } }), 'new', people)).toBe(
      'sent back, with a comment',
    );
    expect(
      showAuditValue(
        row('member_role_changed', { oldValue: { userId: 'u-rita', role: 'editor' }, newValue: { userId: 'u-rita', role: 'reviewer' } }),
        'new',
        people,
      ),
    ).toBe('Rita Reyes (reviewer)');
    expect(showAuditValue(row('item_field', { field: 'status', oldValue: 'in_progress', newValue: 'done' }), 'old', people)).toBe('In progress');
    expect(showAuditValue(row('item_field', { field: 'owner', newValue: 'u-rita' }), 'new', people)).toBe('Rita Reyes');
    expect(showAuditValue(row('checklist_deleted', { oldValue: { title: 'Power' } }), 'old', people)).toBe('Power');
    expect(showAuditValue(row('something_new', { newValue: { a: 1, b: 'two', c: null } }), 'new', people)).toBe('a: 1, b: two');
  });

  it('are what the deal audit CSV writes', () => {
    const entry = {
      id: 1,
      workspaceId: 'w',
      dealId: 'd',
      checklistId: 'c',
      itemId: null,
      kind: 'deal_exported',
      field: 'format',
      oldValue: null,
      newValue: { items: 52, format: 'pdf' },
      userId: 'u-rita',
      userName: 'Rita Reyes',
      updateId: null,
      createdAt: '2026-12-02T08:00:00.000Z',
      checklistTitle: null,
      itemTitle: null,
    };
    const lines = auditCsv([entry as Parameters<typeof auditCsv>[0][number]], people).split(/\r?\n/);
    expect(lines[1]).toBe('2026-12-02 08:00,Rita Reyes,,,deal_exported,format,,"pdf, 52 items","exported the deal (PDF, 52 items)"');
  });
});
