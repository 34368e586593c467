import { writeProjection, type Database, type JwtClaims } from '@tieout/db';
import { addSection, applyTemplate, setTitle, type ChecklistTemplate } from '@tieout/doc-model';
import * as Y from 'yjs';
import { CANNOT_EDIT, type Refusal } from './deals.server.ts';
import { getTemplate } from './templates.server.ts';

export type ChecklistSource = { kind: 'empty'; sectionTitle: string } | { kind: 'template'; templateId: string };

export interface NewChecklist {
  workstreamId: string;
  title: string;
  source: ChecklistSource;
}

/** The initial document of a new checklist: the template's sections and items, or a title and one empty section. */
export function initialDocument(title: string, source: { kind: 'empty'; sectionTitle: string } | { kind: 'template'; template: ChecklistTemplate }): Y.Doc {
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
): Promise<{ ok: true; id: string; dealId: string; items: number } | Refusal> {
  const workstream = await db.asUser(claims, async (sql) => {
    const { rows } = await sql.query<{ workspace_id: string; deal_id: string; role: string | null }>(
      `select workspace_id, deal_id, public.workspace_role(workspace_id)::text as role from public.workstreams where id = $1`,
      [input.workstreamId],
    );
    return rows[0] ?? null;
  });
  if (!workstream?.role) return { ok: false, status: 404, message: 'This workstream does not exist or you do not have access to it.' };
  if (workstream.role !== 'owner' && workstream.role !== 'editor') return { ok: false, status: 403, message: CANNOT_EDIT };

  let doc: Y.Doc;
  if (input.source.kind === 'template') {
    const found = await getTemplate(db, claims, workstream.workspace_id, input.source.templateId);
    if (!found.ok) return found;
    doc = initialDocument(input.title, { kind: 'template', template: found.template });
  } else {
    doc = initialDocument(input.title, input.source);
  }
  const state = Y.encodeStateAsUpdate(doc);
  try {
    const id = await db.asUser(claims, async (sql) => {
      const { rows } = await sql.query<{ id: string }>(
        `insert into public.checklists (workspace_id, deal_id, workstream_id, title) values ($1, $2, $3, $4) returning id`,
        [workstream.workspace_id, workstream.deal_id, input.workstreamId, input.title],
      );
      const checklistId = rows[0]!.id;
      await sql.query(
        `insert into public.document_snapshots (checklist_id, workspace_id, state, last_update_id) values ($1, $2, $3, 0)`,
        [checklistId, workstream.workspace_id, state],
      );
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
    return { ok: true, id, dealId: workstream.deal_id, items };
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === '42501') return { ok: false, status: 403, message: CANNOT_EDIT };
    throw error;
  } finally {
    doc.destroy();
  }
}
