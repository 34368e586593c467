import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createInvitation,
  acceptInvitation,
  createWorkspace,
  deleteWorkspace,
  getWorkspace,
  listMyWorkspaces,
  renameWorkspace,
  TenancyError,
  type Database,
} from '../src/index.ts';
import { createUser, migratedDatabase, type TestUser } from './tenancy.fixtures.ts';

let db: Database;
let dispose: () => Promise<void>;
let olivia: TestUser;
let eddie: TestUser;
let oscar: TestUser;

beforeAll(async () => {
  ({ db, dispose } = await migratedDatabase('workspaces'));
  olivia = await createUser(db, 'Olivia Owens');
  eddie = await createUser(db, 'Eddie Ng');
  oscar = await createUser(db, 'Oscar Ruiz');
}, 120_000);
afterAll(async () => dispose(), 60_000);

async function refusal(promise: Promise<unknown>): Promise<TenancyError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TenancyError);
  return error as TenancyError;
}

async function withEditor(workspaceId: string, user: TestUser) {
  const { token } = await createInvitation(db, olivia.claims, { workspaceId, email: user.email, role: 'editor' });
  await acceptInvitation(db, user.claims, token);
}

describe('workspaces', () => {
  it('makes the creator the owner and lists the workspace with the caller’s role', async () => {
    const created = await createWorkspace(db, olivia.claims, { name: '  Infrastructure M&A  ' });
    expect(created).toMatchObject({ name: 'Infrastructure M&A', role: 'owner', memberCount: 1, createdBy: olivia.id });
    const mine = await listMyWorkspaces(db, olivia.claims);
    expect(mine.map((w) => [w.id, w.role])).toContainEqual([created.id, 'owner']);
    expect((await getWorkspace(db, olivia.claims, created.id)).role).toBe('owner');
  });

  it('lists each workspace with the caller’s own role', async () => {
    const ours = await createWorkspace(db, olivia.claims, { name: 'Alpha deals' });
    const theirs = await createWorkspace(db, eddie.claims, { name: 'Beta deals' });
    await withEditor(ours.id, eddie);
    const eddies = await listMyWorkspaces(db, eddie.claims);
    const roles = Object.fromEntries(eddies.map((w) => [w.id, w.role]));
    expect(roles[ours.id]).toBe('editor');
    expect(roles[theirs.id]).toBe('owner');
    expect(eddies.find((w) => w.id === ours.id)?.memberCount).toBe(2);
  });

  it('shows nothing of a workspace to a non-member', async () => {
    const secret = await createWorkspace(db, olivia.claims, { name: 'Project Falcon' });
    expect((await listMyWorkspaces(db, oscar.claims)).map((w) => w.id)).not.toContain(secret.id);
    expect((await refusal(getWorkspace(db, oscar.claims, secret.id))).code).toBe('not_found');
  });

  it('refuses an empty or overlong name, and a malformed id', async () => {
    expect((await refusal(createWorkspace(db, olivia.claims, { name: '   ' }))).code).toBe('invalid_input');
    expect((await refusal(createWorkspace(db, olivia.claims, { name: 'x'.repeat(121) }))).code).toBe('invalid_input');
    expect((await refusal(getWorkspace(db, olivia.claims, 'not-a-uuid'))).code).toBe('invalid_input');
  });

  it('lets owners rename; editors are forbidden and non-members see nothing', async () => {
    const workspace = await createWorkspace(db, olivia.claims, { name: 'Old name' });
    await withEditor(workspace.id, eddie);
    expect((await refusal(renameWorkspace(db, eddie.claims, { workspaceId: workspace.id, name: 'Hijacked' }))).code).toBe('forbidden');
    expect((await refusal(renameWorkspace(db, oscar.claims, { workspaceId: workspace.id, name: 'Hijacked' }))).code).toBe('not_found');
    expect((await renameWorkspace(db, olivia.claims, { workspaceId: workspace.id, name: 'New name' })).name).toBe('New name');
    expect((await getWorkspace(db, eddie.claims, workspace.id)).name).toBe('New name');
  });

  it('lets only owners delete a workspace, with its memberships', async () => {
    const workspace = await createWorkspace(db, olivia.claims, { name: 'To be deleted' });
    await withEditor(workspace.id, eddie);
    expect((await refusal(deleteWorkspace(db, eddie.claims, workspace.id))).code).toBe('forbidden');
    await deleteWorkspace(db, olivia.claims, workspace.id);
    expect((await refusal(getWorkspace(db, olivia.claims, workspace.id))).code).toBe('not_found');
    const left = await db.asService((sql) => sql.query(`select 1 from public.workspace_members where workspace_id = $1`, [workspace.id]));
    expect(left.rows).toHaveLength(0);
  });
});
