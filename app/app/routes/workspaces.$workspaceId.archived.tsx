/*
 * A workspace's Archived view: the deals, workstreams and checklists its owners archived (hidden from lists,
 * dashboards and search, kept with everything in them; decision 153). Members see them and open them; owners
 * unarchive or delete them (deleting asks first, naming what is lost).
 * Accessible names: table "Archived", per row link "<name>", buttons "Unarchive <kind> <name>", "Delete <kind> <name>".
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from '@remix-run/react';
import { deleteStructure, deletionImpact, describeDeletion, listArchived, setStructureArchived } from '@tieout/db';
import type { StructureKind } from '@tieout/db/structure-kinds';
import { z } from 'zod';
import { ConfirmProvider, useConfirm } from '~/components/confirm-dialog.tsx';
import { FormAlert, FormNotice } from '~/components/form.tsx';
import { parseStructureIntent } from '~/models/structure-forms.ts';
import { attempt } from '~/models/tenancy.server.ts';
import { requireUser } from '~/utils/auth.server.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `Archived · ${loaderData.workspaceName} · Tieout` : 'Archived · Tieout' },
];

const NOT_FOUND = 'This workspace does not exist or you are not a member of it.';

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const workspaceId = z.uuid().safeParse(params.workspaceId);
  if (!workspaceId.success) throw data(NOT_FOUND, { status: 404, headers: session.headers });
  const loaded = await attempt(async () => {
    const archived = await listArchived(context.db, session.claims, workspaceId.data);
    const owner = archived.role === 'owner';
    // What deleting each one takes with it, for owners (the only ones offered to delete).
    const deletions: Record<string, string> = {};
    if (owner) {
      for (const entry of archived.entries) {
        deletions[entry.id] = describeDeletion(await deletionImpact(context.db, session.claims, { kind: entry.kind, id: entry.id }));
      }
    }
    return data(
      { workspaceId: workspaceId.data, workspaceName: archived.workspaceName, entries: archived.entries, owner, deletions },
      { headers: session.headers },
    );
  });
  if (loaded.ok) return loaded.value;
  throw data(loaded.code === 'not_found' ? NOT_FOUND : loaded.message, { status: loaded.status, headers: session.headers });
}

type ActionResult = { ok: true; notice: string } | { ok: false; formError: string };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const session = await requireUser(request, context);
  const workspaceId = z.uuid().safeParse(params.workspaceId);
  if (!workspaceId.success) throw data(NOT_FOUND, { status: 404, headers: session.headers });
  const parsed = parseStructureIntent(await request.formData());
  if (!parsed.ok) return data<ActionResult>({ ok: false, formError: parsed.message }, { status: 400, headers: session.headers });
  const intent = parsed.value;
  if (intent.intent !== 'unarchive' && intent.intent !== 'delete') {
    return data<ActionResult>(
      { ok: false, formError: 'Here you can unarchive or delete: rename on the deal’s Manage page.' },
      { status: 400, headers: session.headers },
    );
  }
  const listed = await attempt(() => listArchived(context.db, session.claims, workspaceId.data));
  if (!listed.ok) throw data(listed.code === 'not_found' ? NOT_FOUND : listed.message, { status: listed.status, headers: session.headers });
  if (!listed.value.entries.some((entry) => entry.kind === intent.kind && entry.id === intent.id)) {
    return data<ActionResult>(
      { ok: false, formError: `This ${intent.kind} is not archived in this workspace (any more): reload the page.` },
      { status: 404, headers: session.headers },
    );
  }
  const ref = { kind: intent.kind, id: intent.id };
  const done =
    intent.intent === 'unarchive'
      ? await attempt(() => setStructureArchived(context.db, session.claims, { ...ref, archived: false }))
      : await attempt(() => deleteStructure(context.db, session.claims, ref));
  if (!done.ok) return data<ActionResult>({ ok: false, formError: done.message }, { status: done.status, headers: session.headers });
  const notice =
    intent.intent === 'unarchive' ? `Unarchived the ${intent.kind} “${done.value.name}”.` : `Deleted the ${intent.kind} “${done.value.name}”.`;
  return data<ActionResult>({ ok: true, notice }, { headers: session.headers });
}

const rowButton =
  'rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800';
const dangerButton =
  'rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-60 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950';

const hrefOf = (kind: StructureKind, id: string, dealId: string | undefined) =>
  kind === 'deal' ? `/deals/${id}` : kind === 'checklist' ? `/checklists/${id}` : `/deals/${dealId}`;

export default function ArchivedPage() {
  return (
    <ConfirmProvider>
      <Archived />
    </ConfirmProvider>
  );
}

function Archived() {
  const { workspaceName, entries, owner, deletions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const confirm = useConfirm();
  const busyId = navigation.state === 'submitting' ? navigation.formData?.get('id') : null;
  const remove = async (kind: StructureKind, id: string, name: string) => {
    const ok = await confirm({
      title: `Delete ${kind} “${name}”?`,
      message: deletions[id] ?? `Deleting “${name}” cannot be undone.`,
      confirmLabel: 'Delete permanently',
    });
    if (ok) submit({ intent: 'delete', kind, id, confirmed: 'yes' }, { method: 'post' });
  };
  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to="/" className="hover:underline">
          {workspaceName}
        </Link>
      </nav>
      <header className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Archived</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Hidden from lists, dashboards and search, and kept with everything in them.
          {owner ? ' Unarchive one to bring it back.' : ' Owners of the workspace can unarchive them.'}
        </p>
      </header>
      {result?.ok ? <FormNotice>{result.notice}</FormNotice> : null}
      {result && !result.ok ? <FormAlert>{result.formError}</FormAlert> : null}
      {entries.length === 0 ? (
        <p className="text-slate-600 dark:text-slate-400">Nothing is archived in this workspace.</p>
      ) : (
        <table aria-label="Archived" className="w-full text-left text-sm">
          <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800">
            <tr>
              <th className="py-2 pr-3 font-medium">Name</th>
              <th className="py-2 pr-3 font-medium">Kind</th>
              <th className="py-2 pr-3 font-medium">In</th>
              <th className="py-2 pr-3 font-medium">Archived</th>
              {owner ? <th className="py-2 font-medium">Actions</th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {entries.map((entry) => (
              <tr key={`${entry.kind}:${entry.id}`}>
                <td className="py-2 pr-3">
                  <Link to={hrefOf(entry.kind, entry.id, entry.deal?.id)} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
                    {entry.name}
                  </Link>
                </td>
                <td className="py-2 pr-3 capitalize">{entry.kind}</td>
                <td className="py-2 pr-3 text-slate-600 dark:text-slate-400">
                  {[entry.deal?.name, entry.workstream?.name].filter(Boolean).join(' · ') || '—'}
                </td>
                <td className="py-2 pr-3 text-slate-600 dark:text-slate-400">
                  <time dateTime={entry.archivedAt}>{entry.archivedAt.slice(0, 10)}</time>
                </td>
                {owner ? (
                  <td className="py-2">
                    <div className="flex flex-wrap gap-2">
                      <Form method="post">
                        <input type="hidden" name="kind" value={entry.kind} />
                        <input type="hidden" name="id" value={entry.id} />
                        <button
                          type="submit"
                          name="intent"
                          value="unarchive"
                          className={rowButton}
                          disabled={busyId === entry.id}
                          aria-label={`Unarchive ${entry.kind} ${entry.name}`}
                        >
                          Unarchive
                        </button>
                      </Form>
                      <button
                        type="button"
                        className={dangerButton}
                        disabled={busyId === entry.id}
                        onClick={() => void remove(entry.kind, entry.id, entry.name)}
                        aria-label={`Delete ${entry.kind} ${entry.name}`}
                      >
                        Delete…
                      </button>
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
