import type { Database } from '@tieout/db';
import { workspaceRoles, type AuthzWorld, type FixtureUser, type WorkspaceFixture, type WorkspaceRole } from './fixtures.ts';

/**
 * The authorization matrix: each case is one thing someone may try against a workspace's data (a table operation
 * now; websocket and app actions later), with the standings that may do it. Every case is tried by every caller and
 * the verdicts must equal the expectation exactly: allowed where listed, refused everywhere else.
 */
export type Standing = WorkspaceRole | 'non-member' | 'anonymous';

export const members: readonly Standing[] = workspaceRoles;
export const editors: readonly Standing[] = ['owner', 'editor'];
export const owners: readonly Standing[] = ['owner'];
/** Anyone signed in, member of the target workspace or not. */
export const signedIn: readonly Standing[] = [...workspaceRoles, 'non-member'];
export const nobody: readonly Standing[] = [];

export interface Caller {
  /** e.g. "A.editor", "B.owner", "anonymous". */
  label: string;
  /** The caller's standing in the target workspace. */
  standing: Standing;
  /** null for the anonymous caller. */
  user: FixtureUser | null;
}

export type Verdict = 'allowed' | 'refused';

export interface AttemptContext {
  db: Database;
  world: AuthzWorld;
  target: WorkspaceFixture;
  caller: Caller;
}

export interface AuthzCase {
  surface: 'table' | 'websocket' | 'action';
  /** What is acted on: a table name, a websocket route, an app action. */
  subject: string;
  /** What is tried, in words. */
  action: string;
  allowed: readonly Standing[];
  attempt(context: AttemptContext): Promise<Verdict>;
}

/** The callers tried against a target workspace. */
export function callersFor(world: AuthzWorld, target: 'A' | 'B'): Caller[] {
  if (target === 'A') {
    return [
      ...workspaceRoles.map((role) => ({ label: `A.${role}`, standing: role, user: world.A.members[role] })),
      { label: 'B.owner', standing: 'non-member', user: world.B.members.owner },
      { label: 'anonymous', standing: 'anonymous', user: null },
    ];
  }
  // Isolation: every member of A, whatever their role there, is a stranger to B.
  return workspaceRoles.map((role) => ({ label: `A.${role}`, standing: 'non-member' as const, user: world.A.members[role] }));
}

export function expectedVerdicts(testCase: AuthzCase, callers: Caller[]): Record<string, Verdict> {
  return Object.fromEntries(callers.map((caller) => [caller.label, testCase.allowed.includes(caller.standing) ? 'allowed' : 'refused']));
}

export async function actualVerdicts(
  testCase: AuthzCase,
  callers: Caller[],
  context: Omit<AttemptContext, 'caller'>,
): Promise<Record<string, Verdict>> {
  const verdicts: Record<string, Verdict> = {};
  for (const caller of callers) verdicts[caller.label] = await testCase.attempt({ ...context, caller });
  return verdicts;
}
