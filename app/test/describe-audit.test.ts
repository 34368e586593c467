import { describe, expect, it } from 'vitest';
import { describeAudit } from '../app/components/history/describe.ts';

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
    expect(describeAudit(row('audit_exported', { newValue: { format: 'csv', rows: 2048 } }), names)).toBe('exported the audit trail (CSV, 2,048 rows)');
    expect(describeAudit({ ...row('file_uploaded', { newValue: { name: 'PPA.pdf', version: 2 } }), itemId: 'i1' }, names, 'Power purchase agreement')).toBe(
      'uploaded the file “PPA.pdf” to “Power purchase agreement”',
    );
    expect(describeAudit({ ...row('file_removed', { oldValue: { fileGroup: 'g' } }), itemId: 'i1' }, names)).toBe('removed a file from an item');
    expect(describeAudit(row('checklist_renamed', { field: 'name', oldValue: { name: 'Power' }, newValue: { name: 'Power and cooling' } }), names)).toBe(
      'renamed the checklist “Power” to “Power and cooling”',
    );
    expect(describeAudit(row('workstream_archived', { newValue: { name: 'Tax' } }), names)).toBe('archived the workstream “Tax”');
    expect(describeAudit(row('deal_unarchived', { newValue: { name: 'Project Volt' } }), names)).toBe('brought back the archived deal “Project Volt”');
    expect(describeAudit(row('workstream_deleted', { oldValue: { name: 'Tax' } }), names)).toBe('deleted the workstream “Tax”');
    expect(describeAudit(row('deal_stage_changed', { field: 'stage', oldValue: 'diligence', newValue: 'signing' }), names)).toBe('moved the deal from Diligence to Signing');
  });

  it('fall back to the kind in words for a kind it does not know', () => {
    expect(describeAudit(row('item_signed_off'), names)).toBe('item signed off');
  });
});
