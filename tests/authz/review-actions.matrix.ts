/*
 * The review, inbox and "my work" routes of issue 13 in the app-action matrix (rows appended to appActionMatrix).
 * Anonymous callers of the JSON review route get 401; members without the right role 403; strangers 404.
 */
import type { Database } from '@tieout/db';
import type { AppCaseSpec } from './app-actions.matrix.ts';
import type { FixtureUser, WorkspaceFixture } from './support/fixtures.ts';
import { members, signedIn, owners, type Standing } from './support/matrix.ts';
import type { RouteOutcome } from './support/app-routes.ts';

const commenters: readonly Standing[] = ['owner', 'editor', 'reviewer'];
const deciders: readonly Standing[] = ['owner', 'reviewer'];

const reviewPath = (t: WorkspaceFixture) => `/checklists/${t.checklistId}/review`;
const json = (outcome: RouteOutcome) => {
  try {
    return (typeof outcome.data === 'string' ? JSON.parse(outcome.data) : (outcome.data ?? {})) as Record<string, unknown>;
  } catch {
    return {};
  }
};
const dataOf = (outcome: RouteOutcome) => (outcome.data ?? {}) as Record<string, unknown>;

/** My own comment in the target workspace's thread, or (for a stranger) the colleague's. */
function myComment(target: WorkspaceFixture, me: FixtureUser): string {
  const entry = Object.entries(target.members).find(([, user]) => user.id === me.id);
  return entry ? target.review.commentBy[entry[0] as keyof typeof target.members] : target.review.commentBy.colleague;
}

async function one(db: Database, text: string, params: unknown[]): Promise<Record<string, unknown> | undefined> {
  const { rows } = await db.asService((sql) => sql.query(text, params));
  return rows[0];
}

export function reviewActionSpecs(): AppCaseSpec[] {
  return [
    {
      subject: 'review data',
      action: 'read the checklist’s threads and review states (loader)',
      allowed: members,
      alsoRefusedWith: [401],
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.review, 'loader', {
          path: reviewPath(target),
          params: { checklistId: target.checklistId },
          cookie,
        });
        return {
          outcome,
          didIt: (o) => ((json(o).threads as { id: string }[] | undefined) ?? []).some((thread) => thread.id === target.review.threadId),
        };
      },
    },
    {
      subject: 'review action',
      action: 'open a thread on an item (intent=thread)',
      allowed: commenters,
      alsoRefusedWith: [401],
      async run({ harness, routes, target, cookie, db }) {
        const outcome = await harness.call(routes.review, 'action', {
          path: reviewPath(target),
          params: { checklistId: target.checklistId },
          cookie,
          form: { intent: 'thread', itemId: target.itemId, body: 'Matrix thread' },
        });
        const threadId = json(outcome).threadId as string | undefined;
        return {
          outcome,
          didIt: () => typeof threadId === 'string',
          async check(verdict) {
            if (verdict === 'refused') {
              // Nothing was written by a refused caller.
              const row = await one(
                db,
                `select count(*)::int as n from public.comments where body = 'Matrix thread' and checklist_id = $1 and author_id is null`,
                [target.checklistId],
              );
              if (Number(row?.n) !== 0) throw new Error('a refused caller wrote a comment');
            }
          },
        };
      },
    },
    {
      subject: 'review action',
      action: 'reply in a thread (intent=reply)',
      allowed: commenters,
      alsoRefusedWith: [401],
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.review, 'action', {
          path: reviewPath(target),
          params: { checklistId: target.checklistId },
          cookie,
          form: { intent: 'reply', threadId: target.review.threadId, body: 'Matrix reply' },
        });
        return { outcome, didIt: () => typeof json(outcome).commentId === 'string' };
      },
    },
    {
      subject: 'review action',
      action: 'edit my own comment (intent=edit; someone else’s is refused)',
      allowed: commenters,
      alsoRefusedWith: [401],
      async run({ harness, routes, target, cookie, me, db }) {
        const commentId = myComment(target, me);
        const body = `Edited by ${me.id}`;
        const outcome = await harness.call(routes.review, 'action', {
          path: reviewPath(target),
          params: { checklistId: target.checklistId },
          cookie,
          form: { intent: 'edit', commentId, body },
        });
        const row = await one(db, `select body from public.comments where id = $1`, [commentId]);
        return { outcome, didIt: () => row?.body === body };
      },
    },
    {
      subject: 'review action',
      action: 'resolve a thread (intent=resolve)',
      allowed: commenters,
      alsoRefusedWith: [401],
      async run({ harness, routes, target, cookie, db }) {
        const outcome = await harness.call(routes.review, 'action', {
          path: reviewPath(target),
          params: { checklistId: target.checklistId },
          cookie,
          form: { intent: 'resolve', threadId: target.review.threadId },
        });
        const row = await one(db, `select resolved_at from public.comment_threads where id = $1`, [target.review.threadId]);
        return {
          outcome,
          didIt: () => row?.resolved_at !== null && row?.resolved_at !== undefined,
          async check() {
            await db.asService((sql) =>
              sql.query(`update public.comment_threads set resolved_at = null, resolved_by = null where id = $1`, [target.review.threadId]),
            );
          },
        };
      },
    },
    {
      subject: 'review action',
      action: 'sign the approved checklist off (intent=sign-off)',
      allowed: owners,
      alsoRefusedWith: [401],
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.review, 'action', {
          path: reviewPath(target),
          params: { checklistId: target.checklistId },
          cookie,
          form: { intent: 'sign-off' },
        });
        return { outcome, didIt: () => typeof json(outcome).stateHash === 'string' };
      },
    },
    {
      subject: 'review action',
      action: 'switch “done requires approval” (intent=done-rule)',
      allowed: owners,
      alsoRefusedWith: [401],
      async run({ harness, routes, target, cookie, db }) {
        await db.asService((sql) =>
          sql.query(`update public.checklist_review_settings set done_requires_approval = true where checklist_id = $1`, [target.checklistId]),
        );
        const outcome = await harness.call(routes.review, 'action', {
          path: reviewPath(target),
          params: { checklistId: target.checklistId },
          cookie,
          form: { intent: 'done-rule', on: 'false' },
        });
        const row = await one(db, `select done_requires_approval from public.checklist_review_settings where checklist_id = $1`, [
          target.checklistId,
        ]);
        return { outcome, didIt: () => row?.done_requires_approval === false };
      },
    },
    {
      subject: 'review action',
      action: 'approve an item (intent=approve)',
      allowed: deciders,
      alsoRefusedWith: [401],
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.review, 'action', {
          path: reviewPath(target),
          params: { checklistId: target.checklistId },
          cookie,
          form: { intent: 'approve', itemId: target.itemId },
        });
        return { outcome, didIt: () => typeof json(outcome).approvalId === 'number' };
      },
    },
    {
      subject: 'review action',
      action: 'send an item back with a comment (intent=send-back)',
      allowed: deciders,
      alsoRefusedWith: [401],
      async run({ harness, routes, target, cookie }) {
        const outcome = await harness.call(routes.review, 'action', {
          path: reviewPath(target),
          params: { checklistId: target.checklistId },
          cookie,
          form: { intent: 'send-back', itemId: target.itemId, body: 'Needs the signed agreement' },
        });
        return { outcome, didIt: () => typeof json(outcome).approvalId === 'number' };
      },
    },
    {
      subject: 'inbox page',
      action: 'open my inbox (loader)',
      allowed: signedIn,
      async run({ harness, routes, cookie }) {
        const outcome = await harness.call(routes.inbox, 'loader', { path: '/inbox', params: {}, cookie });
        return { outcome, didIt: (o) => Array.isArray((dataOf(o).inbox as { entries?: unknown[] } | undefined)?.entries) };
      },
    },
    {
      subject: 'inbox action',
      action: 'mark a notification of mine read (intent=read; a co-member’s: 404)',
      allowed: members,
      async run({ harness, routes, target, cookie, me, db }) {
        const entry = Object.entries(target.members).find(([, user]) => user.id === me.id);
        const id = entry ? target.review.notificationFor[entry[0] as keyof typeof target.members] : target.review.notificationFor.colleague;
        await db.asService((sql) => sql.query(`update public.notifications set read_at = null where id = $1`, [id]));
        const outcome = await harness.call(routes.inbox, 'action', { path: '/inbox', params: {}, cookie, form: { intent: 'read', id: String(id) } });
        const row = await one(db, `select read_at from public.notifications where id = $1`, [id]);
        return { outcome, didIt: () => row?.read_at !== null };
      },
    },
    {
      subject: 'my work page',
      action: 'open my work (loader)',
      allowed: signedIn,
      async run({ harness, routes, cookie }) {
        const outcome = await harness.call(routes.myWork, 'loader', { path: '/my-work', params: {}, cookie });
        return { outcome, didIt: (o) => typeof (dataOf(o).work as { counts?: unknown } | undefined)?.counts === 'object' };
      },
    },
  ];
}
