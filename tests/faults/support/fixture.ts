import { randomBytes, randomUUID } from 'node:crypto';
import { signAccessToken } from '@tieout/auth';
import type { Database, JwtClaims } from '@tieout/db';
import { addSection } from '@tieout/doc-model';
import * as Y from 'yjs';

/** The secret every fault-suite server process verifies tokens with. */
export const FAULT_JWT_SECRET = randomBytes(32).toString('base64url');

export interface FaultUser {
  id: string;
  email: string;
  claims: JwtClaims;
  token: string;
}

export interface FaultChecklist {
  id: string;
  /** The section every edit of the suite goes into (stored before any server starts). */
  sectionId: string;
}

export interface FaultFixture {
  workspaceId: string;
  editors: FaultUser[];
  viewer: FaultUser;
  checklists: FaultChecklist[];
}

/**
 * A workspace with `editors` editors and a viewer, a deal, a workstream and `checklists` checklists, each
 * stored with one section (so edits have somewhere to go and "not corrupted" has something to compare).
 */
export async function createFaultFixture(db: Database, options: { editors: number; checklists?: number }): Promise<FaultFixture> {
  const workspaceId = randomUUID();
  const dealId = randomUUID();
  const workstreamId = randomUUID();
  const makeUser = async (label: string): Promise<FaultUser> => {
    const id = randomUUID();
    const email = `${label}-${id.slice(0, 8)}@faults.test`;
    const { token } = await signAccessToken({ id, email }, { jwtSecret: FAULT_JWT_SECRET, expiresInSeconds: 4 * 3600 });
    return { id, email, claims: { sub: id, role: 'authenticated', email }, token };
  };
  const editors = await Promise.all(Array.from({ length: options.editors }, (_, index) => makeUser(`editor${index}`)));
  const viewer = await makeUser('viewer');
  const checklists = Array.from({ length: options.checklists ?? 1 }, () => ({ id: randomUUID(), sectionId: randomUUID() }));
  for (const user of [...editors, viewer]) {
    await db.ownerQuery(`insert into auth.users (id, email) values ($1, $2)`, [user.id, user.email]);
  }
  await db.asService(async (sql) => {
    // created_by is explicit: auth.uid() cannot cast the service role's empty sub.
    await sql.query(`insert into public.workspaces (id, name, created_by) values ($1, 'Fault suite', null)`, [workspaceId]);
    for (const user of editors) {
      await sql.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'editor')`, [workspaceId, user.id]);
    }
    await sql.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'viewer')`, [workspaceId, viewer.id]);
    await sql.query(`insert into public.deals (id, workspace_id, name, created_by) values ($1, $2, 'CoreWeave / Core Scientific', null)`, [
      dealId,
      workspaceId,
    ]);
    await sql.query(`insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'site_retrofits', 'Sites')`, [
      workstreamId,
      workspaceId,
      dealId,
    ]);
    for (const [index, checklist] of checklists.entries()) {
      await sql.query(
        `insert into public.checklists (id, workspace_id, deal_id, workstream_id, title, created_by) values ($1, $2, $3, $4, $5, null)`,
        [checklist.id, workspaceId, dealId, workstreamId, `Site retrofit ${index + 1}`],
      );
      const doc = new Y.Doc();
      addSection(doc, { id: checklist.sectionId, title: 'Power and interconnection' });
      await sql.query(`insert into public.document_updates (checklist_id, workspace_id, user_id, update) values ($1, $2, $3, $4)`, [
        checklist.id,
        workspaceId,
        editors[0]!.id,
        Y.encodeStateAsUpdate(doc),
      ]);
    }
  });
  return { workspaceId, editors, viewer, checklists };
}
