import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { WORKSTREAM_KINDS } from '@tieout/doc-model';
import { useEffect, useId, useRef, useState } from 'react';
import { z } from 'zod';
import { FigureRollups } from '~/components/figure-rollups.tsx';
import { buttonClass, fieldClass, FormAlert } from '~/components/form.tsx';
import { ProgressBadges, ProgressBar } from '~/components/progress.tsx';
import { newWorkstreamSchema, WORKSTREAM_KIND_LABELS } from '~/models/deal-forms.ts';
import { createWorkstream, getDeal } from '@tieout/db';
import { attempt } from '~/models/tenancy.server.ts';
import { canEdit, roleLabels } from '@tieout/db/roles';
import { requireUser } from '~/utils/auth.server.ts';
import { formatUsd, titleCase } from '~/utils/format.ts';
import { parseForm } from '~/utils/forms.ts';
import { useLiveRevalidation } from '~/utils/live.ts';
import { itemsHref, type ItemQuery } from '~/components/dashboard.tsx';
import { requestToday } from '~/models/dashboard.server.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `${loaderData.deal.name} · Tieout` : 'Deal · Tieout' },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const dealId = z.uuid().safeParse(params.dealId);
  const deal = dealId.success ? await getDeal(context.db, session.claims, dealId.data, requestToday()) : null;
  if (!deal) throw data('This deal does not exist or you do not have access to it.', { status: 404, headers: session.headers });
  return data({ deal, canEdit: canEdit(deal.role) }, { headers: session.headers });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const session = await requireUser(request, context);
  const dealId = z.uuid().safeParse(params.dealId);
  if (!dealId.success) throw data('This deal does not exist or you do not have access to it.', { status: 404, headers: session.headers });
  const parsed = parseForm(newWorkstreamSchema, await request.formData());
  if (!parsed.ok) return data({ ok: false as const, fieldErrors: parsed.fieldErrors, formError: null }, { status: 400, headers: session.headers });
  const created = await attempt(() => createWorkstream(context.db, session.claims, { dealId: dealId.data, ...parsed.data }));
  if (!created.ok)
    return data({ ok: false as const, fieldErrors: {}, formError: created.message }, { status: created.status, headers: session.headers });
  return data({ ok: true as const, fieldErrors: {}, formError: null }, { headers: session.headers });
}

const secondaryLink = 'text-xs font-medium text-slate-600 hover:text-sky-700 hover:underline dark:text-slate-400 dark:hover:text-sky-400';

export default function DealPage() {
  const { deal, canEdit: editable } = useLoaderData<typeof loader>();
  useLiveRevalidation((event) => (event.topic === 'items' || event.topic === 'approvals') && event.workspaceId === deal.workspace.id);
  const itemsOf = (query: ItemQuery) => itemsHref(deal.workspace.id, { deal: deal.id, ...query });
  return (
    <div className="space-y-8">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to="/" className="hover:underline">
          {deal.workspace.name}
        </Link>
      </nav>
      {deal.archivedAt ? (
        <p
          role="note"
          className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200"
        >
          This deal is archived: it is hidden from lists, dashboards and search.{' '}
          <Link to={`/workspaces/${deal.workspace.id}/archived`} className="font-medium underline">
            Archived view
          </Link>
        </p>
      ) : null}
      <header className="space-y-4">
        <div className="flex flex-wrap items-end justify-between gap-4">
          <div>
            <h1 className="text-2xl font-semibold tracking-tight">{deal.name}</h1>
            <p className="mt-1 text-slate-600 dark:text-slate-400">
              {deal.buyer && deal.target ? `${deal.buyer} acquiring ${deal.target}` : null}
              {deal.valueUsd !== null ? ` · ${formatUsd(deal.valueUsd)}` : null} · {titleCase(deal.stage)}
            </p>
          </div>
          {deal.role ? (
            <span className="rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-300">
              You are {roleLabels[deal.role].toLowerCase()}
            </span>
          ) : null}
        </div>
        <div className="max-w-xl space-y-2">
          <ProgressBar progress={deal.progress} label={`Progress of ${deal.name}`} />
          <ProgressBadges progress={deal.progress} links={itemsOf} />
        </div>
        <p className="flex flex-wrap gap-4 text-sm">
          <Link to={`/deals/${deal.id}/dashboard`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
            Dashboard
          </Link>
          <Link to={itemsOf({})} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
            All items
          </Link>
          <a href={`/deals/${deal.id}/report`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
            Status report
          </a>
          {editable ? (
            <Link to={`/deals/${deal.id}/manage`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
              Manage deal
            </Link>
          ) : null}
        </p>
        <FigureRollups figures={deal.figures} label={`Figures of ${deal.name}`} size="md" />
      </header>

      {deal.workstreams.length === 0 ? (
        <p className="text-slate-600 dark:text-slate-400">No workstreams yet.{editable ? ' Add one below to start its checklists.' : ''}</p>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-3">
        {deal.workstreams.map((workstream) => (
          <section
            key={workstream.id}
            aria-labelledby={`wsm-${workstream.id}`}
            className="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
          >
            <div className="space-y-1">
              <h2 id={`wsm-${workstream.id}`} className="font-semibold">
                {workstream.name}
              </h2>
              {workstream.kind === 'custom' || workstream.name !== WORKSTREAM_KIND_LABELS[workstream.kind as keyof typeof WORKSTREAM_KIND_LABELS] ? (
                <p className="text-xs text-slate-500">
                  {WORKSTREAM_KIND_LABELS[workstream.kind as keyof typeof WORKSTREAM_KIND_LABELS] ?? titleCase(workstream.kind)}
                </p>
              ) : null}
            </div>
            <FigureRollups figures={workstream.figures} label={`Figures of ${workstream.name}`} />
            {workstream.checklists.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">No checklists yet.</p>
            ) : (
              <ul className="space-y-5">
                {workstream.checklists.map((checklist) => (
                  <li key={checklist.id} className="space-y-2">
                    <Link to={`/checklists/${checklist.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
                      {checklist.title}
                    </Link>
                    <ProgressBar progress={checklist.progress} label={`Progress of ${checklist.title}`} />
                    <ProgressBadges progress={checklist.progress} links={(query) => itemsOf({ checklist: checklist.id, ...query })} />
                    {workstream.checklists.length > 1 ? <FigureRollups figures={checklist.figures} label={`Figures of ${checklist.title}`} /> : null}
                    {editable ? (
                      <div className="flex gap-4">
                        <Link
                          to={`/checklists/${checklist.id}/import`}
                          className={secondaryLink}
                          aria-label={`Import requests into ${checklist.title}`}
                        >
                          Import requests
                        </Link>
                        <Link
                          to={`/checklists/${checklist.id}/template`}
                          className={secondaryLink}
                          aria-label={`Save ${checklist.title} as a template`}
                        >
                          Save as template
                        </Link>
                      </div>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
            {editable ? (
              <Link
                to={`/deals/${deal.id}/checklists/new?${new URLSearchParams({ workstream: workstream.id })}`}
                className="mt-auto text-sm font-medium text-sky-700 hover:underline dark:text-sky-400"
                aria-label={`New checklist in ${workstream.name}`}
              >
                + New checklist
              </Link>
            ) : null}
          </section>
        ))}
      </div>
      {editable ? <NewWorkstreamForm /> : null}
    </div>
  );
}

function NewWorkstreamForm() {
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting' && navigation.formMethod?.toLowerCase() === 'post';
  const [kind, setKind] = useState<string>('custom');
  const formRef = useRef<HTMLFormElement>(null);
  const kindId = useId();
  const nameId = useId();
  const errors: Record<string, string | undefined> = actionData?.fieldErrors ?? {};
  useEffect(() => {
    if (actionData?.ok) {
      formRef.current?.reset();
      setKind('custom');
    }
  }, [actionData]);
  return (
    <Form
      ref={formRef}
      method="post"
      aria-labelledby="new-workstream"
      className="max-w-3xl space-y-3 rounded-lg border border-dashed border-slate-300 p-5 dark:border-slate-700"
    >
      <h2 id="new-workstream" className="font-semibold">
        Add a workstream
      </h2>
      {actionData?.formError ? <FormAlert>{actionData.formError}</FormAlert> : null}
      <div className="flex flex-wrap items-end gap-3">
        <div className="space-y-1">
          <label htmlFor={kindId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
            Kind
          </label>
          <select id={kindId} name="kind" value={kind} onChange={(event) => setKind(event.target.value)} className={fieldClass}>
            {WORKSTREAM_KINDS.map((value) => (
              <option key={value} value={value}>
                {WORKSTREAM_KIND_LABELS[value]}
              </option>
            ))}
          </select>
        </div>
        <div className="min-w-56 flex-1 space-y-1">
          <label htmlFor={nameId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
            Name
          </label>
          <input
            id={nameId}
            name="name"
            maxLength={200}
            placeholder={kind === 'custom' ? 'e.g. Tax and incentives' : WORKSTREAM_KIND_LABELS[kind as keyof typeof WORKSTREAM_KIND_LABELS]}
            className={`block w-full ${fieldClass}`}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? `${nameId}-error` : undefined}
          />
        </div>
        <button type="submit" className={buttonClass} disabled={busy}>
          {busy ? 'Adding…' : 'Add workstream'}
        </button>
      </div>
      {errors.name ? (
        <p id={`${nameId}-error`} className="text-sm text-red-600 dark:text-red-400">
          {errors.name}
        </p>
      ) : null}
    </Form>
  );
}
