import { builtInTemplates, parseTemplate } from '@tieout/templates';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type Database, type Sql } from '../src/index.ts';
import { builtInTemplateIds } from '../src/seed/index.ts';
import { demoUsers, demoWorkspace, openScratchDatabase, otherWorkspace, type ScratchDatabase, userClaims } from '../src/testing.ts';

type User = { id: string; email: string };
const customBody = {
  key: 'power-quick-check',
  name: 'Power quick check',
  workstream: 'custom',
  description: '',
  sections: [{ title: 'Power', items: [{ title: 'Get the utility letter', figures: [], notes: [] }] }],
};

describe('public.checklist_templates', () => {
  let fresh: ScratchDatabase;
  let db: Database;

  beforeAll(async () => {
    fresh = await openScratchDatabase({ label: 'templates', migrate: false });
    db = fresh.db;
    await migrate(db, { seedIfFresh: true });
  }, 120_000);
  afterAll(async () => fresh?.dispose());

  const as = <T>(user: User, work: (sql: Sql) => Promise<T>) => db.asUser(userClaims(user), work);
  const create = (user: User, workspaceId: string, key: string) =>
    as(user, (sql) =>
      sql.query<{ id: string }>(
        `insert into public.checklist_templates (workspace_id, key, name, workstream, body) values ($1, $2, $3, 'custom', $4) returning id`,
        [workspaceId, key, customBody.name, JSON.stringify({ ...customBody, key })],
      ),
    );

  it('holds the built-in templates from the seed, readable by any signed-in user and valid as templates', async () => {
    for (const user of [demoUsers.viewer, demoUsers.outsider]) {
      const { rows } = await as(user, (sql) =>
        sql.query<{ id: string; key: string; body: unknown }>(
          `select id, key, body from public.checklist_templates where workspace_id is null order by key`,
        ),
      );
      expect(rows.map((row) => row.key)).toEqual(builtInTemplates.map((t) => t.key).sort());
      for (const row of rows) {
        expect(row.id).toBe(builtInTemplateIds[row.key]);
        expect(parseTemplate(row.body, row.key)).toEqual(builtInTemplates.find((t) => t.key === row.key));
      }
    }
    await expect(db.asAnon((sql) => sql.query(`select id from public.checklist_templates`))).rejects.toThrow(/permission denied/);
  });

  it('lets editors and owners manage their workspace templates, members read them, others see nothing', async () => {
    const created = await create(demoUsers.editor, demoWorkspace.id, 'editor-template');
    const id = created.rows[0]!.id;
    const { rows: createdBy } = await db.ownerQuery<{ created_by: string }>(`select created_by from public.checklist_templates where id = $1`, [id]);
    expect(createdBy[0]!.created_by).toBe(demoUsers.editor.id);

    const seenBy = async (user: User) =>
      (await as(user, (sql) => sql.query<{ id: string }>(`select id from public.checklist_templates where id = $1`, [id]))).rows.length;
    expect(await seenBy(demoUsers.viewer)).toBe(1);
    expect(await seenBy(demoUsers.reviewer)).toBe(1);
    expect(await seenBy(demoUsers.outsider)).toBe(0);

    const renamed = await as(demoUsers.owner, (sql) =>
      sql.query(`update public.checklist_templates set name = 'Power checks' where id = $1 returning id`, [id]),
    );
    expect(renamed.rows).toHaveLength(1);
    const viewerUpdate = await as(demoUsers.viewer, (sql) =>
      sql.query(`update public.checklist_templates set name = 'Hijacked' where id = $1 returning id`, [id]),
    );
    expect(viewerUpdate.rows).toHaveLength(0);
    const viewerDelete = await as(demoUsers.reviewer, (sql) => sql.query(`delete from public.checklist_templates where id = $1 returning id`, [id]));
    expect(viewerDelete.rows).toHaveLength(0);
    const editorDelete = await as(demoUsers.editor2, (sql) => sql.query(`delete from public.checklist_templates where id = $1 returning id`, [id]));
    expect(editorDelete.rows).toHaveLength(1);
  });

  it('refuses viewers, reviewers and outsiders creating templates, and anyone touching the built-ins', async () => {
    await expect(create(demoUsers.viewer, demoWorkspace.id, 'viewer-template')).rejects.toThrow(/row-level security/);
    await expect(create(demoUsers.reviewer, demoWorkspace.id, 'reviewer-template')).rejects.toThrow(/row-level security/);
    await expect(create(demoUsers.outsider, demoWorkspace.id, 'outsider-template')).rejects.toThrow(/row-level security/);
    await expect(
      as(demoUsers.owner, (sql) =>
        sql.query(
          `insert into public.checklist_templates (workspace_id, key, name, workstream, body) values (null, 'fake-builtin', 'Fake', 'custom', '{"sections": []}')`,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    const touched = await as(demoUsers.owner, async (sql) => [
      ...(await sql.query(`update public.checklist_templates set name = 'Mine now' where workspace_id is null returning id`)).rows,
      ...(await sql.query(`delete from public.checklist_templates where workspace_id is null returning id`)).rows,
    ]);
    expect(touched).toEqual([]);
    // Editors of another workspace cannot plant a template in it by naming a different creator either.
    await expect(
      as(demoUsers.outsider, (sql) =>
        sql.query(
          `insert into public.checklist_templates (workspace_id, key, name, workstream, body, created_by) values ($1, 'spoof', 'Spoof', 'custom', '{"sections": []}', $2)`,
          [otherWorkspace.id, demoUsers.owner.id],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('rejects duplicate keys in a workspace and malformed rows with clear errors', async () => {
    await create(demoUsers.editor, demoWorkspace.id, 'dup-key');
    await expect(create(demoUsers.editor, demoWorkspace.id, 'dup-key')).rejects.toThrow(/checklist_templates_key_unique/);
    // The same key in another workspace is fine.
    await create(demoUsers.outsider, otherWorkspace.id, 'dup-key');
    await expect(create(demoUsers.editor, demoWorkspace.id, 'Bad Key!')).rejects.toThrow(/check constraint/);
    await expect(
      as(demoUsers.editor, (sql) =>
        sql.query(
          `insert into public.checklist_templates (workspace_id, key, name, workstream, body) values ($1, 'no-sections', 'X', 'custom', '[]')`,
          [demoWorkspace.id],
        ),
      ),
    ).rejects.toThrow(/check constraint/);
  });
});

describe('the seed on a Supabase-shaped auth schema', () => {
  let fresh: ScratchDatabase;

  beforeAll(async () => {
    fresh = await openScratchDatabase({ label: 'seedauth', migrate: false });
    // What hosted Supabase Auth has beyond our bootstrap: nullable token columns and auth.identities.
    const bootstrap = await readFile(fileURLToPath(new URL('../sql/supabase-bootstrap.sql', import.meta.url)), 'utf8');
    await fresh.db.execScript(`${bootstrap}
      alter table auth.users add column confirmation_token varchar(255), add column recovery_token varchar(255),
        add column email_change_token_new varchar(255), add column email_change varchar(255);
      create table auth.identities (
        provider_id text not null,
        user_id uuid not null references auth.users (id) on delete cascade,
        identity_data jsonb not null,
        provider text not null,
        last_sign_in_at timestamptz,
        created_at timestamptz,
        updated_at timestamptz,
        email text generated always as (lower(identity_data ->> 'email')) stored,
        id uuid not null default gen_random_uuid() primary key,
        constraint identities_provider_id_provider_unique unique (provider_id, provider)
      );`);
    const result = await migrate(fresh.db, { seedIfFresh: true });
    expect(result).toMatchObject({ bootstrapped: false, seeded: true });
  }, 120_000);
  afterAll(async () => fresh?.dispose());

  it('gives every user an email identity and empty (not null) tokens, as GoTrue expects', async () => {
    const { rows } = await fresh.db.ownerQuery<{ email: string; provider: string; identity_email: string; tokens_null: boolean }>(
      `select u.email, i.provider, i.email as identity_email,
              (u.confirmation_token is null or u.recovery_token is null or u.email_change_token_new is null or u.email_change is null) as tokens_null
         from auth.users u left join auth.identities i on i.user_id = u.id order by u.email`,
    );
    expect(rows).toHaveLength(Object.keys(demoUsers).length);
    for (const row of rows) expect(row).toMatchObject({ provider: 'email', identity_email: row.email, tokens_null: false });
  });
});
