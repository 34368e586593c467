import { addItem, applyTemplate, auditedReplica, readChecklist, setFigure, updateItem, type AuditChange, type ItemView } from '@tieout/doc-model';
import { builtInTemplates, templateByKey } from '@tieout/templates';
import bcrypt from 'bcryptjs';
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import type { AuditRowInput } from '../audit.ts';
import { DEMO_PASSWORD, demoChecklists, demoDeal, demoUsers, demoWorkspace, demoWorkstreams, otherWorkspace } from '../demo.ts';
import { projectionRows, type ProjectionRow } from '../projection.ts';
import { checklistSearchEntries, type ChecklistSearchEntry } from '../search.ts';
import { builtInTemplateIds, otherChecklist, otherDeal, otherWorkstream } from './fixtures.ts';
import { deterministicIds } from './ids.ts';
import { demoStories, type ChecklistStory, type Session } from './story.ts';

/** Everything supabase/seed.sql inserts, as data (rendered by renderSeedSql). */
export interface SeedData {
  users: { id: string; email: string; name: string; passwordHash: string; createdAt: string }[];
  workspaces: { id: string; name: string; createdBy: string; createdAt: string }[];
  members: { workspaceId: string; userId: string; role: string; createdAt: string }[];
  deals: {
    id: string;
    workspaceId: string;
    name: string;
    buyer: string;
    target: string;
    valueUsd: number;
    targetSigningDate: string | null;
    createdBy: string;
    createdAt: string;
  }[];
  workstreams: { id: string; workspaceId: string; dealId: string; kind: string; name: string; position: number; createdAt: string }[];
  checklists: { id: string; workspaceId: string; dealId: string; workstreamId: string; title: string; createdBy: string; createdAt: string }[];
  templates: { id: string; key: string; name: string; workstream: string; description: string; body: unknown }[];
  updates: { id: number; checklistId: string; workspaceId: string; update: Uint8Array; userId: string; createdAt: string }[];
  snapshots: { checklistId: string; workspaceId: string; state: Uint8Array; lastUpdateId: number; updatedAt: string }[];
  items: { checklistId: string; workspaceId: string; dealId: string; row: ProjectionRow; updatedAt: string; updatedBy: string }[];
  /** The projection's day-by-day record (public.checklist_progress_days) as the story played: done/total after each day's sessions. */
  progressDays: { checklistId: string; workspaceId: string; dealId: string; day: string; total: number; done: number }[];
  /** The search index of each checklist as it stands (item titles and references, notes, figure labels), as the
   * collaboration server's search extension would have written it: without it nothing of the demo is found until edited. */
  searchEntries: { checklistId: string; workspaceId: string; dealId: string; entry: ChecklistSearchEntry }[];
  /** The item-level audit trail of the story, one session's changes after another, as the audit writer would have written
   * it (the same replay, doc-model's auditedReplica): without it the activity feeds of a fresh demo are empty. */
  auditRows: (AuditRowInput & { updateId: number; createdAt: string })[];
}

const SEED_EPOCH = '2026-09-28T09:00:00Z';
const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** bcrypt with a salt derived from the email: the same hash on every run, a different one per user. */
export function demoPasswordHash(email: string, password = DEMO_PASSWORD): string {
  const digest = createHash('sha256').update(`tieout-seed-salt:${email}`).digest();
  const salt = [...digest.subarray(0, 22)].map((byte) => BCRYPT_ALPHABET[byte % 64]).join('');
  return bcrypt.hashSync(password, `$2a$10$${salt}`);
}

interface ChecklistPlacement {
  workspaceId: string;
  dealId: string;
}

function placementOf(checklistId: string): ChecklistPlacement {
  return checklistId === otherChecklist.id
    ? { workspaceId: otherWorkspace.id, dealId: otherDeal.id }
    : { workspaceId: demoWorkspace.id, dealId: demoDeal.id };
}

function findItem(items: ItemView[], title: string, checklistId: string): ItemView {
  const matches = items.filter((item) => item.title === title);
  if (matches.length !== 1) {
    throw new Error(`Seed story for checklist ${checklistId}: ${matches.length} items titled "${title}" (expected 1)`);
  }
  return matches[0]!;
}

/** Applies one session's work to a client document (as that user's editor would). */
function playSession(doc: Y.Doc, session: Session, checklistId: string, newId: () => string): void {
  doc.transact(() => {
    if (session.create) {
      const template = templateByKey(session.create.templateKey);
      if (!template) throw new Error(`Seed story: no built-in template ${session.create.templateKey}`);
      applyTemplate(doc, template, session.create.title, { newId });
    }
    const view = () => readChecklist(doc);
    if (session.triage) {
      const { owners, dueDates } = session.triage;
      view()
        .sections.flatMap((section) => section.items)
        .forEach((item, index) =>
          updateItem(doc, item.id, { ownerId: demoUsers[owners[index % owners.length]!].id, dueDate: dueDates[index % dueDates.length]! }),
        );
    }
    for (const { item: title, figures, ...patch } of session.edits ?? []) {
      const item = findItem(
        view().sections.flatMap((section) => section.items),
        title,
        checklistId,
      );
      updateItem(doc, item.id, patch);
      for (const [label, value] of Object.entries(figures ?? {})) {
        const figure = item.figures.find((candidate) => candidate.label === label);
        if (!figure) throw new Error(`Seed story: item "${title}" has no figure labelled "${label}"`);
        setFigure(doc, item.id, { ...figure, value });
      }
    }
    for (const added of session.add ?? []) {
      const section = view().sections.find((candidate) => candidate.title === added.section);
      if (!section) throw new Error(`Seed story: no section "${added.section}" in checklist ${checklistId}`);
      addItem(doc, {
        id: newId(),
        sectionId: section.id,
        title: added.title,
        risk: added.risk,
        status: added.status,
        ownerId: demoUsers[added.owner].id,
        dueDate: added.dueDate,
      });
    }
  });
}

interface PlayedSession {
  session: Session;
  update: Uint8Array;
  /** What the session's update changed, as audit rows before they get author, log row and time. */
  changes: AuditChange[];
}

interface PlayedStory {
  story: ChecklistStory;
  sessions: PlayedSession[];
  items: SeedData['items'];
  progressDays: SeedData['progressDays'];
  searchEntries: SeedData['searchEntries'];
}

function playStory(story: ChecklistStory, storyIndex: number): PlayedStory {
  const placement = placementOf(story.checklistId);
  const newId = deterministicIds(`tieout-seed:${story.checklistId}`);
  const server = new Y.Doc();
  const audited = auditedReplica(null);
  const sessions: PlayedSession[] = [];
  let projected = new Map<string, { json: string; updatedAt: string; updatedBy: string }>();
  let rows: ProjectionRow[] = [];
  const days = new Map<string, { total: number; done: number }>();
  story.sessions.forEach((session, sessionIndex) => {
    const client = new Y.Doc();
    client.clientID = (storyIndex + 1) * 1000 + sessionIndex + 1;
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
    playSession(client, session, story.checklistId, newId);
    const update = Y.encodeStateAsUpdate(client, Y.encodeStateVector(server));
    client.destroy();
    Y.applyUpdate(server, update);
    sessions.push({ session, update, changes: audited.apply(update) });
    // Each projected row remembers the last session that changed it, as the projection writer would.
    // (the story edits through the doc model's validated operations, so every value is valid)
    rows = projectionRows(server);
    days.set(session.at.slice(0, 10), { total: rows.length, done: rows.filter((row) => row.status === 'done').length });
    const next = new Map<string, { json: string; updatedAt: string; updatedBy: string }>();
    for (const row of rows) {
      const json = JSON.stringify(row);
      const previous = projected.get(row.item_id);
      next.set(row.item_id, previous?.json === json ? previous : { json, updatedAt: session.at, updatedBy: demoUsers[session.by].id });
    }
    projected = next;
  });
  const searchEntries = checklistSearchEntries(server).map((entry) => ({ checklistId: story.checklistId, ...placement, entry }));
  server.destroy();
  audited.doc.destroy();
  const items = rows.map((row) => {
    const meta = projected.get(row.item_id)!;
    return { checklistId: story.checklistId, ...placement, row, updatedAt: meta.updatedAt, updatedBy: meta.updatedBy };
  });
  const progressDays = [...days].map(([day, counts]) => ({ checklistId: story.checklistId, ...placement, day, ...counts }));
  return { story, sessions, items, progressDays, searchEntries };
}

/** Builds the demo seed from the fixtures in demo.ts, the built-in templates and the story. Deterministic. */
export function buildSeedData(): SeedData {
  const users = Object.values(demoUsers).map((user, index) => ({
    id: user.id,
    email: user.email,
    name: user.name,
    passwordHash: demoPasswordHash(user.email),
    createdAt: addMinutes(SEED_EPOCH, index),
  }));
  const workspaces = [
    { id: demoWorkspace.id, name: demoWorkspace.name, createdBy: demoUsers.owner.id, createdAt: addMinutes(SEED_EPOCH, 30) },
    { id: otherWorkspace.id, name: otherWorkspace.name, createdBy: demoUsers.outsider.id, createdAt: addMinutes(SEED_EPOCH, 40) },
  ];
  const members = [
    ...Object.values(demoUsers)
      .filter((user) => user.role !== null)
      .map((user, index) => ({ workspaceId: demoWorkspace.id, userId: user.id, role: user.role!, createdAt: addMinutes(SEED_EPOCH, 31 + index) })),
    { workspaceId: otherWorkspace.id, userId: demoUsers.outsider.id, role: 'owner', createdAt: addMinutes(SEED_EPOCH, 40) },
  ];
  const deals = [
    {
      id: demoDeal.id,
      workspaceId: demoWorkspace.id,
      name: demoDeal.name,
      buyer: demoDeal.buyer,
      target: demoDeal.target,
      valueUsd: demoDeal.valueUsd,
      targetSigningDate: '2027-02-26',
      createdBy: demoUsers.owner.id,
      createdAt: '2026-09-30T15:00:00Z',
    },
    {
      id: otherDeal.id,
      workspaceId: otherWorkspace.id,
      name: otherDeal.name,
      buyer: otherDeal.buyer,
      target: otherDeal.target,
      valueUsd: otherDeal.valueUsd,
      targetSigningDate: null,
      createdBy: demoUsers.outsider.id,
      createdAt: '2026-10-14T10:00:00Z',
    },
  ];
  const workstreams = [
    ...Object.values(demoWorkstreams).map((workstream, index) => ({
      id: workstream.id,
      workspaceId: demoWorkspace.id,
      dealId: demoDeal.id,
      kind: workstream.kind,
      name: workstream.name,
      position: index,
      createdAt: '2026-10-01T13:55:00Z',
    })),
    {
      id: otherWorkstream.id,
      workspaceId: otherWorkspace.id,
      dealId: otherDeal.id,
      kind: otherWorkstream.kind,
      name: otherWorkstream.name,
      position: 0,
      createdAt: '2026-10-15T08:55:00Z',
    },
  ];
  const stories = demoStories.map(playStory);
  const createdAt = (checklistId: string) => stories.find((played) => played.story.checklistId === checklistId)!.story.sessions[0]!.at;
  const checklists = [
    ...Object.values(demoChecklists).map((checklist) => ({
      id: checklist.id,
      workspaceId: demoWorkspace.id,
      dealId: demoDeal.id,
      workstreamId: checklist.workstreamId,
      title: checklist.title,
      createdBy: demoUsers.owner.id,
      createdAt: createdAt(checklist.id),
    })),
    {
      id: otherChecklist.id,
      workspaceId: otherWorkspace.id,
      dealId: otherDeal.id,
      workstreamId: otherChecklist.workstreamId,
      title: otherChecklist.title,
      createdBy: otherChecklist.createdBy,
      createdAt: createdAt(otherChecklist.id),
    },
  ];
  const templates = builtInTemplates.map((template) => {
    const id = builtInTemplateIds[template.key];
    if (!id) throw new Error(`No fixed id for built-in template ${template.key} (seed/fixtures.ts)`);
    return { id, key: template.key, name: template.name, workstream: template.workstream, description: template.description ?? '', body: template };
  });

  // One global log, in time order, as the server would have written it.
  const logged = stories
    .flatMap((played, storyIndex) => played.sessions.map((entry, sessionIndex) => ({ played, entry, storyIndex, sessionIndex })))
    .sort((a, b) => (a.entry.session.at < b.entry.session.at ? -1 : a.entry.session.at > b.entry.session.at ? 1 : a.storyIndex - b.storyIndex));
  const updates = logged.map(({ played, entry }, index) => ({
    id: index + 1,
    checklistId: played.story.checklistId,
    workspaceId: placementOf(played.story.checklistId).workspaceId,
    update: entry.update,
    userId: demoUsers[entry.session.by].id,
    createdAt: entry.session.at,
  }));
  const snapshots = stories.flatMap(({ story, sessions }) => {
    if (story.tail === 'no-snapshot') return [];
    const covered = sessions.slice(0, sessions.length - story.tail);
    const last = covered.at(-1);
    if (!last) return [];
    const doc = new Y.Doc();
    for (const { update } of covered) Y.applyUpdate(doc, update);
    const state = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    const lastUpdateId = updates.find((row) => row.update === last.update)!.id;
    return [
      { checklistId: story.checklistId, workspaceId: placementOf(story.checklistId).workspaceId, state, lastUpdateId, updatedAt: last.session.at },
    ];
  });
  const items = stories.flatMap((played) => played.items);
  const progressDays = stories.flatMap((played) => played.progressDays);
  const searchEntries = stories.flatMap((played) => played.searchEntries);
  const auditRows = logged.flatMap(({ played, entry }, index) =>
    entry.changes.map((change) => ({
      checklistId: played.story.checklistId,
      ...placementOf(played.story.checklistId),
      itemId: change.itemId,
      kind: change.kind,
      field: change.field,
      oldValue: change.oldValue,
      newValue: change.newValue,
      userId: demoUsers[entry.session.by].id,
      updateId: index + 1,
      createdAt: entry.session.at,
    })),
  );
  return {
    users,
    workspaces,
    members,
    deals,
    workstreams,
    checklists,
    templates,
    updates,
    snapshots,
    items,
    progressDays,
    searchEntries,
    auditRows,
  };
}

function addMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}
