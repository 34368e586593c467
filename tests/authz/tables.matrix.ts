import { editors, members, nobody, owners, signedIn, type Standing } from './support/matrix.ts';
import { tableCase } from './support/table-attempt.ts';
import { historyTableMatrix } from './history.matrix.ts';

const emptyYjsUpdate = `decode('0000', 'hex')`;
/** Who takes part in reviews (packages/db/src/roles.ts canComment / canReview). */
const commenters: readonly Standing[] = ['owner', 'editor', 'reviewer'];
const deciders: readonly Standing[] = ['owner', 'reviewer'];

/**
 * Who may do what to each table in `public`, relative to the target workspace (A, or B for the isolation sweep).
 * Reading one line: "<table> <operation>: <what is tried> — allowed for <standings>"; everyone else is refused.
 * A new table needs rows here for select, insert, update and delete (tables.test.ts checks).
 */
export const tableMatrix = [
  // profiles: created by the auth trigger; people read their co-members and edit only themselves.
  tableCase({
    table: 'profiles',
    operation: 'select',
    action: 'a co-member’s profile',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.profiles where id = $1`, params: [t.colleague.id] }),
  }),
  tableCase({
    table: 'profiles',
    operation: 'select',
    action: 'my own profile',
    allowed: signedIn,
    statement: (_t, me) => ({ text: `select 1 from public.profiles where id = $1`, params: [me.id] }),
  }),
  tableCase({
    table: 'profiles',
    operation: 'insert',
    action: 'a profile for another user',
    allowed: nobody,
    statement: (_t, _me, w) => ({
      text: `insert into public.profiles (id, email, display_name) values ($1, 'x@example.com', 'Impostor') returning 1`,
      params: [w.candidate.id],
    }),
  }),
  tableCase({
    table: 'profiles',
    operation: 'update',
    action: 'my own display name',
    allowed: signedIn,
    statement: (_t, me) => ({ text: `update public.profiles set display_name = 'Renamed' where id = $1 returning 1`, params: [me.id] }),
  }),
  tableCase({
    table: 'profiles',
    operation: 'update',
    action: 'my own email (it comes from the account, not the person)',
    allowed: nobody,
    statement: (t, me) => ({ text: `update public.profiles set email = $2 where id = $1 returning 1`, params: [me.id, t.colleague.email] }),
  }),
  tableCase({
    table: 'profiles',
    operation: 'update',
    action: 'a co-member’s display name',
    allowed: nobody,
    statement: (t) => ({ text: `update public.profiles set display_name = 'Renamed' where id = $1 returning 1`, params: [t.colleague.id] }),
  }),
  tableCase({
    table: 'profiles',
    operation: 'delete',
    action: 'my own profile',
    allowed: nobody,
    statement: (_t, me) => ({ text: `delete from public.profiles where id = $1 returning 1`, params: [me.id] }),
  }),
  tableCase({
    table: 'profiles',
    operation: 'delete',
    action: 'a co-member’s profile',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.profiles where id = $1 returning 1`, params: [t.colleague.id] }),
  }),

  // workspaces
  tableCase({
    table: 'workspaces',
    operation: 'select',
    action: 'the workspace',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.workspaces where id = $1`, params: [t.id] }),
  }),
  tableCase({
    table: 'workspaces',
    operation: 'select',
    action: 'a workspace its creator (A’s editor) was removed from',
    allowed: nobody,
    statement: (t) => ({ text: `select name from public.workspaces where id = $1`, params: [t.leftByCreatorId] }),
  }),
  tableCase({
    table: 'workspaces',
    operation: 'insert',
    action: 'a new workspace of my own',
    allowed: signedIn,
    statement: () => ({ text: `insert into public.workspaces (name) values ('My new workspace') returning 1` }),
  }),
  tableCase({
    table: 'workspaces',
    operation: 'insert',
    action: 'a workspace in a co-member’s name',
    allowed: nobody,
    statement: (t) => ({ text: `insert into public.workspaces (name, created_by) values ('Planted', $1) returning 1`, params: [t.colleague.id] }),
  }),
  tableCase({
    table: 'workspaces',
    operation: 'update',
    action: 'rename the workspace',
    allowed: owners,
    statement: (t) => ({ text: `update public.workspaces set name = 'Renamed' where id = $1 returning 1`, params: [t.id] }),
  }),
  tableCase({
    table: 'workspaces',
    operation: 'delete',
    action: 'the workspace',
    allowed: owners,
    statement: (t) => ({ text: `delete from public.workspaces where id = $1 returning 1`, params: [t.id] }),
  }),

  // workspace_members
  tableCase({
    table: 'workspace_members',
    operation: 'select',
    action: 'a co-member’s membership',
    allowed: members,
    statement: (t) => ({
      text: `select 1 from public.workspace_members where workspace_id = $1 and user_id = $2`,
      params: [t.id, t.colleague.id],
    }),
  }),
  tableCase({
    table: 'workspace_members',
    operation: 'insert',
    action: 'add another user as viewer',
    allowed: owners,
    statement: (t, _me, w) => ({
      text: `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'viewer') returning 1`,
      params: [t.id, w.candidate.id],
    }),
  }),
  tableCase({
    table: 'workspace_members',
    operation: 'insert',
    action: 'add myself as owner',
    allowed: nobody,
    statement: (t, me) => ({
      text: `insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'owner') on conflict do nothing returning 1`,
      params: [t.id, me.id],
    }),
  }),
  tableCase({
    table: 'workspace_members',
    operation: 'update',
    action: 'change a co-member’s role',
    allowed: owners,
    statement: (t) => ({
      text: `update public.workspace_members set role = 'viewer' where workspace_id = $1 and user_id = $2 returning 1`,
      params: [t.id, t.colleague.id],
    }),
  }),
  tableCase({
    table: 'workspace_members',
    operation: 'update',
    action: 'promote myself to owner (a no-op for the owner)',
    allowed: owners,
    statement: (t, me) => ({
      text: `update public.workspace_members set role = 'owner' where workspace_id = $1 and user_id = $2 returning 1`,
      params: [t.id, me.id],
    }),
  }),
  tableCase({
    table: 'workspace_members',
    operation: 'update',
    action: 'hand a co-member’s membership to another user',
    allowed: nobody,
    statement: (t, _me, w) => ({
      text: `update public.workspace_members set user_id = $3 where workspace_id = $1 and user_id = $2 returning 1`,
      params: [t.id, t.colleague.id, w.candidate.id],
    }),
  }),
  tableCase({
    table: 'workspace_members',
    operation: 'delete',
    action: 'remove a co-member',
    allowed: owners,
    statement: (t) => ({
      text: `delete from public.workspace_members where workspace_id = $1 and user_id = $2 returning 1`,
      params: [t.id, t.colleague.id],
    }),
  }),
  tableCase({
    table: 'workspace_members',
    operation: 'delete',
    action: 'leave (the only owner may not)',
    allowed: ['editor', 'reviewer', 'viewer'],
    statement: (t, me) => ({
      text: `delete from public.workspace_members where workspace_id = $1 and user_id = $2 returning 1`,
      params: [t.id, me.id],
    }),
  }),

  // workspace_invitations: owners only; acceptance goes through public.accept_invitation.
  tableCase({
    table: 'workspace_invitations',
    operation: 'select',
    action: 'a pending invitation',
    allowed: owners,
    statement: (t) => ({ text: `select 1 from public.workspace_invitations where id = $1`, params: [t.invitationId] }),
  }),
  tableCase({
    table: 'workspace_invitations',
    operation: 'insert',
    action: 'invite an email address',
    allowed: owners,
    statement: (t) => ({
      text: `insert into public.workspace_invitations (workspace_id, email, role, token_hash) values ($1, 'new.person@example.com', 'editor', repeat('a', 64)) returning 1`,
      params: [t.id],
    }),
  }),
  tableCase({
    table: 'workspace_invitations',
    operation: 'update',
    action: 'revoke an invitation',
    allowed: owners,
    statement: (t) => ({ text: `update public.workspace_invitations set revoked_at = now() where id = $1 returning 1`, params: [t.invitationId] }),
  }),
  tableCase({
    table: 'workspace_invitations',
    operation: 'update',
    action: 'mark an invitation accepted directly',
    allowed: nobody,
    statement: (t, me) => ({
      text: `update public.workspace_invitations set accepted_at = now(), accepted_by = $2 where id = $1 returning 1`,
      params: [t.invitationId, me.id],
    }),
  }),
  tableCase({
    table: 'workspace_invitations',
    operation: 'delete',
    action: 'an invitation',
    allowed: owners,
    statement: (t) => ({ text: `delete from public.workspace_invitations where id = $1 returning 1`, params: [t.invitationId] }),
  }),

  // deals, workstreams, checklists: members read, editors write, owners rename, archive and delete (decision 153).
  tableCase({
    table: 'deals',
    operation: 'select',
    action: 'the deal',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.deals where id = $1`, params: [t.dealId] }),
  }),
  tableCase({
    table: 'deals',
    operation: 'insert',
    action: 'a new deal',
    allowed: editors,
    statement: (t) => ({ text: `insert into public.deals (workspace_id, name) values ($1, 'New deal') returning 1`, params: [t.id] }),
  }),
  tableCase({
    table: 'deals',
    operation: 'update',
    action: 'the deal’s value',
    allowed: editors,
    statement: (t) => ({ text: `update public.deals set value_usd = 1 where id = $1 returning 1`, params: [t.dealId] }),
  }),
  tableCase({
    table: 'deals',
    operation: 'update',
    action: 'the deal’s stage',
    allowed: editors,
    statement: (t) => ({ text: `update public.deals set stage = 'signing' where id = $1 returning 1`, params: [t.dealId] }),
  }),
  tableCase({
    table: 'deals',
    operation: 'update',
    action: 'rename the deal',
    allowed: owners,
    statement: (t) => ({ text: `update public.deals set name = 'Renamed' where id = $1 returning 1`, params: [t.dealId] }),
  }),
  tableCase({
    table: 'deals',
    operation: 'update',
    action: 'archive the deal',
    allowed: owners,
    statement: (t) => ({ text: `update public.deals set archived_at = now() where id = $1 returning 1`, params: [t.dealId] }),
  }),
  tableCase({
    table: 'deals',
    operation: 'update',
    action: 'move the deal into another workspace of mine',
    allowed: nobody,
    statement: (t, me) => ({
      text: `update public.deals set workspace_id = $2 where id = $1 returning 1`,
      params: [t.dealId, me.ownWorkspaceId ?? t.id],
    }),
  }),
  tableCase({
    table: 'deals',
    operation: 'delete',
    action: 'the deal',
    allowed: owners,
    statement: (t) => ({ text: `delete from public.deals where id = $1 returning 1`, params: [t.dealId] }),
  }),
  tableCase({
    table: 'workstreams',
    operation: 'select',
    action: 'the workstream',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.workstreams where id = $1`, params: [t.workstreamId] }),
  }),
  tableCase({
    table: 'workstreams',
    operation: 'insert',
    action: 'a new workstream in the deal',
    allowed: editors,
    statement: (t) => ({
      text: `insert into public.workstreams (workspace_id, deal_id, kind, name) values ($1, $2, 'custom', 'Tax') returning 1`,
      params: [t.id, t.dealId],
    }),
  }),
  tableCase({
    table: 'workstreams',
    operation: 'update',
    action: 'rename the workstream',
    allowed: owners,
    statement: (t) => ({ text: `update public.workstreams set name = 'Renamed' where id = $1 returning 1`, params: [t.workstreamId] }),
  }),
  tableCase({
    table: 'workstreams',
    operation: 'update',
    action: 'archive the workstream',
    allowed: owners,
    statement: (t) => ({ text: `update public.workstreams set archived_at = now() where id = $1 returning 1`, params: [t.workstreamId] }),
  }),
  tableCase({
    table: 'workstreams',
    operation: 'update',
    action: 'move the workstream into another workspace of mine',
    allowed: nobody,
    statement: (t, me) => ({
      text: `update public.workstreams set workspace_id = $2 where id = $1 returning 1`,
      params: [t.workstreamId, me.ownWorkspaceId ?? t.id],
    }),
  }),
  tableCase({
    table: 'workstreams',
    operation: 'update',
    action: 'move the workstream to another deal',
    allowed: nobody,
    statement: (t) => ({ text: `update public.workstreams set deal_id = $2 where id = $1 returning 1`, params: [t.workstreamId, t.secondDealId] }),
  }),
  tableCase({
    table: 'workstreams',
    operation: 'delete',
    action: 'the workstream',
    allowed: owners,
    statement: (t) => ({ text: `delete from public.workstreams where id = $1 returning 1`, params: [t.workstreamId] }),
  }),
  tableCase({
    table: 'checklists',
    operation: 'select',
    action: 'the checklist',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.checklists where id = $1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'checklists',
    operation: 'insert',
    action: 'a new checklist in the workstream',
    allowed: editors,
    statement: (t) => ({
      text: `insert into public.checklists (workspace_id, deal_id, workstream_id, title) values ($1, $2, $3, 'New checklist') returning 1`,
      params: [t.id, t.dealId, t.workstreamId],
    }),
  }),
  tableCase({
    table: 'checklists',
    operation: 'update',
    action: 'rename the checklist',
    allowed: owners,
    statement: (t) => ({ text: `update public.checklists set title = 'Renamed' where id = $1 returning 1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'checklists',
    operation: 'update',
    action: 'archive the checklist',
    allowed: owners,
    statement: (t) => ({ text: `update public.checklists set archived_at = now() where id = $1 returning 1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'checklists',
    operation: 'update',
    action: 'move the checklist into another workspace of mine',
    allowed: nobody,
    statement: (t, me) => ({
      text: `update public.checklists set workspace_id = $2 where id = $1 returning 1`,
      params: [t.checklistId, me.ownWorkspaceId ?? t.id],
    }),
  }),
  tableCase({
    table: 'checklists',
    operation: 'update',
    action: 'move the checklist to a workstream of another deal',
    allowed: nobody,
    statement: (t) => ({
      text: `update public.checklists set workstream_id = $2 where id = $1 returning 1`,
      params: [t.checklistId, t.secondWorkstreamId],
    }),
  }),
  tableCase({
    table: 'checklists',
    operation: 'update',
    action: 'move the checklist with its deal and workstream to another deal',
    allowed: nobody,
    statement: (t) => ({
      text: `update public.checklists set deal_id = $2, workstream_id = $3 where id = $1 returning 1`,
      params: [t.checklistId, t.secondDealId, t.secondWorkstreamId],
    }),
  }),
  tableCase({
    table: 'checklists',
    operation: 'delete',
    action: 'the checklist',
    allowed: owners,
    statement: (t) => ({ text: `delete from public.checklists where id = $1 returning 1`, params: [t.checklistId] }),
  }),

  // The Yjs document: snapshot and update log. Members read them; the bytes are written only on the collaboration
  // server's path (role tieout_document_writer, decision 101), never by `authenticated` through PostgREST.
  tableCase({
    table: 'document_snapshots',
    operation: 'select',
    action: 'the checklist’s snapshot',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.document_snapshots where checklist_id = $1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'document_snapshots',
    operation: 'insert',
    action: 'a first snapshot',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.document_snapshots (checklist_id, workspace_id, state) values ($1, $2, ${emptyYjsUpdate}) returning 1`,
      params: [t.emptyChecklistId, t.id],
    }),
  }),
  tableCase({
    table: 'document_snapshots',
    operation: 'update',
    action: 'replace the snapshot',
    allowed: nobody,
    statement: (t) => ({
      text: `update public.document_snapshots set state = ${emptyYjsUpdate} where checklist_id = $1 returning 1`,
      params: [t.checklistId],
    }),
  }),
  tableCase({
    table: 'document_snapshots',
    operation: 'delete',
    action: 'the snapshot',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.document_snapshots where checklist_id = $1 returning 1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'document_updates',
    operation: 'select',
    action: 'the update log',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.document_updates where id = $1`, params: [t.updateId] }),
  }),
  tableCase({
    table: 'document_updates',
    operation: 'insert',
    action: 'raw update bytes signed as myself',
    allowed: nobody,
    statement: (t, me) => ({
      text: `insert into public.document_updates (checklist_id, workspace_id, update, user_id) values ($1, $2, ${emptyYjsUpdate}, $3) returning 1`,
      params: [t.checklistId, t.id, me.id],
    }),
  }),
  tableCase({
    table: 'document_updates',
    operation: 'insert',
    action: 'an update signed as a co-member',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.document_updates (checklist_id, workspace_id, update, user_id) values ($1, $2, ${emptyYjsUpdate}, $3) returning 1`,
      params: [t.checklistId, t.id, t.colleague.id],
    }),
  }),
  tableCase({
    table: 'document_updates',
    operation: 'update',
    action: 'rewrite history',
    allowed: nobody,
    statement: (t) => ({ text: `update public.document_updates set update = ${emptyYjsUpdate} where id = $1 returning 1`, params: [t.updateId] }),
  }),
  tableCase({
    table: 'document_updates',
    operation: 'delete',
    action: 'erase history',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.document_updates where id = $1 returning 1`, params: [t.updateId] }),
  }),

  // checklist_items: a projection written by the service only.
  tableCase({
    table: 'checklist_items',
    operation: 'select',
    action: 'a projected item',
    allowed: members,
    statement: (t) => ({
      text: `select 1 from public.checklist_items where checklist_id = $1 and item_id = $2`,
      params: [t.checklistId, t.itemId],
    }),
  }),
  tableCase({
    table: 'checklist_items',
    operation: 'insert',
    action: 'a projected item',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.checklist_items (checklist_id, item_id, workspace_id, deal_id, position, title, status)
             values ($1, 'forged', $2, $3, 'a1', 'Forged', 'done') returning 1`,
      params: [t.checklistId, t.id, t.dealId],
    }),
  }),
  tableCase({
    table: 'checklist_items',
    operation: 'update',
    action: 'a projected item’s status',
    allowed: nobody,
    statement: (t) => ({
      text: `update public.checklist_items set status = 'done' where checklist_id = $1 and item_id = $2 returning 1`,
      params: [t.checklistId, t.itemId],
    }),
  }),
  tableCase({
    table: 'checklist_items',
    operation: 'delete',
    action: 'a projected item',
    allowed: nobody,
    statement: (t) => ({
      text: `delete from public.checklist_items where checklist_id = $1 and item_id = $2 returning 1`,
      params: [t.checklistId, t.itemId],
    }),
  }),

  // checklist_item_counts and checklist_progress_days: the dashboard's pre-aggregated numbers, written by triggers on the
  // projection only (docs/decisions/140).
  tableCase({
    table: 'checklist_item_counts',
    operation: 'select',
    action: 'a checklist’s item counts',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.checklist_item_counts where checklist_id = $1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'checklist_item_counts',
    operation: 'insert',
    action: 'item counts',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.checklist_item_counts (checklist_id, workspace_id, deal_id, status, items) values ($1, $2, $3, 'blocked', 99) returning 1`,
      params: [t.checklistId, t.id, t.dealId],
    }),
  }),
  tableCase({
    table: 'checklist_item_counts',
    operation: 'update',
    action: 'item counts',
    allowed: nobody,
    statement: (t) => ({ text: `update public.checklist_item_counts set items = 0 where checklist_id = $1 returning 1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'checklist_item_counts',
    operation: 'delete',
    action: 'item counts',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.checklist_item_counts where checklist_id = $1 returning 1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'checklist_progress_days',
    operation: 'select',
    action: 'a checklist’s progress by day',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.checklist_progress_days where checklist_id = $1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'checklist_progress_days',
    operation: 'insert',
    action: 'a day of progress',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.checklist_progress_days (checklist_id, workspace_id, deal_id, day, total, done) values ($1, $2, $3, '2020-01-01', 10, 10) returning 1`,
      params: [t.checklistId, t.id, t.dealId],
    }),
  }),
  tableCase({
    table: 'checklist_progress_days',
    operation: 'update',
    action: 'a day of progress',
    allowed: nobody,
    statement: (t) => ({
      text: `update public.checklist_progress_days set done = total where checklist_id = $1 returning 1`,
      params: [t.checklistId],
    }),
  }),
  tableCase({
    table: 'checklist_progress_days',
    operation: 'delete',
    action: 'a day of progress',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.checklist_progress_days where checklist_id = $1 returning 1`, params: [t.checklistId] }),
  }),

  // checklist_templates: built-ins for every signed-in user; a workspace's own for its members, managed by editors.
  tableCase({
    table: 'checklist_templates',
    operation: 'select',
    action: 'the workspace’s template',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.checklist_templates where id = $1`, params: [t.templateId] }),
  }),
  tableCase({
    table: 'checklist_templates',
    operation: 'select',
    action: 'a built-in template',
    allowed: signedIn,
    statement: (_t, _me, w) => ({ text: `select 1 from public.checklist_templates where id = $1`, params: [w.builtInTemplateId] }),
  }),
  tableCase({
    table: 'checklist_templates',
    operation: 'insert',
    action: 'a workspace template',
    allowed: editors,
    statement: (t) => ({
      text: `insert into public.checklist_templates (workspace_id, key, name, workstream, body) values ($1, 'new-template', 'New', 'custom', '{"sections": []}') returning 1`,
      params: [t.id],
    }),
  }),
  tableCase({
    table: 'checklist_templates',
    operation: 'insert',
    action: 'a built-in template',
    allowed: nobody,
    statement: () => ({
      text: `insert into public.checklist_templates (workspace_id, key, name, workstream, body) values (null, 'planted-built-in', 'Planted', 'custom', '{"sections": []}') returning 1`,
    }),
  }),
  tableCase({
    table: 'checklist_templates',
    operation: 'update',
    action: 'the workspace’s template',
    allowed: editors,
    statement: (t) => ({ text: `update public.checklist_templates set name = 'Renamed' where id = $1 returning 1`, params: [t.templateId] }),
  }),
  tableCase({
    table: 'checklist_templates',
    operation: 'update',
    action: 'a built-in template',
    allowed: nobody,
    statement: (_t, _me, w) => ({
      text: `update public.checklist_templates set name = 'Renamed' where id = $1 returning 1`,
      params: [w.builtInTemplateId],
    }),
  }),
  tableCase({
    table: 'checklist_templates',
    operation: 'delete',
    action: 'the workspace’s template',
    allowed: editors,
    statement: (t) => ({ text: `delete from public.checklist_templates where id = $1 returning 1`, params: [t.templateId] }),
  }),
  tableCase({
    table: 'checklist_templates',
    operation: 'delete',
    action: 'a built-in template',
    allowed: nobody,
    statement: (_t, _me, w) => ({ text: `delete from public.checklist_templates where id = $1 returning 1`, params: [w.builtInTemplateId] }),
  }),

  // item_files: members read; owners and editors upload as themselves and mark files removed (never delete).
  tableCase({
    table: 'item_files',
    operation: 'select',
    action: 'a file on an item',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.item_files where id = $1`, params: [t.fileId] }),
  }),
  tableCase({
    table: 'item_files',
    operation: 'insert',
    action: 'upload a file as myself',
    allowed: editors,
    statement: (t) => ({
      text: `insert into public.item_files (workspace_id, deal_id, checklist_id, item_id, name, size_bytes, content_type, sha256, storage_key)
             values ($1, $2, $3, $4, 'Lease schedule.xlsx', 10, 'text/csv', repeat('b', 64), gen_random_uuid()::text || '/' || gen_random_uuid()) returning 1`,
      params: [t.id, t.dealId, t.checklistId, t.itemId],
    }),
  }),
  tableCase({
    table: 'item_files',
    operation: 'insert',
    action: 'a new version of a file',
    allowed: editors,
    statement: (t) => ({
      text: `insert into public.item_files (file_group, workspace_id, deal_id, checklist_id, item_id, name, size_bytes, content_type, sha256, storage_key)
             values ($5, $1, $2, $3, $4, 'Interconnection agreement v2.pdf', 10, 'application/pdf', repeat('c', 64), gen_random_uuid()::text || '/' || gen_random_uuid()) returning 1`,
      params: [t.id, t.dealId, t.checklistId, t.itemId, t.fileGroup],
    }),
  }),
  tableCase({
    table: 'item_files',
    operation: 'insert',
    action: 'a file in a co-member’s name',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.item_files (workspace_id, deal_id, checklist_id, item_id, name, size_bytes, content_type, sha256, storage_key, uploaded_by)
             values ($1, $2, $3, $4, 'Planted.pdf', 10, 'application/pdf', repeat('d', 64), gen_random_uuid()::text || '/' || gen_random_uuid(), $5) returning 1`,
      params: [t.id, t.dealId, t.checklistId, t.itemId, t.colleague.id],
    }),
  }),
  tableCase({
    table: 'item_files',
    operation: 'update',
    action: 'mark a file removed',
    allowed: editors,
    statement: (t, me) => ({
      text: `update public.item_files set removed_at = now(), removed_by = $2 where id = $1 returning 1`,
      params: [t.fileId, me.id],
    }),
  }),
  tableCase({
    table: 'item_files',
    operation: 'update',
    action: 'swap a file’s checksum',
    allowed: nobody,
    statement: (t) => ({ text: `update public.item_files set sha256 = repeat('e', 64) where id = $1 returning 1`, params: [t.fileId] }),
  }),
  tableCase({
    table: 'item_files',
    operation: 'delete',
    action: 'a file',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.item_files where id = $1 returning 1`, params: [t.fileId] }),
  }),

  // search_entries: members read (search runs as the person); written by the service only.
  tableCase({
    table: 'search_entries',
    operation: 'select',
    action: 'a search entry',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.search_entries where id = $1`, params: [t.searchEntryId] }),
  }),
  tableCase({
    table: 'search_entries',
    operation: 'insert',
    action: 'a search entry',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.search_entries (workspace_id, deal_id, checklist_id, item_id, kind, source_id, title)
             values ($1, $2, $3, $4, 'note', 'planted', 'Planted') returning 1`,
      params: [t.id, t.dealId, t.checklistId, t.itemId],
    }),
  }),
  tableCase({
    table: 'search_entries',
    operation: 'update',
    action: 'a search entry’s text',
    allowed: nobody,
    statement: (t) => ({ text: `update public.search_entries set body = 'Planted' where id = $1 returning 1`, params: [t.searchEntryId] }),
  }),
  tableCase({
    table: 'search_entries',
    operation: 'delete',
    action: 'a search entry',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.search_entries where id = $1 returning 1`, params: [t.searchEntryId] }),
  }),
  // Reviews (issue 13). Commenters: owners, editors and reviewers; deciders: owners and reviewers.
  tableCase({
    table: 'checklist_review_settings',
    operation: 'select',
    action: 'the checklist’s review settings',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.checklist_review_settings where checklist_id = $1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'checklist_review_settings',
    operation: 'insert',
    action: '“done requires approval” for a checklist',
    allowed: owners,
    statement: (t, me) => ({
      text: `insert into public.checklist_review_settings (checklist_id, workspace_id, done_requires_approval, updated_by) values ($1, $2, true, $3) returning 1`,
      params: [t.emptyChecklistId, t.id, me.id],
    }),
  }),
  tableCase({
    table: 'checklist_review_settings',
    operation: 'update',
    action: 'switch “done requires approval” off',
    allowed: owners,
    statement: (t, me) => ({
      text: `update public.checklist_review_settings set done_requires_approval = false, updated_by = $2 where checklist_id = $1 returning 1`,
      params: [t.checklistId, me.id],
    }),
  }),
  tableCase({
    table: 'checklist_review_settings',
    operation: 'delete',
    action: 'the checklist’s review settings',
    allowed: owners,
    statement: (t) => ({ text: `delete from public.checklist_review_settings where checklist_id = $1 returning 1`, params: [t.checklistId] }),
  }),
  tableCase({
    table: 'comment_threads',
    operation: 'select',
    action: 'a thread on an item',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.comment_threads where id = $1`, params: [t.review.threadId] }),
  }),
  tableCase({
    table: 'comment_threads',
    operation: 'insert',
    action: 'open a thread on an item',
    allowed: commenters,
    statement: (t, me) => ({
      text: `insert into public.comment_threads (workspace_id, checklist_id, item_id, created_by) values ($1, $2, $3, $4) returning 1`,
      params: [t.id, t.checklistId, t.itemId, me.id],
    }),
  }),
  tableCase({
    table: 'comment_threads',
    operation: 'insert',
    action: 'open a thread in a co-member’s name',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.comment_threads (workspace_id, checklist_id, item_id, created_by) values ($1, $2, $3, $4) returning 1`,
      params: [t.id, t.checklistId, t.itemId, t.colleague.id],
    }),
  }),
  tableCase({
    table: 'comment_threads',
    operation: 'update',
    action: 'resolve a thread',
    allowed: commenters,
    statement: (t, me) => ({
      text: `update public.comment_threads set resolved_at = now(), resolved_by = $2 where id = $1 returning 1`,
      params: [t.review.threadId, me.id],
    }),
  }),
  tableCase({
    table: 'comment_threads',
    operation: 'update',
    action: 'move a thread to another item',
    allowed: nobody,
    statement: (t) => ({ text: `update public.comment_threads set item_id = 'elsewhere' where id = $1 returning 1`, params: [t.review.threadId] }),
  }),
  tableCase({
    table: 'comment_threads',
    operation: 'delete',
    action: 'a thread',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.comment_threads where id = $1 returning 1`, params: [t.review.threadId] }),
  }),
  tableCase({
    table: 'comments',
    operation: 'select',
    action: 'a comment',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.comments where id = $1`, params: [t.review.commentId] }),
  }),
  tableCase({
    table: 'comments',
    operation: 'insert',
    action: 'reply as myself',
    allowed: commenters,
    statement: (t, me) => ({
      text: `insert into public.comments (thread_id, workspace_id, checklist_id, author_id, body) values ($1, $2, $3, $4, 'Agreed') returning 1`,
      params: [t.review.threadId, t.id, t.checklistId, me.id],
    }),
  }),
  tableCase({
    table: 'comments',
    operation: 'insert',
    action: 'reply in a co-member’s name',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.comments (thread_id, workspace_id, checklist_id, author_id, body) values ($1, $2, $3, $4, 'Forged') returning 1`,
      params: [t.review.threadId, t.id, t.checklistId, t.colleague.id],
    }),
  }),
  tableCase({
    table: 'comments',
    operation: 'update',
    action: 'edit my own comment',
    allowed: commenters,
    statement: (t, me) => ({
      text: `update public.comments set body = 'Edited' where workspace_id = $1 and author_id = $2 returning 1`,
      params: [t.id, me.id],
    }),
  }),
  tableCase({
    table: 'comments',
    operation: 'update',
    action: 'soft-delete my own comment',
    allowed: commenters,
    statement: (t, me) => ({
      text: `update public.comments set deleted_at = now() where workspace_id = $1 and author_id = $2 returning 1`,
      params: [t.id, me.id],
    }),
  }),
  tableCase({
    table: 'comments',
    operation: 'update',
    action: 'edit a co-member’s comment',
    allowed: nobody,
    statement: (t) => ({ text: `update public.comments set body = 'Rewritten' where id = $1 returning 1`, params: [t.review.commentId] }),
  }),
  tableCase({
    table: 'comments',
    operation: 'update',
    action: 'hand my comment to a co-member',
    allowed: nobody,
    statement: (t, me) => ({
      text: `update public.comments set author_id = $3 where workspace_id = $1 and author_id = $2 returning 1`,
      params: [t.id, me.id, t.colleague.id],
    }),
  }),
  tableCase({
    table: 'comments',
    operation: 'delete',
    action: 'erase my own comment (deletion is soft)',
    allowed: nobody,
    statement: (t, me) => ({ text: `delete from public.comments where workspace_id = $1 and author_id = $2 returning 1`, params: [t.id, me.id] }),
  }),
  tableCase({
    table: 'comment_mentions',
    operation: 'select',
    action: 'a mention',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.comment_mentions where comment_id = $1`, params: [t.review.commentId] }),
  }),
  tableCase({
    table: 'comment_mentions',
    operation: 'insert',
    action: 'mention a member in my own comment',
    allowed: commenters,
    statement: (t, me) => ({
      text: `insert into public.comment_mentions (comment_id, user_id, workspace_id, thread_id, checklist_id)
             select c.id, $3, c.workspace_id, c.thread_id, c.checklist_id from public.comments c
             where c.workspace_id = $1 and c.author_id = $2 returning 1`,
      params: [t.id, me.id, t.members.owner.id === me.id ? t.members.editor.id : t.members.owner.id],
    }),
  }),
  tableCase({
    table: 'comment_mentions',
    operation: 'insert',
    action: 'add a mention to a co-member’s comment',
    allowed: nobody,
    statement: (t, me) => ({
      text: `insert into public.comment_mentions (comment_id, user_id, workspace_id, thread_id, checklist_id) values ($1, $2, $3, $4, $5) returning 1`,
      params: [t.review.commentId, t.members.owner.id === me.id ? t.members.viewer.id : t.members.owner.id, t.id, t.review.threadId, t.checklistId],
    }),
  }),
  tableCase({
    table: 'comment_mentions',
    operation: 'update',
    action: 'point a mention at someone else',
    allowed: nobody,
    statement: (t) => ({
      text: `update public.comment_mentions set user_id = $2 where comment_id = $1 returning 1`,
      params: [t.review.commentId, t.members.viewer.id],
    }),
  }),
  tableCase({
    table: 'comment_mentions',
    operation: 'delete',
    action: 'remove a mention from my own comment',
    allowed: commenters,
    statement: (t, me) => ({
      text: `delete from public.comment_mentions m using public.comments c
             where c.id = m.comment_id and c.workspace_id = $1 and c.author_id = $2 returning 1`,
      params: [t.id, me.id],
    }),
  }),
  tableCase({
    table: 'comment_mentions',
    operation: 'delete',
    action: 'remove a mention from a co-member’s comment',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.comment_mentions where comment_id = $1 returning 1`, params: [t.review.commentId] }),
  }),
  tableCase({
    table: 'item_approvals',
    operation: 'select',
    action: 'an approval',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.item_approvals where id = $1`, params: [t.review.approvalId] }),
  }),
  tableCase({
    table: 'item_approvals',
    operation: 'insert',
    action: 'approve an item as myself',
    allowed: deciders,
    statement: (t, me) => ({
      text: `insert into public.item_approvals (workspace_id, checklist_id, item_id, decision, decided_by) values ($1, $2, $3, 'approved', $4) returning 1`,
      params: [t.id, t.checklistId, t.itemId, me.id],
    }),
  }),
  tableCase({
    table: 'item_approvals',
    operation: 'insert',
    action: 'approve in a co-member’s name',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.item_approvals (workspace_id, checklist_id, item_id, decision, decided_by) values ($1, $2, $3, 'approved', $4) returning 1`,
      params: [t.id, t.checklistId, t.itemId, t.colleague.id],
    }),
  }),
  tableCase({
    table: 'item_approvals',
    operation: 'update',
    action: 'rewrite an approval’s fingerprint',
    allowed: nobody,
    statement: (t) => ({ text: `update public.item_approvals set fingerprint = 'forged' where id = $1 returning 1`, params: [t.review.approvalId] }),
  }),
  tableCase({
    table: 'item_approvals',
    operation: 'delete',
    action: 'an approval',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.item_approvals where id = $1 returning 1`, params: [t.review.approvalId] }),
  }),
  tableCase({
    table: 'checklist_signoffs',
    operation: 'select',
    action: 'a sign-off',
    allowed: members,
    statement: (t) => ({ text: `select 1 from public.checklist_signoffs where id = $1`, params: [t.review.signoffId] }),
  }),
  tableCase({
    table: 'checklist_signoffs',
    operation: 'insert',
    action: 'sign off the approved checklist',
    allowed: owners,
    statement: (t, me) => ({
      text: `insert into public.checklist_signoffs (workspace_id, checklist_id, state_vector, state_hash, last_update_id, item_count, signed_by)
             values ($1, $2, decode('00', 'hex'), repeat('c', 64), $3, 1, $4) returning 1`,
      params: [t.id, t.checklistId, t.updateId, me.id],
    }),
  }),
  tableCase({
    table: 'checklist_signoffs',
    operation: 'update',
    action: 'change what a sign-off covered',
    allowed: nobody,
    statement: (t) => ({
      text: `update public.checklist_signoffs set state_hash = repeat('d', 64) where id = $1 returning 1`,
      params: [t.review.signoffId],
    }),
  }),
  tableCase({
    table: 'checklist_signoffs',
    operation: 'delete',
    action: 'a sign-off',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.checklist_signoffs where id = $1 returning 1`, params: [t.review.signoffId] }),
  }),
  tableCase({
    table: 'notifications',
    operation: 'select',
    action: 'my own notifications in the workspace',
    allowed: members,
    statement: (t, me) => ({ text: `select 1 from public.notifications where workspace_id = $1 and user_id = $2`, params: [t.id, me.id] }),
  }),
  tableCase({
    table: 'notifications',
    operation: 'select',
    action: 'a co-member’s notification',
    allowed: nobody,
    statement: (t) => ({ text: `select 1 from public.notifications where id = $1`, params: [t.review.notificationFor.colleague] }),
  }),
  tableCase({
    table: 'notifications',
    operation: 'insert',
    action: 'a notification for a co-member',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.notifications (user_id, workspace_id, kind, dedupe_key) values ($1, $2, 'mention', 'planted') returning 1`,
      params: [t.colleague.id, t.id],
    }),
  }),
  tableCase({
    table: 'notifications',
    operation: 'update',
    action: 'mark my own notifications read',
    allowed: members,
    statement: (t, me) => ({
      text: `update public.notifications set read_at = now() where workspace_id = $1 and user_id = $2 returning 1`,
      params: [t.id, me.id],
    }),
  }),
  tableCase({
    table: 'notifications',
    operation: 'update',
    action: 'mark a co-member’s notification read',
    allowed: nobody,
    statement: (t) => ({
      text: `update public.notifications set read_at = now() where id = $1 returning 1`,
      params: [t.review.notificationFor.colleague],
    }),
  }),
  tableCase({
    table: 'notifications',
    operation: 'delete',
    action: 'my own notifications in the workspace',
    allowed: members,
    statement: (t, me) => ({ text: `delete from public.notifications where workspace_id = $1 and user_id = $2 returning 1`, params: [t.id, me.id] }),
  }),
  tableCase({
    table: 'notifications',
    operation: 'delete',
    action: 'a co-member’s notification',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.notifications where id = $1 returning 1`, params: [t.review.notificationFor.colleague] }),
  }),
  tableCase({
    table: 'notification_preferences',
    operation: 'select',
    action: 'my own email preference',
    allowed: signedIn,
    statement: (_t, me) => ({ text: `select 1 from public.notification_preferences where user_id = $1`, params: [me.id] }),
  }),
  tableCase({
    table: 'notification_preferences',
    operation: 'select',
    action: 'a co-member’s email preference',
    allowed: nobody,
    statement: (t) => ({ text: `select 1 from public.notification_preferences where user_id = $1`, params: [t.colleague.id] }),
  }),
  tableCase({
    table: 'notification_preferences',
    operation: 'insert',
    action: 'my own email preference (anew)',
    allowed: signedIn,
    statement: (_t, me) => ({
      text: `with removed as (delete from public.notification_preferences where user_id = $1 returning 1)
             insert into public.notification_preferences (user_id, email) select $1, 'daily_digest' from (select count(*) from removed) r returning 1`,
      params: [me.id],
    }),
  }),
  tableCase({
    table: 'notification_preferences',
    operation: 'insert',
    action: 'a preference for a co-member',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.notification_preferences (user_id, email) values ($1, 'off') on conflict do nothing returning 1`,
      params: [t.colleague.id],
    }),
  }),
  tableCase({
    table: 'notification_preferences',
    operation: 'update',
    action: 'my own email preference',
    allowed: signedIn,
    statement: (_t, me) => ({ text: `update public.notification_preferences set email = 'off' where user_id = $1 returning 1`, params: [me.id] }),
  }),
  tableCase({
    table: 'notification_preferences',
    operation: 'update',
    action: 'a co-member’s email preference',
    allowed: nobody,
    statement: (t) => ({ text: `update public.notification_preferences set email = 'off' where user_id = $1 returning 1`, params: [t.colleague.id] }),
  }),
  tableCase({
    table: 'notification_preferences',
    operation: 'delete',
    action: 'a co-member’s email preference',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.notification_preferences where user_id = $1 returning 1`, params: [t.colleague.id] }),
  }),
  tableCase({
    table: 'email_outbox',
    operation: 'select',
    action: 'queued email',
    allowed: nobody,
    statement: (t) => ({ text: `select 1 from public.email_outbox where id = $1`, params: [t.review.outboxId] }),
  }),
  tableCase({
    table: 'email_outbox',
    operation: 'insert',
    action: 'queue an email',
    allowed: nobody,
    statement: (t) => ({
      text: `insert into public.email_outbox (user_id, kind, dedupe_key) values ($1, 'digest', 'planted') returning 1`,
      params: [t.colleague.id],
    }),
  }),
  tableCase({
    table: 'email_outbox',
    operation: 'update',
    action: 'mark an email sent',
    allowed: nobody,
    statement: (t) => ({ text: `update public.email_outbox set status = 'sent' where id = $1 returning 1`, params: [t.review.outboxId] }),
  }),
  tableCase({
    table: 'email_outbox',
    operation: 'delete',
    action: 'drop a queued email',
    allowed: nobody,
    statement: (t) => ({ text: `delete from public.email_outbox where id = $1 returning 1`, params: [t.review.outboxId] }),
  }),
  // audit_trail and document_versions (issue 12)
  ...historyTableMatrix,
];
