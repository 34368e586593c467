import { addSection, applyTemplate, setTitle, type ChecklistTemplate } from '@tieout/doc-model';
import * as Y from 'yjs';
import { CANNOT_EDIT, requireEditor } from './deals.ts';
import { storeInitialDocument } from './documents.ts';
import { writeProjection } from './projection.ts';
import { getTemplate } from './templates.ts';
import type { Database, JwtClaims } from './types.ts';
import { runAsUser, TenancyError } from './workspaces.ts';

export type ChecklistSource = { kind: 'empty'; sectionTitle: string } | { kind: 'template'; templateId: string };

export interface NewChecklist {
  workstreamId: string;
  title: string;
  source: ChecklistSource;
}

/** The initial document of a new checklist: the template's sections and items, or a title and one empty section. */
export function initialDocument(
  title: string,
  source: { kind: 'empty'; sectionTitle: string } | { kind: 'template'; template: ChecklistTemplate },
): Y.Doc {
  const doc = new Y.Doc();
  if (source.kind === 'template') {
    applyTemplate(doc, source.template, title);
  } else {
    doc.transact(() => {
      setTitle(doc, title);
      addSection(doc, { title: source.sectionTitle });
    });
  }
  return doc;
}

/**
 * Creates a checklist as the user: the row and its document's first snapshot in one transaction (RLS lets only
 * editors and owners insert either), then its projection, so progress counts include the template's items at once.
 */
export async function createChecklist(
  db: Database,
  claims: JwtClaims,
  input: NewChecklist,
  onProjectionError: (error: unknown) => void = () => {},
): Promise<{ id: string; dealId: string; items: number }> {
  const missing = 'This workstream does not exist or you do not have access to it.';
  const workstream = await runAsUser(db, claims, CANNOT_EDIT, async (sql) => {
    const { rows } = await sql.query<{ workspace_id: string; deal_id: string }>(
      `select workspace_id, deal_id from public.workstreams where id = $1`,
      [input.workstreamId],
    );
    const row = rows[0];
    if (!row) throw new TenancyError('not_found', missing);
    await requireEditor(sql, row.workspace_id, missing);
    return row;
  });

  const doc =
    input.source.kind === 'template'
      ? initialDocument(input.title, { kind: 'template', template: await getTemplate(db, claims, workstream.workspace_id, input.source.templateId) })
      : initialDocument(input.title, input.source);
  try {
    const id = await runAsUser(db, claims, CANNOT_EDIT, async (sql) => {
      const { rows } = await sql.query<{ id: string }>(
        `insert into public.checklists (workspace_id, deal_id, workstream_id, title) values ($1, $2, $3, $4) returning id`,
        [workstream.workspace_id, workstream.deal_id, input.workstreamId, input.title],
      );
      const checklistId = rows[0]!.id;
      await storeInitialDocument(sql, { checklistId, workspaceId: workstream.workspace_id, state: Y.encodeStateAsUpdate(doc) });
      return checklistId;
    });
    let items = 0;
    doc.getMap('items').forEach(() => (items += 1));
    try {
      await writeProjection(db, { checklistId: id, workspaceId: workstream.workspace_id, dealId: workstream.deal_id }, doc, claims.sub);
    } catch (error) {
      // The projection is derived and rebuilt on the next edit (or by `rebuildProjection`): the checklist stands.
      onProjectionError(error);
    }
    return { id, dealId: workstream.deal_id, items };
  } finally {
    doc.destroy();
  }
}
