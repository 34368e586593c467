import { checklistTemplateSchema, readChecklist, WORKSTREAM_KINDS, type ChecklistTemplate, type WorkstreamKind } from '@tieout/doc-model';
import { CANNOT_EDIT, requireEditor } from './deals.ts';
import { loadDocument } from './documents.ts';
import { templateFromChecklist, templateKey } from './template-from-checklist.ts';
import type { Database, JwtClaims } from './types.ts';
import { runAsUser, TenancyError, toTenancyError } from './workspaces.ts';

/** Templates are rows of public.checklist_templates: the built-ins (no workspace) and the workspace's own. */
export interface TemplateSummary {
  id: string;
  name: string;
  workstream: WorkstreamKind;
  description: string;
  builtIn: boolean;
  sections: number;
  items: number;
}

const isWorkstreamKind = (value: string): value is WorkstreamKind => (WORKSTREAM_KINDS as readonly string[]).includes(value);

export async function listTemplates(db: Database, claims: JwtClaims, workspaceId: string): Promise<TemplateSummary[]> {
  const rows = await db.asUser(
    claims,
    async (sql) =>
      (
        await sql.query<{ id: string; name: string; workstream: string; description: string; workspace_id: string | null; body: unknown }>(
          `select id, name, workstream, description, workspace_id, body from public.checklist_templates
          where workspace_id is null or workspace_id = $1
          order by workspace_id nulls first, name`,
          [workspaceId],
        )
      ).rows,
  );
  return rows.flatMap((row) => {
    const parsed = checklistTemplateSchema.safeParse(typeof row.body === 'string' ? JSON.parse(row.body) : row.body);
    if (!parsed.success || !isWorkstreamKind(row.workstream)) return [];
    return [
      {
        id: row.id,
        name: row.name,
        workstream: row.workstream,
        description: row.description,
        builtIn: row.workspace_id === null,
        sections: parsed.data.sections.length,
        items: parsed.data.sections.reduce((sum, section) => sum + section.items.length, 0),
      },
    ];
  });
}

/** A template's data, validated; not_found when the user cannot see it or it belongs to another workspace. */
export async function getTemplate(db: Database, claims: JwtClaims, workspaceId: string, templateId: string): Promise<ChecklistTemplate> {
  const row = await runAsUser(db, claims, 'Not allowed to read this template', async (sql) => {
    const { rows } = await sql.query<{ body: unknown }>(
      `select body from public.checklist_templates where id = $1 and (workspace_id is null or workspace_id = $2)`,
      [templateId, workspaceId],
    );
    return rows[0] ?? null;
  });
  if (!row) throw new TenancyError('not_found', 'This template does not exist or is not available in this workspace.');
  const parsed = checklistTemplateSchema.safeParse(typeof row.body === 'string' ? JSON.parse(row.body) : row.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TenancyError(
      'invalid_input',
      `This template is not valid (${issue?.path.join('.') || 'template'}: ${issue?.message}). Choose another one.`,
    );
  }
  return parsed.data;
}

export interface SaveAsTemplateInput {
  checklistId: string;
  name: string;
  description: string;
}

/** Stores the checklist's current structure as a template of its workspace, as the user (editors and owners). */
export async function saveChecklistAsTemplate(
  db: Database,
  claims: JwtClaims,
  input: SaveAsTemplateInput,
): Promise<{ id: string; key: string; items: number }> {
  const missing = 'This checklist does not exist or you do not have access to it.';
  const checklist = await runAsUser(db, claims, CANNOT_EDIT, async (sql) => {
    const { rows } = await sql.query<{ workspace_id: string; kind: string }>(
      `select c.workspace_id, ws.kind from public.checklists c join public.workstreams ws on ws.id = c.workstream_id where c.id = $1`,
      [input.checklistId],
    );
    const row = rows[0];
    if (!row) throw new TenancyError('not_found', missing);
    await requireEditor(sql, row.workspace_id, missing);
    return row;
  });

  const doc = await loadDocument(db, claims, input.checklistId);
  const view = readChecklist(doc);
  doc.destroy();
  if (view.sections.length === 0)
    throw new TenancyError('invalid_input', 'This checklist has no sections yet, so there is nothing to save as a template.');
  const key = templateKey(input.name);
  const workstream = isWorkstreamKind(checklist.kind) ? checklist.kind : 'custom';
  const template = templateFromChecklist(view, { key, name: input.name, description: input.description, workstream });

  try {
    const id = await db.asUser(claims, async (sql) => {
      const { rows } = await sql.query<{ id: string }>(
        `insert into public.checklist_templates (workspace_id, key, name, workstream, description, body, created_by)
         values ($1, $2, $3, $4, $5, $6::jsonb, auth.uid()) returning id`,
        [checklist.workspace_id, key, template.name, workstream, template.description ?? '', JSON.stringify(template)],
      );
      return rows[0]!.id;
    });
    const items = template.sections.reduce((sum, section) => sum + section.items.length, 0);
    return { id, key, items };
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === '23505') {
      throw new TenancyError('conflict', `This workspace already has a template named like “${input.name}”. Choose another name.`, { cause: error });
    }
    throw toTenancyError(error, CANNOT_EDIT);
  }
}
