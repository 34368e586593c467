import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useId } from 'react';
import { buttonClass, FormAlert, inputClass, TextField } from '~/components/form.tsx';
import { CANNOT_EDIT, createDeal, listWorkspacesWithDeals } from '@tieout/db';
import { attempt } from '~/models/tenancy.server.ts';
import { newDealSchema } from '~/models/deal-forms.ts';
import { canEdit } from '@tieout/db/roles';
import { requireUser } from '~/utils/auth.server.ts';
import { parseForm } from '~/utils/forms.ts';

export const meta: MetaFunction = () => [{ title: 'New deal · Tieout' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const workspaces = (await listWorkspacesWithDeals(context.db, session.claims))
    .filter((workspace) => canEdit(workspace.role))
    .map(({ id, name }) => ({ id, name }));
  if (workspaces.length === 0) throw data(CANNOT_EDIT, { status: 403, headers: session.headers });
  const requested = new URL(request.url).searchParams.get('workspace');
  const selected = workspaces.find((workspace) => workspace.id === requested)?.id ?? workspaces[0]!.id;
  if (requested && !workspaces.some((workspace) => workspace.id === requested)) {
    throw data(CANNOT_EDIT, { status: 403, headers: session.headers });
  }
  return data({ workspaces, selected }, { headers: session.headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireUser(request, context);
  const parsed = parseForm(newDealSchema, await request.formData());
  if (!parsed.ok) return data({ fieldErrors: parsed.fieldErrors, values: parsed.values, formError: null }, { status: 400, headers: session.headers });
  const created = await attempt(() => createDeal(context.db, session.claims, parsed.data));
  if (!created.ok) {
    return data({ fieldErrors: {}, values: {}, formError: created.message }, { status: created.status, headers: session.headers });
  }
  return redirect(`/deals/${created.value.id}`, { headers: session.headers });
}

export default function NewDeal() {
  const { workspaces, selected } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors: Record<string, string | undefined> = actionData?.fieldErrors ?? {};
  const values: Record<string, string | undefined> = actionData?.values ?? {};
  const workspaceFieldId = useId();
  return (
    <div className="mx-auto max-w-xl space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to="/" className="hover:underline">
          Your deals
        </Link>
      </nav>
      <h1 className="text-2xl font-semibold tracking-tight">New deal</h1>
      <Form
        method="post"
        className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900"
        noValidate
      >
        {actionData?.formError ? <FormAlert>{actionData.formError}</FormAlert> : null}
        {workspaces.length > 1 ? (
          <div className="space-y-1">
            <label htmlFor={workspaceFieldId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
              Workspace
            </label>
            <select id={workspaceFieldId} name="workspaceId" defaultValue={values.workspaceId ?? selected} className={inputClass}>
              {workspaces.map((workspace) => (
                <option key={workspace.id} value={workspace.id}>
                  {workspace.name}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <input type="hidden" name="workspaceId" value={selected} />
        )}
        <TextField
          label="Deal name"
          name="name"
          required
          maxLength={200}
          defaultValue={values.name}
          error={errors.name}
          placeholder="CoreWeave / Core Scientific"
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="Buyer" name="buyer" maxLength={200} defaultValue={values.buyer} error={errors.buyer} />
          <TextField label="Target" name="target" maxLength={200} defaultValue={values.target} error={errors.target} />
        </div>
        <TextField
          label="Value (USD)"
          name="value"
          inputMode="decimal"
          defaultValue={values.value}
          error={errors.value}
          placeholder="9,000,000,000 or $9B"
          hint="Optional. Enterprise or equity value as announced."
        />
        <div className="flex items-center gap-3">
          <button type="submit" className={buttonClass} disabled={busy}>
            {busy ? 'Creating…' : 'Create deal'}
          </button>
          <Link to="/" className="text-sm text-slate-600 hover:underline dark:text-slate-400">
            Cancel
          </Link>
        </div>
      </Form>
    </div>
  );
}
