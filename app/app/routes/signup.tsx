import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { AuthCard, buttonClass, FormAlert, TextField } from '~/components/form.tsx';
import { getOptionalUser } from '~/utils/auth.server.ts';
import { DISPLAY_NAME_MAX, PASSWORD_MAX, parseForm, signupSchema } from '~/utils/forms.ts';
import { safeRedirectPath } from '~/utils/redirect.ts';
import { createSupabase } from '~/utils/supabase.server.ts';

export const meta: MetaFunction = () => [{ title: 'Create an account · Tieout' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getOptionalUser(request, context);
  if (session) throw redirect(safeRedirectPath(new URL(request.url).searchParams.get('redirectTo')), { headers: session.headers });
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(signupSchema, await request.formData());
  if (!parsed.ok) {
    return data({ fieldErrors: parsed.fieldErrors, formError: null, notice: null, values: parsed.values }, { status: 400 });
  }
  const { displayName, email, password, redirectTo } = parsed.data;
  const { supabase, headers } = createSupabase(request, context);
  // With confirmations on (always, embedded; a hosted project's setting), the mailed link comes back to
  // /signup/confirm and then goes on to `redirectTo` (an invitation, say). Decision 115.
  const emailRedirectTo = new URL(safeRedirectPath(redirectTo), request.url).toString();
  const { data: result, error } = await supabase.auth.signUp({ email, password, options: { data: { display_name: displayName }, emailRedirectTo } });
  const values = { displayName, email };
  if (error) {
    const taken = error.code === 'user_already_exists' || error.code === 'email_exists' || /already/i.test(error.message);
    return data(
      {
        fieldErrors: taken ? { email: 'An account with this email already exists. Sign in instead.' } : {},
        formError: taken ? null : `Creating the account failed: ${error.message}`,
        notice: null,
        values,
      },
      { status: taken ? 409 : error.status && error.status < 500 ? 400 : 502, headers },
    );
  }
  if (!result.session) {
    // The same answer whether the address is new or already has an account: only its mailbox is told which.
    return data(
      {
        fieldErrors: {},
        formError: null,
        notice: `Check your inbox: we sent a message to ${email}. Open the link in it to confirm your account and sign in.`,
        values,
      },
      { headers },
    );
  }
  throw redirect(safeRedirectPath(redirectTo), { headers });
}

export default function Signup() {
  const result = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const redirectTo = searchParams.get('redirectTo');
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const errors: Record<string, string | undefined> = result?.fieldErrors ?? {};
  return (
    <AuthCard
      title="Create an account"
      footer={
        <>
          Already have an account?{' '}
          <Link
            to={redirectTo ? `/login?${new URLSearchParams({ redirectTo })}` : '/login'}
            className="font-medium text-sky-700 hover:underline dark:text-sky-400"
          >
            Sign in
          </Link>
        </>
      }
    >
      {result?.notice ? (
        <p role="status" className="text-sm">
          {result.notice}
        </p>
      ) : (
        <Form method="post" className="space-y-4" noValidate>
          {result?.formError ? <FormAlert>{result.formError}</FormAlert> : null}
          <input type="hidden" name="redirectTo" value={redirectTo ?? '/'} />
          <TextField
            label="Name"
            name="displayName"
            autoComplete="name"
            required
            maxLength={DISPLAY_NAME_MAX}
            defaultValue={result?.values.displayName}
            error={errors.displayName}
          />
          <TextField label="Email" name="email" type="email" autoComplete="email" required defaultValue={result?.values.email} error={errors.email} />
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            maxLength={PASSWORD_MAX}
            hint={`At least 8 characters, at most ${PASSWORD_MAX}.`}
            error={errors.password}
          />
          <button type="submit" className={`${buttonClass} w-full`} disabled={busy}>
            {busy ? 'Creating…' : 'Create account'}
          </button>
        </Form>
      )}
    </AuthCard>
  );
}
