/*
 * Manage a deal: its stage (owners and editors), and renaming, archiving and deleting the deal, its workstreams and
 * their checklists (owners). The database decides (decision 153); refusals come back next to the form used.
 * Deleting asks first, in a dialog that names what is lost.
 * Accessible names: combobox "Stage" + button "Change stage"; textbox "Name of the deal" + button "Rename deal";
 * buttons "Archive deal", "Delete deal"; per workstream region "<name>": textbox "Name of workstream <name>",
 * buttons "Rename workstream <name>", "Archive workstream <name>", "Delete workstream <name>"; per checklist the same
 * with "checklist <title>". The dialog: heading "Delete <kind> “<name>”?", button "Delete permanently".
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from '@remix-run/react';
import { deleteStructure, deletionImpact, describeDeletion, getDeal, renameStructure, setDealStage, setStructureArchived } from '@tieout/db';
import { canEdit, isOwner } from '@tieout/db/roles';
import { DEAL_STAGE_LABELS, DEAL_STAGES, isDealStage, type StructureKind } from '@tieout/db/structure-kinds';
import { z } from 'zod';
import { ConfirmProvider, useConfirm } from '~/components/confirm-dialog.tsx';
import { FormAlert, FormNotice, fieldClass } from '~/components/form.tsx';
import { requestToday } from '~/models/dashboard.server.ts';
import { parseStructureIntent } from '~/models/structure-forms.ts';
import { attempt } from '~/models/tenancy.server.ts';
import { requireUser } from '~/utils/auth.server.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `Manage ${loaderData.deal.name} · Tieout` : 'Manage deal · Tieout' },
];

const NOT_FOUND = 'This deal does not exist or you do not have access to it.';

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const dealId = z.uuid().safeParse(params.dealId);
  const deal = dealId.success ? await getDeal(context.db, session.claims, dealId.data, requestToday()) : null;
  if (!deal) throw data(NOT_FOUND, { status: 404, headers: session.headers });
  // What deleting each one takes with it (the confirmation names it). The deal's and workstreams' counts come from the
  // database: they include archived workstreams and checklists, which this page does not list but a delete removes.
  const deletions: Record<string, string> = {};
  for (const ref of [
    { kind: 'deal' as const, id: deal.id },
    ...deal.workstreams.map((workstream) => ({ kind: 'workstream' as const, id: workstream.id })),
  ]) {
    deletions[ref.id] = describeDeletion(await deletionImpact(context.db, session.claims, ref));
  }
  for (const checklist of deal.workstreams.flatMap((workstream) => workstream.checklists)) {
    deletions[checklist.id] = describeDeletion({
      kind: 'checklist',
      id: checklist.id,
      name: checklist.title,
      workstreams: 0,
      checklists: 1,
      items: checklist.progress.total,
    });
  }
  return data({ deal, deletions, owner: isOwner(deal.role), editor: canEdit(deal.role) }, { headers: session.headers });
}

type ActionResult = { ok: true; notice: string; target: string } | { ok: false; formError: string; target: string };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const session = await requireUser(request, context);
  const dealId = z.uuid().safeParse(params.dealId);
  if (!dealId.success) throw data(NOT_FOUND, { status: 404, headers: session.headers });
  const form = await request.formData();
  const target = `${String(form.get('kind') ?? 'deal')}:${String(form.get('id') ?? dealId.data)}`;
  const parsed = parseStructureIntent(form);
  if (!parsed.ok) return data<ActionResult>({ ok: false, formError: parsed.message, target }, { status: 400, headers: session.headers });
  const intent = parsed.value;
  const { db } = context;
  const claims = session.claims;
  const deal = await getDeal(db, claims, dealId.data);
  if (!deal) throw data(NOT_FOUND, { status: 404, headers: session.headers });
  const fail = (result: { message: string; status: number }) =>
    data<ActionResult>({ ok: false, formError: result.message, target }, { status: result.status, headers: session.headers });

  if (intent.intent === 'stage') {
    const done = await attempt(() => setDealStage(db, claims, { dealId: deal.id, stage: intent.stage }));
    if (!done.ok) return fail(done);
    return data<ActionResult>(
      { ok: true, notice: `The deal is now in ${DEAL_STAGE_LABELS[intent.stage]}.`, target: `deal:${deal.id}` },
      { headers: session.headers },
    );
  }
  // Only this deal, its workstreams and their checklists are managed here.
  const ids = new Set([
    deal.id,
    ...deal.workstreams.flatMap((workstream) => [workstream.id, ...workstream.checklists.map((checklist) => checklist.id)]),
  ]);
  if (!ids.has(intent.id) || (intent.kind === 'deal') !== (intent.id === deal.id)) {
    return data<ActionResult>(
      { ok: false, formError: `This ${intent.kind} is not part of this deal (or it is archived): reload the page.`, target },
      { status: 404, headers: session.headers },
    );
  }
  const ref = { kind: intent.kind, id: intent.id };
  switch (intent.intent) {
    case 'rename': {
      const done = await attempt(() => renameStructure(db, claims, { ...ref, name: intent.name }));
      if (!done.ok) return fail(done);
      return data<ActionResult>({ ok: true, notice: `Renamed the ${intent.kind} to “${done.value.name}”.`, target }, { headers: session.headers });
    }
    case 'archive':
    case 'unarchive': {
      const archived = intent.intent === 'archive';
      const done = await attempt(() => setStructureArchived(db, claims, { ...ref, archived }));
      if (!done.ok) return fail(done);
      if (archived && intent.kind === 'deal')
        throw redirect(`/workspaces/${deal.workspace.id}/archived?archived=${deal.id}`, { headers: session.headers });
      return data<ActionResult>(
        {
          ok: true,
          notice: archived
            ? `Archived the ${intent.kind} “${done.value.name}”. It is in the workspace’s Archived view.`
            : `Unarchived “${done.value.name}”.`,
          target,
        },
        { headers: session.headers },
      );
    }
    case 'delete': {
      const done = await attempt(() => deleteStructure(db, claims, ref));
      if (!done.ok) return fail(done);
      if (intent.kind === 'deal') throw redirect('/', { headers: session.headers });
      return data<ActionResult>({ ok: true, notice: `Deleted the ${intent.kind} “${done.value.name}”.`, target }, { headers: session.headers });
    }
  }
}

const dangerButton =
  'rounded-md border border-red-300 px-3 py-2 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-60 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950';
const secondaryButton =
  'rounded-md border border-slate-300 px-3 py-2 text-sm font-medium hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800';

export default function ManageDealPage() {
  return (
    <ConfirmProvider>
      <ManageDeal />
    </ConfirmProvider>
  );
}

function ManageDeal() {
  const { deal, owner, editor } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="max-w-3xl space-y-8">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to="/" className="hover:underline">
          {deal.workspace.name}
        </Link>{' '}
        /{' '}
        <Link to={`/deals/${deal.id}`} className="hover:underline">
          {deal.name}
        </Link>
      </nav>
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Manage {deal.name}</h1>
        {!owner ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Only owners of this workspace rename, archive or delete deals, workstreams and checklists.
            {editor ? ' As an editor you can change the deal’s stage.' : ' Ask an owner if something needs changing.'}
          </p>
        ) : (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Archived ones are hidden from lists, dashboards and search but kept: unarchive them from the workspace’s{' '}
            <Link to={`/workspaces/${deal.workspace.id}/archived`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
              Archived
            </Link>{' '}
            view. Deleting is permanent.
          </p>
        )}
      </header>
      {result?.ok ? <FormNotice>{result.notice}</FormNotice> : null}

      <section
        aria-labelledby="manage-deal"
        className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 id="manage-deal" className="font-semibold">
          Deal
        </h2>
        <FormError target={`deal:${deal.id}`} />
        <StageForm stage={deal.stage} editable={editor} />
        {owner ? (
          <Controls kind="deal" id={deal.id} name={deal.name} label="the deal" actionLabel="deal" archived={deal.archivedAt !== null} />
        ) : null}
      </section>

      {deal.workstreams.map((workstream) => (
        <section
          key={workstream.id}
          aria-labelledby={`manage-ws-${workstream.id}`}
          className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
        >
          <h2 id={`manage-ws-${workstream.id}`} className="font-semibold">
            {workstream.name}
          </h2>
          <FormError target={`workstream:${workstream.id}`} />
          {owner ? (
            <Controls
              kind="workstream"
              id={workstream.id}
              name={workstream.name}
              label={`workstream ${workstream.name}`}
              actionLabel={`workstream ${workstream.name}`}
            />
          ) : null}
          {workstream.checklists.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">No checklists.</p> : null}
          <ul className="space-y-4">
            {workstream.checklists.map((checklist) => (
              <li key={checklist.id} className="space-y-2 border-t border-slate-100 pt-3 dark:border-slate-800">
                <Link to={`/checklists/${checklist.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
                  {checklist.title}
                </Link>
                <FormError target={`checklist:${checklist.id}`} />
                {owner ? (
                  <Controls
                    kind="checklist"
                    id={checklist.id}
                    name={checklist.title}
                    label={`checklist ${checklist.title}`}
                    actionLabel={`checklist ${checklist.title}`}
                  />
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function FormError({ target }: { target: string }) {
  const result = useActionData<typeof action>();
  return result && !result.ok && result.target === target ? <FormAlert>{result.formError}</FormAlert> : null;
}

function StageForm({ stage, editable }: { stage: string; editable: boolean }) {
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'stage';
  return (
    <Form method="post" className="flex flex-wrap items-end gap-3">
      <label className="space-y-1 text-sm font-medium text-slate-700 dark:text-slate-200">
        <span className="block">Stage</span>
        <select name="stage" defaultValue={isDealStage(stage) ? stage : 'diligence'} disabled={!editable} className={fieldClass} key={stage}>
          {DEAL_STAGES.map((value) => (
            <option key={value} value={value}>
              {DEAL_STAGE_LABELS[value]}
            </option>
          ))}
        </select>
      </label>
      {editable ? (
        <button type="submit" name="intent" value="stage" className={secondaryButton} disabled={busy}>
          {busy ? 'Changing…' : 'Change stage'}
        </button>
      ) : null}
    </Form>
  );
}

/** Rename, archive and delete one deal, workstream or checklist (owners only: the page shows it to them alone). */
function Controls({
  kind,
  id,
  name,
  label,
  actionLabel,
  archived = false,
}: {
  kind: StructureKind;
  id: string;
  name: string;
  label: string;
  actionLabel: string;
  /** An archived deal (its page opens from the Archived view) offers Unarchive instead. */
  archived?: boolean;
}) {
  const { deletions } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const confirm = useConfirm();
  const busy = navigation.state === 'submitting' && navigation.formData?.get('id') === id;
  const remove = async () => {
    const ok = await confirm({
      title: `Delete ${kind} “${name}”?`,
      message: deletions[id] ?? `Deleting “${name}” cannot be undone.`,
      confirmLabel: 'Delete permanently',
    });
    if (ok) submit({ intent: 'delete', kind, id, confirmed: 'yes' }, { method: 'post' });
  };
  return (
    <div className="flex flex-wrap items-end gap-3">
      <Form method="post" className="flex min-w-64 flex-1 flex-wrap items-end gap-2" key={name}>
        <input type="hidden" name="kind" value={kind} />
        <input type="hidden" name="id" value={id} />
        <label className="min-w-48 flex-1 space-y-1 text-sm font-medium text-slate-700 dark:text-slate-200">
          <span className="block">Name</span>
          <input name="name" defaultValue={name} required maxLength={200} aria-label={`Name of ${label}`} className={`block w-full ${fieldClass}`} />
        </label>
        <button type="submit" name="intent" value="rename" className={secondaryButton} disabled={busy} aria-label={`Rename ${actionLabel}`}>
          Rename
        </button>
      </Form>
      <Form method="post">
        <input type="hidden" name="kind" value={kind} />
        <input type="hidden" name="id" value={id} />
        {archived ? (
          <button type="submit" name="intent" value="unarchive" className={secondaryButton} disabled={busy} aria-label={`Unarchive ${actionLabel}`}>
            Unarchive
          </button>
        ) : (
          <button type="submit" name="intent" value="archive" className={secondaryButton} disabled={busy} aria-label={`Archive ${actionLabel}`}>
            Archive
          </button>
        )}
      </Form>
      <button type="button" className={dangerButton} disabled={busy} onClick={() => void remove()} aria-label={`Delete ${actionLabel}`}>
        Delete…
      </button>
    </div>
  );
}
