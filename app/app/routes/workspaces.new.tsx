import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation } from '@remix-run/react';
import { createWorkspace } from '@tieout/db';
import { AuthCard, buttonClass, FormAlert, TextField } from '~/components/form.tsx';
import { attempt, workspaceNameSchema } from '~/models/tenancy.server.ts';
import { requireUser } from '~/utils/auth.server.ts';
import { parseForm } from '~/utils/forms.ts';

export const meta: MetaFunction = () => [{ title: 'New workspace · Tieout' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  return data(null, { headers: session.headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireUser(request, context);
  const parsed = parseForm(workspaceNameSchema, await request.formData());
  if (!parsed.ok) {
    return data({ fieldErrors: parsed.fieldErrors, formError: null, values: parsed.values }, { status: 400, headers: session.headers });
  }
  const created = await attempt(() => createWorkspace(context.db, session.claims, parsed.data));
  if (!created.ok) {
    return data(
      { fieldErrors: {}, formError: created.message, values: { name: parsed.data.name } },
      { status: created.status, headers: session.headers },
    );
  }
  throw redirect(`/workspaces/${created.value.id}/members`, { headers: session.headers });
}

export default function NewWorkspace() {
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const errors: Record<string, string | undefined> = result?.fieldErrors ?? {};
  return (
    <AuthCard
      title="New workspace"
      footer={
        <Link to="/" className="font-medium text-sky-700 hover:underline dark:text-sky-400">
          Back to your deals
        </Link>
      }
    >
      <Form method="post" className="space-y-4" noValidate>
        {result?.formError ? <FormAlert>{result.formError}</FormAlert> : null}
        <TextField
          label="Workspace name"
          name="name"
          required
          maxLength={120}
          hint="You will be its owner and can invite your deal team next."
          defaultValue={result?.values.name}
          error={errors.name}
        />
        <button type="submit" className={`${buttonClass} w-full`} disabled={busy}>
          {busy ? 'Creating…' : 'Create workspace'}
        </button>
      </Form>
    </AuthCard>
  );
}
