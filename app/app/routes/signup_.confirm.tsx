import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { AuthCard, buttonClass, FormAlert } from '~/components/form.tsx';
import { safeRedirectPath } from '~/utils/redirect.ts';
import { createSupabase } from '~/utils/supabase.server.ts';

/*
 * The link a sign-up mails: /signup/confirm?token_hash=…&type=signup&next=… (decision 115; Supabase's SSR
 * pattern, so a hosted project's "Confirm signup" template can point here too). Opening it shows a button: the
 * token is spent by the POST, not the GET, so a mail scanner that fetches links cannot use it up.
 */

export const meta: MetaFunction = () => [{ title: 'Confirm your email · Tieout' }];

const TOKEN_TYPES = ['signup', 'email'] as const;
type TokenType = (typeof TOKEN_TYPES)[number];

function tokenType(value: unknown): TokenType | null {
  return TOKEN_TYPES.find((type) => type === value) ?? null;
}

/** `next` as a path on this site (a full URL on this site, e.g. a hosted template's {{ .RedirectTo }}, counts). */
function nextPath(value: unknown, requestUrl: string): string {
  if (typeof value !== 'string' || value === '') return '/';
  try {
    const here = new URL(requestUrl);
    const target = new URL(value, here);
    return target.origin === here.origin ? safeRedirectPath(`${target.pathname}${target.search}`) : '/';
  } catch {
    return '/';
  }
}

export function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  const tokenHash = params.get('token_hash') ?? '';
  const type = tokenType(params.get('type') ?? 'signup');
  return {
    tokenHash,
    type: type ?? 'signup',
    next: nextPath(params.get('next'), request.url),
    complete: tokenHash !== '' && tokenHash.length <= 200 && type !== null,
  };
}

const invalidLink = 'This confirmation link is not valid: it was already used, has expired, or was replaced by a newer one.';

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const tokenHash = form.get('token_hash');
  const type = tokenType(form.get('type'));
  if (typeof tokenHash !== 'string' || tokenHash === '' || tokenHash.length > 200 || !type) {
    return data({ formError: invalidLink }, { status: 400 });
  }
  const { supabase, headers } = createSupabase(request, context);
  const { error } = await supabase.auth.verifyOtp({ type, token_hash: tokenHash });
  if (error) {
    const refused = error.status === 403 || error.code === 'otp_expired' || (error.status !== undefined && error.status < 500);
    return data(
      { formError: refused ? invalidLink : `Confirming failed: ${error.message}. Try the link again in a moment.` },
      { status: refused ? 400 : 502, headers },
    );
  }
  throw redirect(nextPath(form.get('next'), request.url), { headers });
}

export default function ConfirmSignup() {
  const link = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const signUpAgain = link.next === '/' ? '/signup' : `/signup?${new URLSearchParams({ redirectTo: link.next })}`;
  const failed =
    result?.formError ?? (link.complete ? null : 'This confirmation link is incomplete. Copy the whole link from the message, or sign up again.');
  return (
    <AuthCard
      title="Confirm your email"
      footer={
        <>
          Link not working?{' '}
          <Link to={signUpAgain} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
            Sign up again
          </Link>{' '}
          for a new one, or{' '}
          <Link to="/login" className="font-medium text-sky-700 hover:underline dark:text-sky-400">
            sign in
          </Link>
          .
        </>
      }
    >
      {failed ? <FormAlert>{failed}</FormAlert> : null}
      {link.complete && !result?.formError ? (
        <Form method="post" className="space-y-4">
          <p className="text-sm">Confirm this email address to finish creating your Tieout account. You will be signed in.</p>
          <input type="hidden" name="token_hash" value={link.tokenHash} />
          <input type="hidden" name="type" value={link.type} />
          <input type="hidden" name="next" value={link.next} />
          <button type="submit" className={`${buttonClass} w-full`} disabled={busy}>
            {busy ? 'Confirming…' : 'Confirm and sign in'}
          </button>
        </Form>
      ) : null}
    </AuthCard>
  );
}
