/*
 * The page an invitation link opens. Signed out: sign in or create an account (with the invited address),
 * then come back here. Signed in: accept, and the database checks the link (known, not revoked, not used,
 * not expired, sent to this account's email: public.accept_invitation) before adding the membership.
 * Accepting is a POST, so link previews and prefetching never use up the link.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { acceptInvitation, type TenancyErrorCode } from '@tieout/db';
import { AuthCard, buttonClass } from '~/components/form.tsx';
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
  return data(
    { user: session ? { email: session.user.email, name: session.user.name } : null, here },
    { headers: session?.headers }
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const session = await requireUser(request, context);
  const accepted = await attempt(() => acceptInvitation(context.db, session.claims, params.token ?? ''));
  if (accepted.ok) throw redirect(`/workspaces/${accepted.value.workspaceId}/members?joined=1`, { headers: session.headers });
  return data(
    {
      code: accepted.code as TenancyErrorCode,
      title: INVITATION_REFUSAL_TITLES[accepted.code] ?? 'The invitation could not be accepted',
      message: accepted.message,
    },
    { status: accepted.status, headers: session.headers }
  );
}

const linkClass = 'font-medium text-sky-700 hover:underline dark:text-sky-400';

export default function InvitationPage() {
  const { user, here } = useLoaderData<typeof loader>();
  const refusal = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const back = new URLSearchParams({ redirectTo: here }).toString();

  if (!user) {
    return (
      <AuthCard title="You are invited to a workspace">
        <div className="space-y-4 text-sm">
          <p>
            Someone invited you to a deal team on Tieout. Sign in, or create an account, with the email address the
            invitation was sent to; you come back here to accept it.
          </p>
          <div className="flex flex-wrap gap-3">
            <Link to={`/login?${back}`} className={buttonClass}>
              Sign in to accept
            </Link>
            <Link to={`/signup?${back}`} className="inline-flex items-center rounded-md border border-slate-300 px-4 py-2 font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
              Create an account
            </Link>
          </div>
        </div>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="You are invited to a workspace">
      <div className="space-y-4 text-sm">
        {refusal ? (
          <div role="alert" className="space-y-1 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
            <p className="font-semibold">{refusal.title}</p>
            <p>{refusal.message}</p>
            <RefusalAdvice code={refusal.code} email={user.email} />
          </div>
        ) : null}
        <p>
          You are signed in as <strong>{user.email}</strong>. The invitation works only for the address it was sent to.
        </p>
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

function RefusalAdvice({ code, email }: { code: TenancyErrorCode; email: string }) {
  switch (code) {
    case 'invitation_email_mismatch':
      return (
        <p>
          You are signed in as {email}. Sign out (top right), then open the link again and sign in with the invited
          address.
        </p>
      );
    case 'invitation_expired':
    case 'invitation_invalid':
    case 'invitation_used':
      return <p>Ask an owner of the workspace for a new invitation link.</p>;
    default:
      return null;
  }
}
