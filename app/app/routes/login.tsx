import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { AuthCard, buttonClass, FormAlert, TextField } from '~/components/form.tsx';
import { getOptionalUser } from '~/utils/auth.server.ts';
import { loginSchema, parseForm } from '~/utils/forms.ts';
import { safeRedirectPath } from '~/utils/redirect.ts';
import { createSupabase } from '~/utils/supabase.server.ts';

export const meta: MetaFunction = () => [{ title: 'Sign in · Tieout' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getOptionalUser(request, context);
  if (session) throw redirect(safeRedirectPath(new URL(request.url).searchParams.get('redirectTo')), { headers: session.headers });
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(loginSchema, await request.formData());
  if (!parsed.ok) return data({ fieldErrors: parsed.fieldErrors, formError: null, values: parsed.values }, { status: 400 });
  const { email, password, redirectTo } = parsed.data;
  const { supabase, headers } = createSupabase(request, context);
  const { error } = await supabase.auth.signInWithPassword({ email, password });
  if (error) {
    const formError =
      error.code === 'email_not_confirmed'
        ? 'This email address is not confirmed yet. Open the link in the message we sent when you signed up (or sign up again for a new one).'
        : error.status === 400 || error.code === 'invalid_credentials'
          ? 'Invalid login credentials: that email and password do not match an account.'
          : `Signing in failed: ${error.message}`;
    return data({ fieldErrors: {}, formError, values: { email } }, { status: error.status === 400 ? 400 : 502, headers });
  }
  throw redirect(safeRedirectPath(redirectTo), { headers });
}

export default function Login() {
  const result = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const errors: Record<string, string | undefined> = result?.fieldErrors ?? {};
  return (
    <AuthCard
      title="Sign in"
      footer={
        <>
          No account yet?{' '}
          <Link
            to={searchParams.get('redirectTo') ? `/signup?${new URLSearchParams({ redirectTo: searchParams.get('redirectTo') ?? '/' })}` : '/signup'}
            className="font-medium text-sky-700 hover:underline dark:text-sky-400"
          >
            Create one
          </Link>
        </>
      }
    >
      {/* No `action`: it posts to the current URL, so ?redirectTo survives a failed attempt. */}
      <Form method="post" className="space-y-4" noValidate>
        {result?.formError ? <FormAlert>{result.formError}</FormAlert> : null}
        <input type="hidden" name="redirectTo" value={searchParams.get('redirectTo') ?? '/'} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required defaultValue={result?.values.email} error={errors.email} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required error={errors.password} />
        <button type="submit" className={`${buttonClass} w-full`} disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </Form>
    </AuthCard>
  );
}
