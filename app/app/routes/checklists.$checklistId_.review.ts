/*
 * GET  /checklists/:checklistId/review: the checklist's comment threads, review states, "done requires approval" and
 *      sign-offs as JSON, for the comment panel and the item rows (re-read on live 'comments' / 'approvals' events).
 * POST intent=thread|reply|edit|delete|resolve|reopen|approve|send-back|done-rule|sign-off: one review action, as the
 *      signed-in user (the database decides; refusals come back as { error } with 400/403/404 and change nothing).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import {
  ReviewError,
  checklistAccess,
  createThread,
  decideItem,
  deleteComment,
  editComment,
  getReviewSettings,
  listChecklistThreads,
  listReviewStates,
  listSignoffs,
  replyToThread,
  setDoneRequiresApproval,
  setThreadResolved,
  signOffChecklist,
} from '@tieout/db';
import { z } from 'zod';
import { getOptionalUser } from '~/utils/auth.server.ts';
import { attempt } from '~/models/tenancy.server.ts';

const headers = { 'Cache-Control': 'private, no-store' };

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await getOptionalUser(request, context);
  if (!session) return Response.json({ error: 'Your session has ended: sign in again.' }, { status: 401, headers });
  const checklistId = params.checklistId ?? '';
  const started = performance.now();
  if (!z.uuid().safeParse(checklistId).success || !(await checklistAccess(context.db, session.claims, checklistId))) {
    return Response.json({ error: 'This checklist does not exist or you do not have access to it.' }, { status: 404, headers });
  }
  const [threads, states, settings, signoffs] = await Promise.all([
    listChecklistThreads(context.db, session.claims, checklistId),
    listReviewStates(context.db, session.claims, checklistId),
    getReviewSettings(context.db, session.claims, checklistId),
    listSignoffs(context.db, session.claims, checklistId),
  ]);
  const serverTiming = `db;dur=${(performance.now() - started).toFixed(1)}`;
  return Response.json({ threads, states, settings, signoffs }, { headers: { ...headers, 'Server-Timing': serverTiming } });
}

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};
const mentionsOf = (form: FormData) => form.getAll('mention').filter((value): value is string => typeof value === 'string');

function parseAnchor(raw: string): { start: unknown; end: unknown } | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as { start: unknown; end: unknown };
  } catch {
    throw new ReviewError('invalid_input', 'The selected text cannot be commented on: its position is not readable.');
  }
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const session = await getOptionalUser(request, context);
  if (!session) return Response.json({ error: 'Your session has ended: sign in again.' }, { status: 401, headers });
  const { db } = context;
  const claims = session.claims;
  const checklistId = params.checklistId ?? '';
  const form = await request.formData();
  const done = await attempt(async () => {
    switch (text(form, 'intent')) {
      case 'thread':
        return Response.json(
          await createThread(db, claims, {
            checklistId,
            itemId: text(form, 'itemId'),
            body: text(form, 'body'),
            mentions: mentionsOf(form),
            anchor: parseAnchor(text(form, 'anchor')),
            quote: text(form, 'quote') || null,
          }),
          { headers },
        );
      case 'reply':
        return Response.json(
          await replyToThread(db, claims, { threadId: text(form, 'threadId'), body: text(form, 'body'), mentions: mentionsOf(form) }),
          { headers },
        );
      case 'edit':
        await editComment(db, claims, { commentId: text(form, 'commentId'), body: text(form, 'body'), mentions: mentionsOf(form) });
        return Response.json({ ok: true }, { headers });
      case 'delete':
        await deleteComment(db, claims, text(form, 'commentId'));
        return Response.json({ ok: true }, { headers });
      case 'resolve':
      case 'reopen':
        await setThreadResolved(db, claims, text(form, 'threadId'), text(form, 'intent') === 'resolve');
        return Response.json({ ok: true }, { headers });
      case 'approve':
      case 'send-back':
        return Response.json(
          await decideItem(db, claims, {
            checklistId,
            itemId: text(form, 'itemId'),
            decision: text(form, 'intent') === 'approve' ? 'approved' : 'sent_back',
            comment: text(form, 'body'),
            mentions: mentionsOf(form),
            seenFingerprint: text(form, 'fingerprint') || undefined,
          }),
          { headers },
        );
      case 'done-rule':
        await setDoneRequiresApproval(db, claims, checklistId, text(form, 'on') === 'true');
        return Response.json({ ok: true }, { headers });
      case 'sign-off':
        return Response.json(await signOffChecklist(db, claims, checklistId), { headers });
      default:
        return Response.json({ error: 'Unknown action' }, { status: 400, headers });
    }
  });
  if (done.ok) return done.value;
  return Response.json({ error: done.message, code: done.code }, { status: done.status, headers });
}
