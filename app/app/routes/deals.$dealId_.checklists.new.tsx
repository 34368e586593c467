import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useId, useState, type ReactNode } from 'react';
import { z } from 'zod';
import { buttonClass, FormAlert, inputClass, TextField } from '~/components/form.tsx';
import { newChecklistSchema, WORKSTREAM_KIND_LABELS } from '~/models/deal-forms.ts';
import { CANNOT_EDIT, createChecklist, getDeal, listTemplates, type TemplateSummary } from '@tieout/db';
import { attempt } from '~/models/tenancy.server.ts';
import { canEdit } from '@tieout/db/roles';
import { requireUser } from '~/utils/auth.server.ts';
import { parseForm } from '~/utils/forms.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `New checklist · ${loaderData.deal.name} · Tieout` : 'New checklist · Tieout' },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const dealId = z.uuid().safeParse(params.dealId);
  const deal = dealId.success ? await getDeal(context.db, session.claims, dealId.data) : null;
  if (!deal) throw data('This deal does not exist or you do not have access to it.', { status: 404, headers: session.headers });
  if (!canEdit(deal.role)) throw data(CANNOT_EDIT, { status: 403, headers: session.headers });
  if (deal.workstreams.length === 0) throw redirect(`/deals/${deal.id}`, { headers: session.headers });
  const templates = await listTemplates(context.db, session.claims, deal.workspace.id);
  const requested = new URL(request.url).searchParams.get('workstream');
  const workstream = deal.workstreams.find((candidate) => candidate.id === requested) ?? deal.workstreams[0]!;
  return data(
    {
      deal: { id: deal.id, name: deal.name, workspaceName: deal.workspace.name },
      workstreams: deal.workstreams.map(({ id, name, kind }) => ({ id, name, kind })),
      selectedWorkstream: workstream.id,
      templates,
    },
    { headers: session.headers },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const session = await requireUser(request, context);
  const parsed = parseForm(newChecklistSchema, await request.formData());
  if (!parsed.ok)
    return data(
      { fieldErrors: parsed.fieldErrors as Record<string, string>, values: parsed.values, formError: null },
      { status: 400, headers: session.headers },
    );
  const created = await attempt(() =>
    createChecklist(context.db, session.claims, parsed.data, (error) =>
      context.logger.warn({ err: error }, 'projection of a new checklist failed (rebuilt on its next edit)'),
    ),
  );
  if (!created.ok) return data({ fieldErrors: {}, values: {}, formError: created.message }, { status: created.status, headers: session.headers });
  if (created.value.dealId !== params.dealId) return redirect(`/deals/${created.value.dealId}`, { headers: session.headers });
  return redirect(`/checklists/${created.value.id}`, { headers: session.headers });
}

/** The template offered first: the workspace's own for this kind of workstream, then the built-in one. */
function suggestedTemplate(templates: TemplateSummary[], kind: string | undefined): string {
  const own = templates.find((template) => !template.builtIn && template.workstream === kind);
  const builtIn = templates.find((template) => template.builtIn && template.workstream === kind);
  return own?.id ?? builtIn?.id ?? 'empty';
}

export default function NewChecklist() {
  const { deal, workstreams, selectedWorkstream, templates } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const values: Record<string, string | undefined> = actionData?.values ?? {};
  const errors: Record<string, string | undefined> = actionData?.fieldErrors ?? {};
  const [workstreamId, setWorkstreamId] = useState(values.workstreamId ?? selectedWorkstream);
  const kind = workstreams.find((workstream) => workstream.id === workstreamId)?.kind;
  const [source, setSource] = useState(values.source ?? suggestedTemplate(templates, kind));
  const [sourceTouched, setSourceTouched] = useState(false);
  const workstreamFieldId = useId();
  const builtIn = templates.filter((template) => template.builtIn);
  const own = templates.filter((template) => !template.builtIn);

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to="/" className="hover:underline">
          {deal.workspaceName}
        </Link>
        {' / '}
        <Link to={`/deals/${deal.id}`} className="hover:underline">
          {deal.name}
        </Link>
      </nav>
      <h1 className="text-2xl font-semibold tracking-tight">New checklist</h1>
      <Form
        method="post"
        className="space-y-6 rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900"
        noValidate
      >
        {actionData?.formError ? <FormAlert>{actionData.formError}</FormAlert> : null}
        <div className="grid gap-4 sm:grid-cols-2">
          <div className="space-y-1">
            <label htmlFor={workstreamFieldId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
              Workstream
            </label>
            <select
              id={workstreamFieldId}
              name="workstreamId"
              value={workstreamId}
              onChange={(event) => {
                setWorkstreamId(event.target.value);
                const nextKind = workstreams.find((workstream) => workstream.id === event.target.value)?.kind;
                if (!sourceTouched) setSource(suggestedTemplate(templates, nextKind));
              }}
              className={inputClass}
            >
              {workstreams.map((workstream) => (
                <option key={workstream.id} value={workstream.id}>
                  {workstream.name}
                </option>
              ))}
            </select>
          </div>
          <TextField
            label="Title"
            name="title"
            required
            maxLength={200}
            defaultValue={values.title}
            error={errors.title}
            placeholder="e.g. Denton, TX site"
          />
        </div>

        <fieldset className="space-y-3">
          <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">Start from</legend>
          {errors.source ? <p className="text-sm text-red-600 dark:text-red-400">{errors.source}</p> : null}
          <div className="grid gap-3 sm:grid-cols-2">
            <SourceOption
              value="empty"
              checked={source === 'empty'}
              onChange={(value) => {
                setSource(value);
                setSourceTouched(true);
              }}
              title="Empty checklist"
              detail="A title and one section to add items to."
            >
              {source === 'empty' ? (
                <input
                  name="sectionTitle"
                  aria-label="First section"
                  defaultValue={values.sectionTitle ?? 'General'}
                  maxLength={200}
                  className={`mt-2 ${inputClass}`}
                  onClick={(event) => event.stopPropagation()}
                />
              ) : null}
            </SourceOption>
          </div>
          {[
            { heading: 'Built-in templates', list: builtIn },
            { heading: 'This workspace’s templates', list: own },
          ].map(({ heading, list }) =>
            list.length === 0 ? null : (
              <div key={heading} className="space-y-2">
                <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{heading}</h2>
                <div className="grid gap-3 sm:grid-cols-2">
                  {list.map((template) => (
                    <SourceOption
                      key={template.id}
                      value={template.id}
                      checked={source === template.id}
                      onChange={(value) => {
                        setSource(value);
                        setSourceTouched(true);
                      }}
                      title={template.name}
                      detail={`${WORKSTREAM_KIND_LABELS[template.workstream]} · ${template.sections} sections · ${template.items} items`}
                      description={template.description}
                    />
                  ))}
                </div>
              </div>
            ),
          )}
        </fieldset>

        <div className="flex items-center gap-3">
          <button type="submit" className={buttonClass} disabled={busy}>
            {busy ? 'Creating…' : 'Create checklist'}
          </button>
          <Link to={`/deals/${deal.id}`} className="text-sm text-slate-600 hover:underline dark:text-slate-400">
            Cancel
          </Link>
        </div>
      </Form>
    </div>
  );
}

function SourceOption({
  value,
  checked,
  onChange,
  title,
  detail,
  description,
  children,
}: {
  value: string;
  checked: boolean;
  onChange: (value: string) => void;
  title: string;
  detail: string;
  description?: string;
  children?: ReactNode;
}) {
  const id = useId();
  return (
    <div
      className={`rounded-md border p-3 text-sm ${
        checked ? 'border-sky-500 bg-sky-50 ring-1 ring-sky-500 dark:bg-sky-950/40' : 'border-slate-200 dark:border-slate-700'
      }`}
    >
      <div className="flex items-start gap-2">
        <input id={id} type="radio" name="source" value={value} checked={checked} onChange={() => onChange(value)} className="mt-1" />
        <label htmlFor={id} className="flex-1 cursor-pointer">
          <span className="block font-medium">{title}</span>
          <span className="block text-xs text-slate-500 dark:text-slate-400">{detail}</span>
          {description ? <span className="mt-1 line-clamp-2 block text-xs text-slate-600 dark:text-slate-300">{description}</span> : null}
        </label>
      </div>
      {children}
    </div>
  );
}
