/*
 * The page an invitation link opens. It first says what the link is for (workspace, role, who sent it, until when:
 * public.invitation_preview) and whether it can still be used. Signed out: sign in or create an account (with the
 * invited address), then come back here. Signed in: accept, and the database checks the link again (known, not
 * revoked, not used, not expired, sent to this account's email: public.accept_invitation) before adding the membership.
 * Accepting is a POST, so link previews and prefetching never use up the link.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { acceptInvitation, previewInvitation, type InvitationPreview, type TenancyErrorCode } from '@tieout/db';
import { AuthCard, buttonClass } from '~/components/form.tsx';
import { roleLabels } from '@tieout/db/roles';
import { attempt, INVITATION_REFUSAL_TITLES } from '~/models/tenancy.server.ts';
import { getOptionalUser, requireUser } from '~/utils/auth.server.ts';

export const meta: MetaFunction = () => [
  { title: 'Invitation · Tieout' },
  // The link is a secret: do not send it on to other sites as a Referer.
  { name: 'referrer', content: 'no-referrer' },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await getOptionalUser(request, context);
  const here = `/invitations/${encodeURIComponent(params.token ?? '')}`;
  const preview = await previewInvitation(context.db, session?.claims ?? null, params.token ?? '');
  return data(
    {
      user: session ? { email: session.user.email, name: session.user.name } : null,
      here,
      preview,
      refusal: previewRefusal(preview),
    },
    { headers: { ...Object.fromEntries(session?.headers ?? []), 'Cache-Control': 'private, no-store' } },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const session = await requireUser(request, context);
  const accepted = await attempt(() => acceptInvitation(context.db, session.claims, params.token ?? ''));
  if (accepted.ok) throw redirect(`/workspaces/${accepted.value.workspaceId}/members?joined=1`, { headers: session.headers });
  return data(
    {
      code: accepted.code as TenancyErrorCode,
      title: INVITATION_REFUSAL_TITLES[accepted.code as TenancyErrorCode] ?? 'The invitation could not be accepted',
      message: accepted.message,
    },
    { status: accepted.status, headers: session.headers },
  );
}

/** Why the link cannot be accepted, known before trying (the same words the database uses when it refuses). */
function previewRefusal(preview: InvitationPreview | null): { code: TenancyErrorCode; title: string; message: string } | null {
  const refusal = (code: TenancyErrorCode, message: string) => ({ code, title: INVITATION_REFUSAL_TITLES[code] ?? message, message });
  if (!preview || preview.state === 'revoked') return refusal('invitation_invalid', 'This invitation link is not valid (it may have been revoked)');
  if (preview.state === 'used') return refusal('invitation_used', 'This invitation has already been used');
  if (preview.state === 'expired') return refusal('invitation_expired', 'This invitation has expired: ask an owner of the workspace for a new one');
  if (preview.forCaller === false) return refusal('invitation_email_mismatch', 'This invitation was sent to another email address');
  return null;
}

const linkClass = 'font-medium text-sky-700 hover:underline dark:text-sky-400';

function InvitationSummary({ preview }: { preview: InvitationPreview }) {
  const until = new Date(preview.expiresAt).toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
  return (
    <p aria-label="Invitation">
      {preview.invitedByName ? <strong>{preview.invitedByName}</strong> : 'An owner'} invited <strong>{preview.emailHint}</strong> to join{' '}
      <strong>{preview.workspaceName}</strong> as <strong>{roleLabels[preview.role].toLowerCase()}</strong>
      {preview.state === 'open' ? `. The link works until ${until}.` : '.'}
    </p>
  );
}

export default function InvitationPage() {
  const { user, here, preview, refusal: knownRefusal } = useLoaderData<typeof loader>();
  const refusal = useActionData<typeof action>() ?? knownRefusal;
  const title = preview ? `You are invited to ${preview.workspaceName}` : 'You are invited to a workspace';
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const back = new URLSearchParams({ redirectTo: here }).toString();

  if (!user) {
    return (
      <AuthCard title={title}>
        <div className="space-y-4 text-sm">
          {preview ? <InvitationSummary preview={preview} /> : null}
          {refusal ? (
            <RefusalNotice refusal={refusal} />
          ) : (
            <>
              <p>Sign in, or create an account, with the email address the invitation was sent to; you come back here to accept it.</p>
              <div className="flex flex-wrap gap-3">
                <Link to={`/login?${back}`} className={buttonClass}>
                  Sign in to accept
                </Link>
                <Link
                  to={`/signup?${back}`}
                  className="inline-flex items-center rounded-md border border-slate-300 px-4 py-2 font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
                >
                  Create an account
                </Link>
              </div>
            </>
          )}
        </div>
      </AuthCard>
    );
  }

  return (
    <AuthCard title={title}>
      <div className="space-y-4 text-sm">
        {preview ? <InvitationSummary preview={preview} /> : null}
        {refusal ? <RefusalNotice refusal={refusal} email={user.email} /> : null}
        {refusal ? null : (
          <p>
            You are signed in as <strong>{user.email}</strong>. The invitation works only for the address it was sent to.
          </p>
        )}
        {refusal ? (
          <Link to="/" className={linkClass}>
            Go to your deals
          </Link>
        ) : (
          <Form method="post">
            <button type="submit" className={`${buttonClass} w-full`} disabled={busy}>
              {busy ? 'Accepting…' : 'Accept invitation'}
            </button>
          </Form>
        )}
      </div>
    </AuthCard>
  );
}

function RefusalNotice({ refusal, email }: { refusal: { code: TenancyErrorCode; title: string; message: string }; email?: string }) {
  return (
    <div
      role="alert"
      className="space-y-1 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
    >
      <p className="font-semibold">{refusal.title}</p>
      <p>{refusal.message}</p>
      <RefusalAdvice code={refusal.code} email={email} />
    </div>
  );
}

function RefusalAdvice({ code, email }: { code: TenancyErrorCode; email?: string }) {
  switch (code) {
    case 'invitation_email_mismatch':
      return <p>You are signed in as {email}. Sign out (top right), then open the link again and sign in with the invited address.</p>;
    case 'invitation_expired':
    case 'invitation_invalid':
    case 'invitation_used':
      return <p>Ask an owner of the workspace for a new invitation link.</p>;
    default:
      return null;
  }
}
