import { members, nobody } from './support/matrix.ts';
import { tableCase } from './support/table-attempt.ts';

/**
 * The audit trail and document versions (issue 12). The audit trail is append-only for every role (only the server's
 * audit writer, as service_role, appends); versions are written by the server side only (from the stored document).
 */
export const historyTableMatrix = [
  tableCase({
    table: 'audit_trail',
    operation: 'select',
    action: 'an audit row',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.audit_trail where id = $1`, params: [t.history.auditId] }),
  }),
  tableCase({
    table: 'audit_trail',
    operation: 'insert',
    action: 'a forged item change in my name',
    allowed: nobody,
    statement: (t, me) => ({
      text: `insert into public.audit_trail (workspace_id, checklist_id, item_id, kind, field, new_value, user_id)
             values ($1, $2, $3, 'item_field', 'status', '"done"', $4) returning 1`,
      params: [t.id, t.checklistId, t.itemId, me.id],
    }),
  }),
  tableCase({
    table: 'audit_trail',
    operation: 'update',
    action: 'rewrite who changed a field',
    allowed: nobody,
    statement: (t, me) => ({ text: `update public.audit_trail set user_id = $2 where id = $1 returning 1`, params: [t.history.auditId, me.id] }),
  }),
  tableCase({
    table: 'audit_trail',
    operation: 'delete',
    action: 'erase an audit row',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.audit_trail where id = $1 returning 1`, params: [t.history.auditId] }),
  }),
  // Approvals, send-backs and sign-offs are audited by triggers on their tables (issue 12): nobody writes or alters them otherwise.
  tableCase({
    table: 'audit_trail',
    operation: 'select',
    action: 'the audit row of an approval',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.audit_trail where id = $1 and kind = 'item_approved'`, params: [t.history.reviewAuditId] }),
  }),
  tableCase({
    table: 'audit_trail',
    operation: 'insert',
    action: 'an approval in my name that I never made',
    allowed: nobody,
    statement: (t, me) => ({
      text: `insert into public.audit_trail (workspace_id, checklist_id, item_id, kind, field, new_value, user_id)
             values ($1, $2, $3, 'item_approved', 'review', '{"decision": "approved"}', $4) returning 1`,
      params: [t.id, t.checklistId, t.itemId, me.id],
    }),
  }),
  tableCase({
    table: 'audit_trail',
    operation: 'insert',
    action: 'a sign-off recorded through record_event without signing',
    allowed: nobody,
    statement: (t) => ({
      text: `select tieout_audit.record_event($1, 'checklist_signed_off', null, $2, null, 'review', null, '{"items": 1}', null) as id`,
      params: [t.id, t.checklistId],
    }),
  }),
  tableCase({
    table: 'audit_trail',
    operation: 'update',
    action: 'turn an approval into a send-back',
    allowed: nobody,
    statement: (t) => ({
      text: `update public.audit_trail set kind = 'item_sent_back' where id = $1 returning 1`,
      params: [t.history.reviewAuditId],
    }),
  }),
  tableCase({
    table: 'audit_trail',
    operation: 'delete',
    action: 'erase the audit row of an approval',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.audit_trail where id = $1 returning 1`, params: [t.history.reviewAuditId] }),
  }),
  // The audit writer's cursor (where a replay after a crash starts): only the server (service_role) reads or moves it.
  tableCase({
    table: 'audit_cursors',
    operation: 'select',
    action: 'the audit writer’s cursor',
    allowed: nobody,
    statement: (t) => ({ text: `select 1 from public.audit_cursors where checklist_id = $1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'audit_cursors',
    operation: 'insert',
    action: 'a cursor of my own for the checklist',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.audit_cursors (checklist_id, audited_update_id) values ($1, 1000000)
             on conflict (checklist_id) do update set audited_update_id = excluded.audited_update_id returning 1`,
      params: [t.checklistId],
    }),
  }),
  tableCase({
    table: 'audit_cursors',
    operation: 'update',
    action: 'move the cursor past unaudited edits',
    allowed: nobody,
    statement: (t) => ({
      text: `update public.audit_cursors set audited_update_id = audited_update_id + 1000 where checklist_id = $1 returning 1`,
      params: [t.checklistId],
    }),
  }),
  tableCase({
    table: 'audit_cursors',
    operation: 'delete',
    action: 'the audit writer’s cursor',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.audit_cursors where checklist_id = $1 returning 1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'document_versions',
    operation: 'select',
    action: 'a version',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.document_versions where id = $1`, params: [t.history.versionId] }),
  }),
  tableCase({
    table: 'document_versions',
    operation: 'insert',
    action: 'a named version with bytes of my own',
    allowed: nobody,
    statement: (t, me) => ({
      text: `insert into public.document_versions (checklist_id, workspace_id, state, state_vector, kind, name, created_by, last_update_id)
             values ($1, $2, decode('0000', 'hex'), decode('00', 'hex'), 'named', 'Planted', $3, 0) returning 1`,
      params: [t.checklistId, t.id, me.id],
    }),
  }),
  tableCase({
    table: 'document_versions',
    operation: 'update',
    action: 'rename a version',
    allowed: nobody,
    statement: (t) => ({
      text: `update public.document_versions set name = 'Renamed', kind = 'named' where id = $1 returning 1`,
      params: [t.history.versionId],
    }),
  }),
  tableCase({
    table: 'document_versions',
    operation: 'delete',
    action: 'a version',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.document_versions where id = $1 returning 1`, params: [t.history.versionId] }),
  }),
];
