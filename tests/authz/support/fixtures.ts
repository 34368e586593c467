import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { addItem, addSection, setTitle } from '@tieout/doc-model';
import type { Database, JwtClaims, Sql } from '@tieout/db';
import { insertHistoryRows, type HistoryFixture } from './history-fixtures.ts';
import { insertReviewRows, type ReviewFixture } from './review-fixtures.ts';

export const workspaceRoles = ['owner', 'editor', 'reviewer', 'viewer'] as const;
export type WorkspaceRole = (typeof workspaceRoles)[number];

export interface FixtureUser {
  id: string;
  email: string;
  name: string;
  claims: JwtClaims;
  /** A workspace this user alone owns (members of A and B): where a row would go if it could change workspace. */
  ownWorkspaceId?: string;
}

/** One workspace with a member of every role, and one row of everything a workspace holds. */
export interface WorkspaceFixture {
  key: 'A' | 'B';
  id: string;
  name: string;
  members: Record<WorkspaceRole, FixtureUser>;
  /** An editor who never acts in the matrix: the "someone else" whose rows callers try to touch. */
  colleague: FixtureUser;
  dealId: string;
  workstreamId: string;
  /** A second deal of the workspace, with a workstream: where a workstream or checklist would go if it could change deal. */
  secondDealId: string;
  secondWorkstreamId: string;
  /** A workspace the editor created and was then removed from (the colleague owns it now). */
  leftByCreatorId: string;
  /** The review rows of the workspace (review-fixtures.ts). */
  review: ReviewFixture;
  /** Has a snapshot, an update and a projected item. */
  checklistId: string;
  /** Has no snapshot yet (target of snapshot inserts). */
  emptyChecklistId: string;
  updateId: number;
  itemId: string;
  invitationId: string;
  templateId: string;
  /** A file on itemId (uploaded by the colleague), and the group its versions share. */
  fileId: string;
  fileGroup: string;
  /** A search entry of itemId. */
  searchEntryId: number;
  /** An audit row and a version of checklistId. */
  history: HistoryFixture;
}

export interface AuthzWorld {
  A: WorkspaceFixture;
  B: WorkspaceFixture;
  /** Signed up, in no workspace: the user an owner adds, or whose profile nobody may write. */
  candidate: FixtureUser;
  builtInTemplateId: string;
}

/** Builds the world as service_role: the one thing in these tests that bypasses RLS. */
export async function buildAuthzWorld(db: Database): Promise<AuthzWorld> {
  return db.asService(async (sql) => {
    const candidate = await insertUser(sql, 'Casey Candidate');
    const A = await insertWorkspace(sql, 'A', 'Infrastructure M&A');
    const B = await insertWorkspace(sql, 'B', 'Other Capital');
    const builtInTemplateId = randomUUID();
    await sql.query(
      `insert into public.checklist_templates (id, workspace_id, key, name, workstream, body, created_by)
       values ($1, null, $2, 'Built-in site retrofits', 'site_retrofits', '{"sections": []}', null)`,
      [builtInTemplateId, `authz-built-in-${builtInTemplateId.slice(0, 8)}`],
    );
    return { A, B, candidate, builtInTemplateId };
  });
}

async function insertUser(sql: Sql, name: string): Promise<FixtureUser> {
  const id = randomUUID();
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${id.slice(0, 8)}@example.com`;
  await sql.query(
    `insert into auth.users (id, email, aud, role, email_confirmed_at, raw_user_meta_data)
     values ($1, $2, 'authenticated', 'authenticated', now(), $3)`,
    [id, email, JSON.stringify({ display_name: name })],
  );
  return { id, email, name, claims: { sub: id, role: 'authenticated', aud: 'authenticated', email } };
}

async function insertWorkspace(sql: Sql, key: 'A' | 'B', name: string): Promise<WorkspaceFixture> {
  const members = {} as Record<WorkspaceRole, FixtureUser>;
  for (const role of workspaceRoles) {
    const user = await insertUser(sql, `${key} ${role}`);
    user.ownWorkspaceId = randomUUID();
    await sql.query(`insert into public.workspaces (id, name, created_by) values ($1, $2, $3)`, [
      user.ownWorkspaceId,
      `${key} ${role}'s own`,
      user.id,
    ]);
    members[role] = user;
  }
  const colleague = await insertUser(sql, `${key} colleague`);
  const id = randomUUID();
  // The on_workspace_created trigger makes created_by the owner.
  await sql.query(`insert into public.workspaces (id, name, created_by) values ($1, $2, $3)`, [id, name, members.owner.id]);
  for (const [user, role] of [
    [members.editor, 'editor'],
    [members.reviewer, 'reviewer'],
    [members.viewer, 'viewer'],
    [colleague, 'editor'],
  ] as const) {
    await sql.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)`, [id, user.id, role]);
  }

  const dealId = randomUUID();
  await sql.query(
    `insert into public.deals (id, workspace_id, name, buyer, target, value_usd, created_by)
     values ($1, $2, 'CoreWeave / Core Scientific', 'CoreWeave', 'Core Scientific', 9000000000, $3)`,
    [dealId, id, members.owner.id],
  );
  const workstreamId = randomUUID();
  await sql.query(`insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'site_retrofits', 'Site retrofits')`, [
    workstreamId,
    id,
    dealId,
  ]);
  const leftByCreatorId = randomUUID();
  await sql.query(`insert into public.workspaces (id, name, created_by) values ($1, $2, $3)`, [
    leftByCreatorId,
    `${key} handed over`,
    members.editor.id,
  ]);
  await sql.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'owner')`, [leftByCreatorId, colleague.id]);
  await sql.query(`delete from public.workspace_members where workspace_id = $1 and user_id = $2`, [leftByCreatorId, members.editor.id]);
  const secondDealId = randomUUID();
  const secondWorkstreamId = randomUUID();
  await sql.query(`insert into public.deals (id, workspace_id, name, created_by) values ($1, $2, 'Second deal', $3)`, [
    secondDealId,
    id,
    members.owner.id,
  ]);
  await sql.query(`insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'custom', 'Second workstream')`, [
    secondWorkstreamId,
    id,
    secondDealId,
  ]);
  const checklistId = randomUUID();
  const emptyChecklistId = randomUUID();
  for (const [checklist, title] of [
    [checklistId, 'Site retrofits'],
    [emptyChecklistId, 'Power contracts'],
  ]) {
    await sql.query(`insert into public.checklists (id, workspace_id, deal_id, workstream_id, title, created_by) values ($1, $2, $3, $4, $5, $6)`, [
      checklist,
      id,
      dealId,
      workstreamId,
      title,
      members.owner.id,
    ]);
  }

  // A real checklist document: a snapshot, then one logged update by the editor.
  const doc = new Y.Doc();
  setTitle(doc, 'Site retrofits');
  const sectionId = addSection(doc, { title: 'Power and cooling' });
  const before = Y.encodeStateVector(doc);
  const itemId = addItem(doc, { sectionId, title: 'Confirm 1.3 GW interconnection capacity', status: 'in_progress' });
  const update = Y.encodeStateAsUpdate(doc, before);
  await sql.query(`insert into public.document_snapshots (checklist_id, workspace_id, state, last_update_id) values ($1, $2, $3, 0)`, [
    checklistId,
    id,
    Y.encodeStateAsUpdate(doc),
  ]);
  const { rows } = await sql.query<{ id: number }>(
    `insert into public.document_updates (checklist_id, workspace_id, update, user_id) values ($1, $2, $3, $4) returning id`,
    [checklistId, id, update, members.editor.id],
  );
  await sql.query(
    `insert into public.checklist_items (checklist_id, item_id, workspace_id, deal_id, section_id, section_title, position, title, status)
     values ($1, $2, $3, $4, $5, 'Power and cooling', 'a0', 'Confirm 1.3 GW interconnection capacity', 'in_progress')`,
    [checklistId, itemId, id, dealId, sectionId],
  );

  const invitationId = randomUUID();
  await sql.query(
    `insert into public.workspace_invitations (id, workspace_id, email, role, token_hash, invited_by)
     values ($1, $2, $3, 'viewer', $4, $5)`,
    [invitationId, id, `invitee.${key.toLowerCase()}@example.com`, sha256(randomBytes(32).toString('base64url')), members.owner.id],
  );
  const templateId = randomUUID();
  await sql.query(
    `insert into public.checklist_templates (id, workspace_id, key, name, workstream, body, created_by)
     values ($1, $2, 'house-retrofits', 'House retrofit checklist', 'site_retrofits', '{"sections": []}', $3)`,
    [templateId, id, members.owner.id],
  );

  const fileId = randomUUID();
  const fileGroup = randomUUID();
  await sql.query(
    `insert into public.item_files (id, file_group, workspace_id, deal_id, checklist_id, item_id, name, size_bytes, content_type, sha256, storage_key, uploaded_by)
     values ($1, $2, $3, $4, $5, $6, 'Interconnection agreement.pdf', 1024, 'application/pdf', $7, $8, $9)`,
    [fileId, fileGroup, id, dealId, checklistId, itemId, sha256('file'), `${id}/${fileId}`, colleague.id],
  );
  const { rows: entries } = await sql.query<{ id: number }>(
    `insert into public.search_entries (workspace_id, deal_id, checklist_id, item_id, kind, source_id, title)
     values ($1, $2, $3, $4, 'item', $4, 'Confirm 1.3 GW interconnection capacity') returning id`,
    [id, dealId, checklistId, itemId],
  );

  const review = await insertReviewRows(sql, { id, checklistId, itemId, updateId: rows[0]!.id, members, colleague });
  const history = await insertHistoryRows(sql, { id, dealId, checklistId, itemId, updateId: rows[0]!.id, colleague });

  return {
    review,
    history,
    key,
    id,
    name,
    members,
    colleague,
    dealId,
    workstreamId,
    secondDealId,
    secondWorkstreamId,
    leftByCreatorId,
    checklistId,
    emptyChecklistId,
    updateId: rows[0]!.id,
    itemId,
    invitationId,
    templateId,
    fileId,
    fileGroup,
    searchEntryId: Number(entries[0]!.id),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
