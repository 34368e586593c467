/*
 * Import a request list (CSV or XLSX) into a checklist: upload → column mapping (detected from the headers,
 * adjustable) → preview with per-row errors → import. The server parses the file and returns its table; the
 * browser re-validates instantly as the mapping changes; the import re-parses and re-validates on the server
 * before appending the rows through the live document.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { FIGURE_KINDS, STATUS_LABELS } from '@tieout/doc-model';
import { useEffect, useId, useMemo, useState } from 'react';
import { z } from 'zod';
import { ChecklistSubpage } from '~/components/checklist-subpage.tsx';
import { buttonClass, fieldClass, FormAlert, inputClass } from '~/components/form.tsx';
import { dateOrderFromForm, encodeMapping, importRows, mappingFromForm, readImportForm, tableFromForm } from '~/models/checklist-import.server.ts';
import { getChecklist, listMembers, loadDocument } from '@tieout/db';
import { readChecklist } from '@tieout/doc-model';
import { CANNOT_EDIT } from '@tieout/db';
import { canEdit } from '@tieout/db/roles';
import { requireUser } from '~/utils/auth.server.ts';
import { formatFigure } from '~/utils/format.ts';
import { DEFAULT_IMPORT_SECTION, IMPORT_LIMITS, ImportError, formatBytes } from '~/utils/import/limits.ts';
import {
  ambiguousDates,
  DATE_ORDER_LABELS,
  decodeTarget,
  detectDateOrder,
  mappingProblems,
  matchExisting,
  targetOptions,
  validateRows,
  type ColumnMapping,
  type DateOrder,
  type ImportTable,
} from '~/utils/import/mapping.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `Import requests · ${loaderData.checklist.title} · Tieout` : 'Import requests · Tieout' },
];

async function loadChecklist(request: Request, context: LoaderFunctionArgs['context'], checklistIdParam: string | undefined) {
  const session = await requireUser(request, context);
  const checklistId = z.uuid().safeParse(checklistIdParam);
  const checklist = checklistId.success ? await getChecklist(context.db, session.claims, checklistId.data) : null;
  if (!checklist) throw data('This checklist does not exist or you do not have access to it.', { status: 404, headers: session.headers });
  if (!canEdit(checklist.role)) throw data(CANNOT_EDIT, { status: 403, headers: session.headers });
  const members = (await listMembers(context.db, session.claims, checklist.workspaceId)).map(({ userId, displayName, email, role }) => ({
    id: userId,
    name: displayName,
    email,
    canOwnItems: canEdit(role),
  }));
  return { session, checklist, members };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { session, checklist, members } = await loadChecklist(request, context, params.checklistId);
  // The items already there, so the preview can say which rows update one instead of adding a copy (the import
  // matches again against the live document).
  const stored = readChecklist(await loadDocument(context.db, session.claims, checklist.id));
  const existing = stored.sections.flatMap((section) => section.items.map(({ id, title, reference }) => ({ id, title, reference })));
  return data({ checklist, members, existing }, { headers: session.headers });
}

type ActionResult =
  | { step: 'preview'; fileName: string; table: ImportTable; mapping: string[]; previewId: string }
  | { step: 'imported'; imported: number; updated: number; skipped: number; sectionsCreated: string[] }
  | { step: 'error'; error: string };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { session, checklist, members } = await loadChecklist(request, context, params.checklistId);
  const reply = (result: ActionResult, status = 200) => data(result, { status, headers: session.headers });
  try {
    const form = await readImportForm(request);
    const { fileName, table } = await tableFromForm(form, session.claims.sub);
    const mapping = mappingFromForm(form, table.headers);
    if (form.get('intent') !== 'import') {
      return reply({ step: 'preview', fileName, table, mapping: encodeMapping(mapping), previewId: crypto.randomUUID() });
    }
    const outcome = await importRows({
      db: context.db,
      claims: session.claims,
      accessToken: session.accessToken,
      collabBaseUrl: context.config.collabUrl ?? `ws://127.0.0.1:${context.config.port}`,
      checklistId: checklist.id,
      table,
      mapping,
      members,
      defaultSection: String(form.get('defaultSection') ?? '')
        .trim()
        .slice(0, 200),
      dateOrder: dateOrderFromForm(form),
      skipInvalid: form.get('skipInvalid') === 'on',
      updateExisting: form.get('existing') !== 'add',
    });
    return reply({ step: 'imported', ...outcome });
  } catch (error) {
    if (error instanceof ImportError)
      return reply({ step: 'error', error: error.message }, error.message.startsWith('The file is larger') ? 413 : 422);
    throw error;
  }
}

const MAX_PROBLEMS_SHOWN = 100;
const MAX_ROWS_SHOWN = 25;

export default function ImportRequests() {
  const { checklist, members, existing } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busyIntent = navigation.state === 'submitting' ? (navigation.formData?.get('intent') ?? 'preview') : null;
  const [preview, setPreview] = useState<Extract<ActionResult, { step: 'preview' }> | null>(null);
  const [mapping, setMapping] = useState<string[]>([]);
  const [defaultSection, setDefaultSection] = useState(DEFAULT_IMPORT_SECTION);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [dateOrder, setDateOrder] = useState<DateOrder | ''>('');
  const [existingMode, setExistingMode] = useState<'update' | 'add'>('update');
  const fileId = useId();
  const dateOrderId = useId();
  const sectionId = useId();

  useEffect(() => {
    if (actionData?.step === 'preview') {
      setPreview(actionData);
      setMapping(actionData.mapping);
      setSkipInvalid(false);
      setExistingMode('update');
      const detected = detectDateOrder(
        actionData.table,
        actionData.mapping.map((value) => decodeTarget(value) ?? { field: 'ignore' }),
      );
      setDateOrder(detected ?? '');
    }
  }, [actionData]);

  const columnMapping: ColumnMapping = useMemo(() => mapping.map((value) => decodeTarget(value) ?? { field: 'ignore' }), [mapping]);
  const problemsOfMapping = useMemo(() => (preview ? mappingProblems(columnMapping, preview.table.headers) : []), [preview, columnMapping]);
  const result = useMemo(
    () =>
      preview
        ? validateRows(preview.table, columnMapping, {
            members,
            defaultSection: defaultSection.trim() || DEFAULT_IMPORT_SECTION,
            dateOrder: dateOrder || undefined,
          })
        : null,
    [preview, columnMapping, members, defaultSection, dateOrder],
  );
  const ambiguous = useMemo(() => (preview ? ambiguousDates(preview.table, columnMapping) : []), [preview, columnMapping]);
  const numericDates = useMemo(
    () =>
      preview
        ? preview.table.rows.some((row) =>
            /^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$/.test((row.cells[columnMapping.findIndex((target) => target.field === 'dueDate')] ?? '').trim()),
          )
        : false,
    [preview, columnMapping],
  );
  const matches = useMemo(() => (result ? matchExisting(result.items, existing) : new Map<number, string>()), [result, existing]);
  const warnings = result?.items.filter((item) => item.warnings.length > 0) ?? [];
  const memberName = (id: string | null) => members.find((member) => member.id === id)?.name ?? '';

  if (actionData?.step === 'imported') {
    return (
      <ChecklistSubpage checklist={checklist} title={`Import requests into ${checklist.title}`}>
        <div
          role="status"
          className="space-y-3 rounded-lg border border-emerald-200 bg-emerald-50 p-5 text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
        >
          <p className="font-medium">
            Imported {actionData.imported} {actionData.updated > 0 ? 'new ' : ''}item{actionData.imported === 1 ? '' : 's'} into {checklist.title}
            {actionData.updated > 0 ? ` and updated ${actionData.updated} existing item${actionData.updated === 1 ? '' : 's'}` : ''}.
          </p>
          {actionData.skipped > 0 ? (
            <p className="text-sm">
              Skipped {actionData.skipped} row{actionData.skipped === 1 ? '' : 's'} with errors, as you confirmed.
            </p>
          ) : null}
          {actionData.sectionsCreated.length > 0 ? <p className="text-sm">New sections: {actionData.sectionsCreated.join(', ')}.</p> : null}
          <div className="flex gap-4 text-sm font-medium">
            <Link to={`/checklists/${checklist.id}`} className="underline">
              Open the checklist
            </Link>
            <Link to={`/checklists/${checklist.id}/import`} reloadDocument className="underline">
              Import another file
            </Link>
          </div>
        </div>
      </ChecklistSubpage>
    );
  }

  const invalidCount = result?.problems.length ?? 0;
  const validCount = result?.items.length ?? 0;
  const canImport = preview !== null && problemsOfMapping.length === 0 && validCount > 0 && (invalidCount === 0 || skipInvalid);

  return (
    <ChecklistSubpage checklist={checklist} title={`Import requests into ${checklist.title}`}>
      <Form method="post" encType="multipart/form-data" className="space-y-6" noValidate>
        {actionData?.step === 'error' ? <FormAlert>{actionData.error}</FormAlert> : null}
        <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
          <div className="space-y-1">
            <label htmlFor={fileId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
              Request list
            </label>
            <input
              id={fileId}
              type="file"
              name="file"
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              className="block w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-2 file:text-sm file:font-medium hover:file:bg-slate-200 dark:file:bg-slate-800 dark:file:text-slate-100"
              onChange={() => setPreview(null)}
            />
            <p className="text-xs text-slate-500 dark:text-slate-400">
              CSV or XLSX with a header row, up to {formatBytes(IMPORT_LIMITS.maxFileBytes)} and {IMPORT_LIMITS.maxRows.toLocaleString('en-US')} rows.
              Columns for reference, title, section, status, owner (email or name), due date, risk, notes and figures (MW, USD, years, %) are
              recognised by their headers.
            </p>
          </div>
          <button type="submit" name="intent" value="preview" className={buttonClass} disabled={busyIntent !== null}>
            {busyIntent === 'preview' ? 'Reading…' : preview ? 'Read the file again' : 'Preview'}
          </button>
        </section>

        {preview && result ? (
          <>
            <section
              aria-labelledby="mapping-heading"
              className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
            >
              <h2 id="mapping-heading" className="font-semibold">
                Columns of {preview.fileName}
              </h2>
              <div className="overflow-x-auto">
                <table className="w-full text-left text-sm">
                  <thead className="text-xs uppercase tracking-wide text-slate-500">
                    <tr>
                      <th className="py-2 pr-4 font-medium">Column</th>
                      <th className="py-2 pr-4 font-medium">First values</th>
                      <th className="py-2 font-medium">Import as</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                    {preview.table.headers.map((header, index) => (
                      <tr key={index}>
                        <td className="py-2 pr-4 font-medium">{header}</td>
                        <td className="max-w-xs truncate py-2 pr-4 text-slate-500 dark:text-slate-400">
                          {preview.table.rows
                            .slice(0, 3)
                            .map((row) => row.cells[index])
                            .filter(Boolean)
                            .join(' · ')}
                        </td>
                        <td className="py-2">
                          <select
                            name={`map.${index}`}
                            aria-label={`Import column “${header}” as`}
                            value={mapping[index] ?? 'ignore'}
                            onChange={(event) => setMapping((current) => current.map((value, i) => (i === index ? event.target.value : value)))}
                            className={fieldClass}
                          >
                            {targetOptions().map((option) => (
                              <option key={option.value} value={option.value}>
                                {option.label}
                              </option>
                            ))}
                          </select>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="max-w-sm space-y-1">
                <label htmlFor={sectionId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
                  Section for rows without one
                </label>
                <input
                  id={sectionId}
                  name="defaultSection"
                  value={defaultSection}
                  maxLength={200}
                  onChange={(event) => setDefaultSection(event.target.value)}
                  className={inputClass}
                />
              </div>
              {numericDates ? (
                <div className="max-w-md space-y-1">
                  <label htmlFor={dateOrderId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
                    Dates like 03/04/2027 are written as
                  </label>
                  <select
                    id={dateOrderId}
                    name="dateOrder"
                    value={dateOrder}
                    onChange={(event) => setDateOrder(event.target.value as DateOrder | '')}
                    className={fieldClass}
                  >
                    <option value="">Choose…</option>
                    {(Object.keys(DATE_ORDER_LABELS) as DateOrder[]).map((order) => (
                      <option key={order} value={order}>
                        {DATE_ORDER_LABELS[order]}
                      </option>
                    ))}
                  </select>
                  {ambiguous.length > 0 ? (
                    <div role="region" aria-label="Dates that read both ways" className="text-sm text-slate-600 dark:text-slate-300">
                      <p>
                        {ambiguous.length} date{ambiguous.length === 1 ? ' reads' : 's read'} differently in the two orders:
                      </p>
                      <ul className="list-disc pl-5">
                        {ambiguous.slice(0, 8).map((entry) => (
                          <li key={entry.rowNumber}>
                            Row {entry.rowNumber}: {entry.value} is {entry.dmy} day first, {entry.mdy} month first
                          </li>
                        ))}
                      </ul>
                      {ambiguous.length > 8 ? <p>…and {ambiguous.length - 8} more.</p> : null}
                    </div>
                  ) : null}
                </div>
              ) : null}
              {problemsOfMapping.length > 0 ? (
                <FormAlert>
                  {problemsOfMapping.map((problem) => (
                    <p key={problem}>{problem}</p>
                  ))}
                </FormAlert>
              ) : null}
            </section>

            {problemsOfMapping.length === 0 ? (
              <section
                aria-labelledby="preview-heading"
                className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
              >
                <h2 id="preview-heading" className="font-semibold">
                  Preview
                </h2>
                <p role="status" aria-label="Import summary" className="text-sm">
                  <span className="font-medium text-emerald-700 dark:text-emerald-400">
                    {validCount} row{validCount === 1 ? '' : 's'} ready to import
                  </span>
                  {invalidCount > 0 ? (
                    <span className="font-medium text-red-700 dark:text-red-400">
                      {' · '}
                      {invalidCount} row{invalidCount === 1 ? '' : 's'} with errors
                    </span>
                  ) : null}
                </p>
                {matches.size > 0 ? (
                  <fieldset className="space-y-1 rounded-md border border-sky-200 bg-sky-50 p-3 text-sm dark:border-sky-900 dark:bg-sky-950/50">
                    <legend className="px-1 font-medium">
                      {matches.size} row{matches.size === 1 ? ' is' : 's are'} already in this checklist (same reference, or same title)
                    </legend>
                    <label className="flex items-center gap-2">
                      <input
                        type="radio"
                        name="existing"
                        value="update"
                        checked={existingMode === 'update'}
                        onChange={() => setExistingMode('update')}
                      />
                      Update those items with the file's values
                    </label>
                    <label className="flex items-center gap-2">
                      <input type="radio" name="existing" value="add" checked={existingMode === 'add'} onChange={() => setExistingMode('add')} />
                      Add them again as new items
                    </label>
                  </fieldset>
                ) : null}
                {warnings.length > 0 ? (
                  <div
                    role="region"
                    aria-label="Rows to check"
                    className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm dark:border-amber-900 dark:bg-amber-950/50"
                  >
                    <p className="font-medium">These rows are imported, with something to check:</p>
                    <ul className="list-disc pl-5 text-amber-900 dark:text-amber-100">
                      {warnings.slice(0, MAX_PROBLEMS_SHOWN).map((item) => (
                        <li key={item.rowNumber}>
                          Row {item.rowNumber}: {item.warnings.join('; ')}
                        </li>
                      ))}
                    </ul>
                  </div>
                ) : null}
                {invalidCount > 0 ? (
                  <div
                    role="region"
                    aria-label="Rows with errors"
                    className="rounded-md border border-red-200 bg-red-50 p-3 text-sm dark:border-red-900 dark:bg-red-950/50"
                  >
                    <ul className="space-y-2">
                      {result.problems.slice(0, MAX_PROBLEMS_SHOWN).map((problem) => (
                        <li key={problem.rowNumber}>
                          <span className="font-medium">
                            Row {problem.rowNumber}
                            {problem.title ? ` “${problem.title.length > 60 ? `${problem.title.slice(0, 60)}…` : problem.title}”` : ''}
                          </span>
                          <ul className="list-disc pl-5 text-red-800 dark:text-red-200">
                            {problem.errors.map((error) => (
                              <li key={error}>{error}</li>
                            ))}
                          </ul>
                        </li>
                      ))}
                    </ul>
                    {invalidCount > MAX_PROBLEMS_SHOWN ? (
                      <p className="mt-2">…and {invalidCount - MAX_PROBLEMS_SHOWN} more rows with errors.</p>
                    ) : null}
                  </div>
                ) : null}
                {validCount > 0 ? (
                  <div className="overflow-x-auto">
                    <table aria-label="Rows to import" className="w-full text-left text-sm">
                      <thead className="text-xs uppercase tracking-wide text-slate-500">
                        <tr>
                          <th className="py-2 pr-3 font-medium">Row</th>
                          <th className="py-2 pr-3 font-medium">Ref</th>
                          <th className="py-2 pr-3 font-medium">Section</th>
                          <th className="py-2 pr-3 font-medium">Title</th>
                          <th className="py-2 pr-3 font-medium">Status</th>
                          <th className="py-2 pr-3 font-medium">Owner</th>
                          <th className="py-2 pr-3 font-medium">Due</th>
                          <th className="py-2 pr-3 font-medium">Risk</th>
                          <th className="py-2 font-medium">Figures</th>
                        </tr>
                      </thead>
                      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                        {result.items.slice(0, MAX_ROWS_SHOWN).map((item) => (
                          <tr key={item.rowNumber}>
                            <td className="py-2 pr-3 tabular-nums text-slate-500">{item.rowNumber}</td>
                            <td className="py-2 pr-3 font-mono text-xs">{item.reference ?? ''}</td>
                            <td className="py-2 pr-3">
                              {item.section}
                              {matches.has(item.rowNumber) && existingMode === 'update' ? (
                                <span className="ml-1 text-xs text-sky-700 dark:text-sky-400">(updates)</span>
                              ) : null}
                            </td>
                            <td className="py-2 pr-3">{item.title}</td>
                            <td className="py-2 pr-3 whitespace-nowrap">{STATUS_LABELS[item.status]}</td>
                            <td className="py-2 pr-3 whitespace-nowrap">{memberName(item.ownerId)}</td>
                            <td className="py-2 pr-3 whitespace-nowrap tabular-nums">{item.dueDate ?? ''}</td>
                            <td className="py-2 pr-3">{item.risk ?? ''}</td>
                            <td className="py-2 text-xs">
                              {item.figures
                                .map((figure) => `${figure.label}: ${formatFigure(figure.kind, FIGURE_KINDS[figure.kind].unit, figure.value)}`)
                                .join(' · ')}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                    {validCount > MAX_ROWS_SHOWN ? (
                      <p className="mt-2 text-sm text-slate-500">…and {validCount - MAX_ROWS_SHOWN} more rows.</p>
                    ) : null}
                  </div>
                ) : null}
                {invalidCount > 0 && validCount > 0 ? (
                  <label className="flex items-start gap-2 text-sm">
                    <input
                      type="checkbox"
                      name="skipInvalid"
                      checked={skipInvalid}
                      onChange={(event) => setSkipInvalid(event.target.checked)}
                      className="mt-0.5"
                    />
                    <span>
                      Skip the {invalidCount} row{invalidCount === 1 ? '' : 's'} with errors and import the other {validCount}
                    </span>
                  </label>
                ) : null}
                <button type="submit" name="intent" value="import" className={buttonClass} disabled={!canImport || busyIntent !== null}>
                  {busyIntent === 'import'
                    ? 'Importing…'
                    : existingMode === 'update' && matches.size > 0
                      ? `Import ${validCount - matches.size} new, update ${matches.size}`
                      : `Import ${validCount} item${validCount === 1 ? '' : 's'}`}
                </button>
              </section>
            ) : null}
          </>
        ) : null}
      </Form>
    </ChecklistSubpage>
  );
}
