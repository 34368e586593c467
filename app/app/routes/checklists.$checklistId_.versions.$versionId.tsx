/*
 * One version of a checklist, read-only: its sections and items with their fields, figures, evidence and notes,
 * as they were. Owners and editors can restore it (the history page's action).
 */
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { getChecklist, getVersion, listMembers } from '@tieout/db';
import { canEdit } from '@tieout/db/roles';
import { FIGURE_KINDS, itemNotes, readChecklist, STATUS_LABELS, stateToDoc } from '@tieout/doc-model';
import * as Y from 'yjs';
import { z } from 'zod';
import { buttonClass } from '~/components/form.tsx';
import { RISK_LABELS, STATUS_TONE } from '~/components/checklist/labels.ts';
import { formatWhen } from '~/components/history/describe.ts';
import { requireUser } from '~/utils/auth.server.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `${loaderData.label} · ${loaderData.checklist.title} · Tieout` : 'Version · Tieout' },
];

/** The notes of an item as paragraphs of plain text (headings and list items are paragraphs too). */
function notesParagraphs(doc: Y.Doc, itemId: string): string[] {
  let fragment: Y.XmlFragment;
  try {
    fragment = itemNotes(doc, itemId);
  } catch {
    return [];
  }
  const paragraphs: string[] = [];
  const stack: (Y.XmlElement | Y.XmlText)[] = [...(fragment.toArray() as (Y.XmlElement | Y.XmlText)[])].reverse();
  // Iterative, so deeply nested notes cannot exhaust the stack.
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node instanceof Y.XmlText) {
      paragraphs.push(node.toString().replace(/<[^>]+>/g, ''));
      continue;
    }
    const children = node.toArray() as (Y.XmlElement | Y.XmlText)[];
    if (children.every((child) => child instanceof Y.XmlText))
      paragraphs.push(children.map((child) => child.toString().replace(/<[^>]+>/g, '')).join(''));
    else for (let index = children.length - 1; index >= 0; index -= 1) stack.push(children[index]!);
  }
  return paragraphs.filter((text) => text.trim() !== '');
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const checklistId = z.uuid().safeParse(params.checklistId);
  const checklist = checklistId.success ? await getChecklist(context.db, session.claims, checklistId.data) : null;
  const version = checklist ? await getVersion(context.db, session.claims, checklist.id, params.versionId ?? '') : null;
  if (!checklist || !version) throw data('There is no such version of this checklist.', { status: 404, headers: session.headers });
  const members = await listMembers(context.db, session.claims, checklist.workspaceId);
  const doc = stateToDoc(version.state);
  try {
    const view = readChecklist(doc);
    const notes = Object.fromEntries(view.sections.flatMap((section) => section.items.map((item) => [item.id, notesParagraphs(doc, item.id)])));
    const { state: _state, ...summary } = version;
    return data(
      {
        checklist,
        version: summary,
        label: version.name ?? `Version of ${formatWhen(version.createdAt)}`,
        view,
        notes,
        names: Object.fromEntries(members.map((member) => [member.userId, member.displayName])),
        canEdit: canEdit(checklist.role),
      },
      { headers: { ...Object.fromEntries(session.headers), 'Cache-Control': 'private, no-store' } },
    );
  } finally {
    doc.destroy();
  }
}

export default function VersionView() {
  const { checklist, version, label, view, notes, names, canEdit: editable } = useLoaderData<typeof loader>();
  return (
    <div className="mx-auto max-w-5xl space-y-5">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to={`/deals/${checklist.deal.id}`} className="hover:underline">
          {checklist.deal.name}
        </Link>
        {' / '}
        <Link to={`/checklists/${checklist.id}`} className="hover:underline">
          {checklist.title}
        </Link>
        {' / '}
        <Link to={`/checklists/${checklist.id}/history`} className="hover:underline">
          History
        </Link>
      </nav>
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{view.title || checklist.title}</h1>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400" role="note">
            Read-only: {label}, {formatWhen(version.createdAt)}
            {version.editors.length > 0 ? ` · edited by ${version.editors.map((id) => names[id] ?? 'a former member').join(', ')}` : ''}
          </p>
        </div>
        <div className="flex items-center gap-3">
          <Link
            to={`/checklists/${checklist.id}/history?${new URLSearchParams({ from: version.id, to: 'now' })}`}
            className="text-sm font-medium text-sky-700 hover:underline dark:text-sky-400"
          >
            Compare with now
          </Link>
          {editable ? (
            <Form
              method="post"
              action={`/checklists/${checklist.id}/history`}
              onSubmit={(event) => {
                if (!window.confirm(`Restore “${label}” for everyone? The current state stays in the history.`)) event.preventDefault();
              }}
            >
              <input type="hidden" name="intent" value="restore" />
              <input type="hidden" name="versionId" value={version.id} />
              <button type="submit" className={buttonClass}>
                Restore this version
              </button>
            </Form>
          ) : null}
        </div>
      </header>
      {view.sections.length === 0 ? <p className="text-sm text-slate-500">This version has no sections.</p> : null}
      {view.sections.map((section) => (
        <section
          key={section.id}
          aria-label={section.title}
          className="rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
        >
          <h2 className="border-b border-slate-200 px-4 py-2 text-base font-semibold dark:border-slate-800">{section.title}</h2>
          {section.items.length === 0 ? <p className="px-4 py-3 text-sm text-slate-500">No items.</p> : null}
          <ul className="divide-y divide-slate-100 dark:divide-slate-800">
            {section.items.map((item) => (
              <li key={item.id} aria-label={item.title} className="space-y-1 px-4 py-3 text-sm">
                <div className="flex flex-wrap items-center gap-2">
                  <span className={`rounded-md border px-2 py-0.5 text-xs font-medium ${STATUS_TONE[item.status]}`}>
                    {STATUS_LABELS[item.status]}
                  </span>
                  <span className="font-medium">{item.title}</span>
                  {item.reference ? <span className="text-xs text-slate-500">{item.reference}</span> : null}
                </div>
                <p className="text-xs text-slate-600 dark:text-slate-400">
                  Owner: {item.ownerId ? (names[item.ownerId] ?? 'a former member') : 'none'} · Due: {item.dueDate ?? 'none'} · Risk:{' '}
                  {item.risk ? RISK_LABELS[item.risk] : 'none'}
                </p>
                {item.figures.length > 0 ? (
                  <p className="text-xs">
                    Figures: {item.figures.map((figure) => `${figure.label} ${figure.value ?? '—'} ${FIGURE_KINDS[figure.kind].unit}`).join(' · ')}
                  </p>
                ) : null}
                {item.evidence.length > 0 ? (
                  <p className="text-xs">
                    Evidence:{' '}
                    {item.evidence.map((entry, index) => (
                      <span key={entry.id}>
                        {index > 0 ? ' · ' : ''}
                        <a href={entry.url} rel="noreferrer noopener" target="_blank" className="text-sky-700 hover:underline dark:text-sky-400">
                          {entry.label || entry.url}
                        </a>
                      </span>
                    ))}
                  </p>
                ) : null}
                {notes[item.id]?.length ? (
                  <div
                    aria-label={`Notes of ${item.title}`}
                    className="rounded border border-slate-100 bg-slate-50 px-3 py-2 text-slate-700 dark:border-slate-800 dark:bg-slate-950 dark:text-slate-300"
                  >
                    {notes[item.id]!.map((paragraph, index) => (
                      <p key={index}>{paragraph}</p>
                    ))}
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
