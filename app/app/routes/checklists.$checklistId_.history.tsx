/*
 * The history of a checklist: its versions (automatic, named, restores), naming a version, comparing any two versions
 * (or a version and now) item by item, restoring a whole version or one item, and the activity feed.
 * Accessible names: textbox "Version name" + button "Save version"; table "Versions" (one row per version, buttons
 * "Restore <version label>", links "Open <version label>", "Compare <version label> with now"); form "Compare versions"
 * (comboboxes "From" and "To", button "Compare"); region "Changes" (one article per item, buttons "Restore <item title>");
 * region "Activity" with form "Filter activity" (combobox "Person", combobox "Field", date inputs "From date", "To date").
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { createNamedVersion, getChecklist, listMembers, listVersions, type VersionSummary } from '@tieout/db';
import { canEdit } from '@tieout/db/roles';
import type { ChecklistDiff, ItemDiff } from '@tieout/doc-model';
import { z } from 'zod';
import { ChecklistSubpage } from '~/components/checklist-subpage.tsx';
import { buttonClass, fieldClass, FormAlert } from '~/components/form.tsx';
import { ActivityFeed } from '~/components/history/activity-feed.tsx';
import { FIELD_LABELS, formatWhen, showValue, timeAgo } from '~/components/history/describe.ts';
import { loadActivity } from '~/models/activity.server.ts';
import { diffVersions, restoreVersion } from '~/models/history.server.ts';
import { attempt } from '~/models/tenancy.server.ts';
import { requireUser } from '~/utils/auth.server.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `History · ${loaderData.checklist.title} · Tieout` : 'History · Tieout' },
];

async function loadChecklist(request: Request, context: LoaderFunctionArgs['context'], checklistIdParam: string | undefined) {
  const session = await requireUser(request, context);
  const checklistId = z.uuid().safeParse(checklistIdParam);
  const checklist = checklistId.success ? await getChecklist(context.db, session.claims, checklistId.data) : null;
  if (!checklist) throw data('This checklist does not exist or you do not have access to it.', { status: 404, headers: session.headers });
  return { session, checklist };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { session, checklist } = await loadChecklist(request, context, params.checklistId);
  const url = new URL(request.url);
  const [members, versions, activity] = await Promise.all([
    listMembers(context.db, session.claims, checklist.workspaceId),
    listVersions(context.db, session.claims, checklist.id),
    loadActivity(context.db, session.claims, { checklistId: checklist.id }, url),
  ]);
  const from = url.searchParams.get('from');
  const to = url.searchParams.get('to');
  let diff: ChecklistDiff | null = null;
  let diffError: string | null = null;
  if (from && to) {
    const compared = await attempt(() => diffVersions(context.db, session.claims, checklist.id, from, to));
    if (compared.ok) diff = compared.value;
    else diffError = compared.message;
  }
  return data(
    {
      checklist,
      canEdit: canEdit(checklist.role),
      members: members.map(({ userId, displayName }) => ({ id: userId, name: displayName })),
      versions,
      compare: from && to ? { from, to } : null,
      diff,
      diffError,
      activity,
    },
    { headers: { ...Object.fromEntries(session.headers), 'Cache-Control': 'private, no-store' } },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { session, checklist } = await loadChecklist(request, context, params.checklistId);
  const form = await request.formData();
  const intent = form.get('intent');
  const reply = (body: { intent: string; error: string | null; done: string | null }, status = 200) =>
    data(body, { status, headers: session.headers });
  if (intent === 'name') {
    const version = await attempt(() => createNamedVersion(context.db, session.claims, checklist.id, form.get('name')));
    if (!version.ok) return reply({ intent, error: version.message, done: null }, version.status);
    return reply({ intent, error: null, done: `Saved the version “${version.value.name}”.` });
  }
  if (intent === 'restore') {
    const versionId = String(form.get('versionId') ?? '');
    const itemId = String(form.get('itemId') ?? '') || null;
    const restored = await attempt(() =>
      restoreVersion({
        db: context.db,
        claims: session.claims,
        accessToken: session.accessToken,
        collabBaseUrl: context.config.collabUrl ?? `ws://127.0.0.1:${context.config.port}`,
        checklistId: checklist.id,
        versionId,
        itemId,
      }),
    );
    if (!restored.ok) return reply({ intent, error: restored.message, done: null }, restored.status);
    return reply({
      intent,
      error: null,
      done: itemId ? 'Restored the item. Everyone editing sees it now.' : 'Restored the version. Everyone editing sees it now.',
    });
  }
  return reply({ intent: String(intent), error: 'Unknown action.', done: null }, 400);
}

const KIND_LABELS: Record<VersionSummary['kind'], string> = { auto: 'Automatic', named: 'Named', restore: 'Restore' };

function versionLabel(version: Pick<VersionSummary, 'name' | 'kind' | 'createdAt'>): string {
  return version.name ?? `${KIND_LABELS[version.kind]} version of ${formatWhen(version.createdAt)}`;
}

const kib = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`);

export default function ChecklistHistory() {
  const { checklist, canEdit: editable, members, versions, compare, diff, diffError, activity } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const [params] = useSearchParams();
  const names = new Map(members.map((member) => [member.id, member.name]));
  const labelOf = (ref: string) =>
    ref === 'now' ? 'now' : versionLabel(versions.find((version) => version.id === ref) ?? { name: null, kind: 'auto', createdAt: '' });
  const restorable = compare && compare.to === 'now' && compare.from !== 'now' && editable ? compare.from : null;

  return (
    <ChecklistSubpage checklist={checklist} title="History">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        A version is kept after each burst of editing settles, at least every hour of editing, when you name one, and on every restore.{' '}
        <Link to={`/deals/${checklist.deal.id}/activity`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
          Activity of the whole deal
        </Link>
      </p>
      {actionData?.error ? <FormAlert>{actionData.error}</FormAlert> : null}
      {actionData?.done ? (
        <p
          role="status"
          className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
        >
          {actionData.done}
        </p>
      ) : null}

      {editable ? (
        <Form method="post" className="flex max-w-xl items-end gap-2" aria-label="Name this version">
          <input type="hidden" name="intent" value="name" />
          <label className="block flex-1 text-sm font-medium text-slate-700 dark:text-slate-200">
            Name the checklist as it is now
            <input
              name="name"
              aria-label="Version name"
              placeholder="Sent to IC, 3 March"
              maxLength={10_000}
              className={`mt-1 block w-full ${fieldClass}`}
              aria-invalid={actionData?.intent === 'name' && actionData.error ? true : undefined}
            />
          </label>
          <button type="submit" disabled={busy} className={buttonClass}>
            Save version
          </button>
        </Form>
      ) : null}

      <section aria-labelledby="versions-heading" className="space-y-3">
        <h2 id="versions-heading" className="text-lg font-semibold">
          Versions
        </h2>
        {versions.length === 0 ? (
          <p className="text-sm text-slate-500">No versions yet: the first is kept a few minutes after the first edits.</p>
        ) : (
          <>
            <Form method="get" aria-label="Compare versions" className="flex flex-wrap items-end gap-2 text-sm">
              <label>
                From
                <select
                  name="from"
                  aria-label="From"
                  defaultValue={compare?.from ?? versions[1]?.id ?? versions[0]!.id}
                  className={`ml-1 ${fieldClass}`}
                >
                  {versions.map((version) => (
                    <option key={version.id} value={version.id}>
                      {versionLabel(version)}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                To
                <select name="to" aria-label="To" defaultValue={compare?.to ?? 'now'} className={`ml-1 ${fieldClass}`}>
                  <option value="now">Now</option>
                  {versions.map((version) => (
                    <option key={version.id} value={version.id}>
                      {versionLabel(version)}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit" className={buttonClass}>
                Compare
              </button>
            </Form>
            <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
              <table aria-label="Versions" className="w-full text-left text-sm">
                <thead className="bg-slate-100 text-xs uppercase text-slate-600 dark:bg-slate-900 dark:text-slate-400">
                  <tr>
                    <th className="px-3 py-2">Version</th>
                    <th className="px-3 py-2">When</th>
                    <th className="px-3 py-2">Edited by</th>
                    <th className="px-3 py-2">Size</th>
                    <th className="px-3 py-2">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {versions.map((version) => {
                    const label = versionLabel(version);
                    return (
                      <tr key={version.id} className="border-t border-slate-200 dark:border-slate-800">
                        <td className="px-3 py-2">
                          <span className="mr-2 rounded border border-slate-300 px-1.5 py-0.5 text-xs text-slate-600 dark:border-slate-700 dark:text-slate-300">
                            {KIND_LABELS[version.kind]}
                          </span>
                          <span className="font-medium">{version.name ?? formatWhen(version.createdAt)}</span>
                          {version.kind === 'restore' && version.restoredFrom ? (
                            <span className="block text-xs text-slate-500">
                              {version.restoredItemId ? 'one item restored from ' : 'restored from '}
                              {labelOf(version.restoredFrom)}
                              {version.createdByName ? ` by ${version.createdByName}` : ''}
                            </span>
                          ) : version.kind === 'named' && version.createdByName ? (
                            <span className="block text-xs text-slate-500">named by {version.createdByName}</span>
                          ) : null}
                        </td>
                        <td className="px-3 py-2 whitespace-nowrap" title={formatWhen(version.createdAt)}>
                          {timeAgo(version.createdAt)}
                        </td>
                        <td className="px-3 py-2">
                          {version.editors.length === 0 ? '—' : version.editors.map((id) => names.get(id) ?? 'a former member').join(', ')}
                        </td>
                        <td className="px-3 py-2 tabular-nums">{kib(version.bytes)}</td>
                        <td className="px-3 py-2">
                          <div className="flex flex-wrap justify-end gap-3 text-sm">
                            <Link
                              to={`/checklists/${checklist.id}/versions/${version.id}`}
                              aria-label={`Open ${label}`}
                              className="font-medium text-sky-700 hover:underline dark:text-sky-400"
                            >
                              Open
                            </Link>
                            <Link
                              to={`?${new URLSearchParams({ from: version.id, to: 'now' })}`}
                              aria-label={`Compare ${label} with now`}
                              className="font-medium text-sky-700 hover:underline dark:text-sky-400"
                            >
                              Compare with now
                            </Link>
                            {editable ? (
                              <Form
                                method="post"
                                onSubmit={(event) => {
                                  if (!window.confirm(`Restore “${label}” for everyone? The current state stays in the history.`))
                                    event.preventDefault();
                                }}
                              >
                                <input type="hidden" name="intent" value="restore" />
                                <input type="hidden" name="versionId" value={version.id} />
                                <button
                                  type="submit"
                                  disabled={busy}
                                  aria-label={`Restore ${label}`}
                                  className="font-medium text-amber-800 hover:underline disabled:opacity-50 dark:text-amber-300"
                                >
                                  Restore
                                </button>
                              </Form>
                            ) : null}
                          </div>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>

      {compare ? (
        <section aria-label="Changes" className="space-y-3">
          <h2 className="text-lg font-semibold">
            Changes from {labelOf(compare.from)} to {labelOf(compare.to)}
          </h2>
          {diffError ? <FormAlert>{diffError}</FormAlert> : null}
          {diff ? <DiffView diff={diff} names={names} restorableFrom={restorable} busy={busy} /> : null}
        </section>
      ) : null}

      <ActivityFeed
        entries={activity.entries}
        query={activity.query}
        error={activity.error}
        members={members}
        names={names}
        keep={{ from: params.get('from') ?? '', to: params.get('to') ?? '' }}
      />
    </ChecklistSubpage>
  );
}

const CHANGE_TONE: Record<ItemDiff['change'], string> = {
  added: 'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
  removed: 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200',
  changed: 'border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-200',
};
const CHANGE_LABELS: Record<ItemDiff['change'], string> = { added: 'Added', removed: 'Removed', changed: 'Changed' };

function DiffView({
  diff,
  names,
  restorableFrom,
  busy,
}: {
  diff: ChecklistDiff;
  names: Map<string, string>;
  restorableFrom: string | null;
  busy: boolean;
}) {
  const nothing =
    diff.items.length === 0 && !diff.title && diff.sections.added.length + diff.sections.removed.length + diff.sections.renamed.length === 0;
  if (nothing) return <p className="text-sm text-slate-500">No differences: {diff.unchanged} items are the same.</p>;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {diff.items.filter((item) => item.change === 'added').length} added · {diff.items.filter((item) => item.change === 'removed').length} removed
        · {diff.items.filter((item) => item.change === 'changed').length} changed · {diff.unchanged} unchanged
      </p>
      {diff.title ? (
        <p className="text-sm">
          Checklist renamed from <del className="text-red-700">{diff.title.old}</del> to <ins className="text-emerald-700">{diff.title.new}</ins>
        </p>
      ) : null}
      {diff.sections.added.map((section) => (
        <p key={`a${section.id}`} className="text-sm">
          Section added: <ins className="text-emerald-700">{section.title}</ins>
        </p>
      ))}
      {diff.sections.removed.map((section) => (
        <p key={`r${section.id}`} className="text-sm">
          Section removed: <del className="text-red-700">{section.title}</del>
        </p>
      ))}
      {diff.sections.renamed.map((section) => (
        <p key={`n${section.id}`} className="text-sm">
          Section renamed from <del className="text-red-700">{section.old}</del> to <ins className="text-emerald-700">{section.new}</ins>
        </p>
      ))}
      {diff.items.map((item) => (
        <article
          key={item.itemId}
          aria-label={item.title}
          className="rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-sm dark:border-slate-800 dark:bg-slate-900"
        >
          <header className="flex flex-wrap items-center justify-between gap-2">
            <div className="flex items-center gap-2">
              <span className={`rounded border px-1.5 py-0.5 text-xs font-medium ${CHANGE_TONE[item.change]}`}>{CHANGE_LABELS[item.change]}</span>
              <span className="font-medium">{item.title}</span>
              <span className="text-xs text-slate-500">in {item.section.title}</span>
            </div>
            {restorableFrom && item.change !== 'added' ? (
              <Form method="post">
                <input type="hidden" name="intent" value="restore" />
                <input type="hidden" name="versionId" value={restorableFrom} />
                <input type="hidden" name="itemId" value={item.itemId} />
                <button
                  type="submit"
                  disabled={busy}
                  aria-label={`Restore ${item.title}`}
                  className="text-xs font-medium text-amber-800 hover:underline disabled:opacity-50 dark:text-amber-300"
                >
                  Restore this item
                </button>
              </Form>
            ) : null}
          </header>
          <ul className="mt-2 space-y-1">
            {item.moved ? (
              <li>
                {item.moved.betweenSections ? (
                  <>
                    Moved from <del className="text-red-700">{item.moved.from.title}</del> to{' '}
                    <ins className="text-emerald-700">{item.moved.to.title}</ins>
                  </>
                ) : (
                  'Moved within its section'
                )}
              </li>
            ) : null}
            {item.fields.map((field) => (
              <li key={field.field}>
                {FIELD_LABELS[field.field] ?? field.field}: <del className="text-red-700">{showValue(field.field, field.old, names)}</del> →{' '}
                <ins className="text-emerald-700">{showValue(field.field, field.new, names)}</ins>
              </li>
            ))}
            {item.figures.map((figure, index) => (
              <li key={`f${index}`}>
                Figure {figure.change}: {figure.old ? <del className="text-red-700">{showValue('figure', figure.old, names)}</del> : null}
                {figure.old && figure.new ? ' → ' : null}
                {figure.new ? <ins className="text-emerald-700">{showValue('figure', figure.new, names)}</ins> : null}
              </li>
            ))}
            {item.evidence.map((evidence, index) => (
              <li key={`e${index}`}>
                Evidence {evidence.change}: {evidence.old ? <del className="text-red-700">{showValue('evidence', evidence.old, names)}</del> : null}
                {evidence.old && evidence.new ? ' → ' : null}
                {evidence.new ? <ins className="text-emerald-700">{showValue('evidence', evidence.new, names)}</ins> : null}
              </li>
            ))}
            {item.notes ? (
              <li>
                Notes:{' '}
                <span aria-label={`Notes changes of ${item.title}`} className="whitespace-pre-wrap">
                  {item.notes.map((part, index) =>
                    part.type === 'insert' ? (
                      <ins key={index} className="bg-emerald-100 text-emerald-900 no-underline dark:bg-emerald-900 dark:text-emerald-100">
                        {part.text}
                      </ins>
                    ) : part.type === 'delete' ? (
                      <del key={index} className="bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100">
                        {part.text}
                      </del>
                    ) : (
                      <span key={index}>{part.text}</span>
                    ),
                  )}
                </span>
              </li>
            ) : null}
          </ul>
        </article>
      ))}
    </div>
  );
}
