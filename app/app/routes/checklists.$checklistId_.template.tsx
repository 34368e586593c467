import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { ChecklistSubpage } from '~/components/checklist-subpage.tsx';
import { buttonClass, FormAlert, TextField } from '~/components/form.tsx';
import { saveTemplateSchema } from '~/models/deal-forms.ts';
import { CANNOT_EDIT, getChecklist, saveChecklistAsTemplate } from '@tieout/db';
import { attempt } from '~/models/tenancy.server.ts';
import { canEdit } from '@tieout/db/roles';
import { requireUser } from '~/utils/auth.server.ts';
import { parseForm } from '~/utils/forms.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `Save as template · ${loaderData.checklist.title} · Tieout` : 'Save as template · Tieout' },
];

async function loadChecklist(request: Request, context: LoaderFunctionArgs['context'], checklistIdParam: string | undefined) {
  const session = await requireUser(request, context);
  const checklistId = z.uuid().safeParse(checklistIdParam);
  const checklist = checklistId.success ? await getChecklist(context.db, session.claims, checklistId.data) : null;
  if (!checklist) throw data('This checklist does not exist or you do not have access to it.', { status: 404, headers: session.headers });
  if (!canEdit(checklist.role)) throw data(CANNOT_EDIT, { status: 403, headers: session.headers });
  return { session, checklist };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { session, checklist } = await loadChecklist(request, context, params.checklistId);
  return data({ checklist }, { headers: session.headers });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { session, checklist } = await loadChecklist(request, context, params.checklistId);
  const parsed = parseForm(saveTemplateSchema, await request.formData());
  if (!parsed.ok)
    return data({ saved: null, fieldErrors: parsed.fieldErrors, values: parsed.values, formError: null }, { status: 400, headers: session.headers });
  const saved = await attempt(() => saveChecklistAsTemplate(context.db, session.claims, { checklistId: checklist.id, ...parsed.data }));
  if (!saved.ok) {
    return data({ saved: null, fieldErrors: {}, values: parsed.data, formError: saved.message }, { status: saved.status, headers: session.headers });
  }
  return data(
    { saved: { name: parsed.data.name, items: saved.value.items }, fieldErrors: {}, values: {}, formError: null },
    { headers: session.headers },
  );
}

export default function SaveAsTemplate() {
  const { checklist } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors: Record<string, string | undefined> = actionData?.fieldErrors ?? {};
  const values: Record<string, string | undefined> = actionData?.values ?? {};
  return (
    <ChecklistSubpage checklist={checklist} title="Save as template" width="max-w-xl">
      {actionData?.saved ? (
        <div
          role="status"
          className="space-y-2 rounded-lg border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
        >
          <p>
            Saved the template “{actionData.saved.name}” with {actionData.saved.items} items. It is offered when anyone in this workspace creates a
            checklist.
          </p>
          <Link to={`/deals/${checklist.deal.id}`} className="font-medium underline">
            Back to {checklist.deal.name}
          </Link>
        </div>
      ) : (
        <Form
          method="post"
          className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900"
          noValidate
        >
          <p className="text-sm text-slate-600 dark:text-slate-400">
            The template keeps this checklist’s sections, item titles, risk levels and the figures to collect. Statuses, owners, due dates, figure
            values and notes stay with this deal.
          </p>
          {actionData?.formError ? <FormAlert>{actionData.formError}</FormAlert> : null}
          <TextField label="Template name" name="name" required maxLength={200} defaultValue={values.name ?? checklist.title} error={errors.name} />
          <TextField
            label="Description"
            name="description"
            maxLength={2000}
            defaultValue={values.description}
            error={errors.description}
            placeholder="Optional: when to use it"
          />
          <div className="flex items-center gap-3">
            <button type="submit" className={buttonClass} disabled={busy}>
              {busy ? 'Saving…' : 'Save template'}
            </button>
            <Link to={`/deals/${checklist.deal.id}`} className="text-sm text-slate-600 hover:underline dark:text-slate-400">
              Cancel
            </Link>
          </div>
        </Form>
      )}
    </ChecklistSubpage>
  );
}
