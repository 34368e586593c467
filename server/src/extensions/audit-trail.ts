import {
  appendAuditRows,
  auditReplay,
  projectionTargetOf,
  type AuditCursor,
  type AuditRowInput,
  type Database,
  type ProjectionTarget,
} from '@tieout/db';
import { auditedReplica, type AuditChange, type AuditedReplica } from '@tieout/doc-model';
import * as Y from 'yjs';
import type { CollabExtension, PersistedUpdate } from '../lifecycle.ts';

/*
 * The audit writer (docs/decisions/121-audit-trail.md). It keeps a shadow copy of each loaded document (doc-model's
 * auditedReplica, which the demo seed plays its story on too) and replays the
 * updates afterPersist hands it, one by one and in the order the live document applied them; each persisted update
 * is diffed item by item (only the items it touched) and attributed to its authenticated author, so two people editing
 * the same item at the same time get one row each for what each changed. Consecutive changes of the same field by
 * the same person within a run are merged (first old value, last new value; nothing if they cancel out).
 *
 * Nothing is lost to a crash: each write of rows also moves the checklist's audit cursor (public.audit_cursors, the
 * last log row audited, and the notes rows still held) in the same transaction. On load the shadow is rebuilt as of
 * the cursor from the stored log, and the log rows after it go through the same run as persisted updates do, each as
 * its author; changes of rows up to the cursor were written already, except the held notes, which are taken again.
 *
 * A shadow is a second copy of the document, as large in memory as the live one. It is live only while the document
 * is being edited: after `shadowIdleMs` without a run it is kept as one encoded update instead (a few KiB for a
 * checklist whose live copy takes hundreds) and rebuilt from it by the next run, so a loaded document nobody edits
 * costs one copy, not two (docs/decisions/177). The rebuilt shadow holds the same state, so replaying onto it makes
 * the same rows as replaying onto the one it replaced.
 */

interface RoomState {
  target: ProjectionTarget | null;
  /** The shadow (with the audited state of every item and section) while the document is being edited; null when at rest. */
  shadow: AuditedReplica | null;
  /** The shadow's state as one update while `shadow` is null (null too: an empty document). */
  resting: Uint8Array | null;
  /** Puts the shadow to rest after `shadowIdleMs` without a run. */
  restTimer: NodeJS.Timeout | null;
  /** Rows of a run whose write failed, written with the next run. */
  unwritten: AuditRowInput[];
  /**
   * Notes rows of people still typing: held while the same person keeps changing the same item's notes run after run,
   * written at the first run that does not touch them (a pause in the typing) or when the document unloads.
   */
  typing: Map<string, AuditRowInput>;
  /** Writes the held notes rows after a short quiet, when no further run comes to do it. */
  typingTimer: NodeJS.Timeout | null;
  /** The highest log row this process has taken through a run (its changes are written, queued or held). */
  audited: number;
  /** Log rows up to this one were audited before the load: replaying them only takes the notes rows held then. */
  replayedThrough: number;
  /** Item and author of each notes row held at the cursor the document was loaded with, from which log row. */
  heldAtLoad: Map<string, number>;
  /** The writes of rows and cursor, one after another in the order the runs made them. */
  writes: Promise<void>;
}

/** The first log row a row (merged or held) covers. */
const fromOf = new WeakMap<AuditRowInput, number>();

/** How long a held notes row waits for more typing, beyond the next run's due time, before it is written anyway. */
const TYPING_QUIET_MS = 3_000;

/**
 * How long a shadow stays live after a run, at least: a shadow also stays live for twice the spacing of the runs
 * (5 s while the server is quiet, up to 25 s under load, decision 178), so a document being edited keeps its shadow
 * from run to run; a pause longer than this costs one rebuild.
 */
export const DEFAULT_SHADOW_IDLE_MS = 10_000;

const mergeKey = (change: AuditChange): string | null => {
  if (change.kind !== 'item_field' && change.kind !== 'section_field' && change.kind !== 'checklist_field') return null;
  const entry = (change.newValue ?? change.oldValue) as { id?: unknown; sectionId?: unknown } | null;
  const entryId = change.field === 'figure' || change.field === 'evidence' ? String(entry?.id ?? '') : '';
  const sectionId = change.kind === 'section_field' ? String(entry?.sectionId ?? '') : '';
  return `${change.kind}\u0000${change.itemId ?? ''}\u0000${change.field}\u0000${entryId}\u0000${sectionId}`;
};

export interface AuditTrailOptions {
  /**
   * On load, unaudited log rows younger than this are left to the process that wrote them (applied to the shadow,
   * not audited). With rooms shared across processes (Redis), another live process may still be about to audit its
   * own rows, and auditing them here too would write them twice; a row older than this has outlived any after-persist
   * spacing, so its writer died and this process audits it. 0 (one process, no one else): every row is replayed.
   */
  replayOlderThanMs?: number;
  /** Where the rows and cursor are written (default `db`; the default extensions share it across documents, decision 175). */
  writes?: Database;
  /** After how long without a run a shadow is kept encoded rather than live (DEFAULT_SHADOW_IDLE_MS). */
  shadowIdleMs?: number;
}

export interface AuditTrailExtension extends CollabExtension {
  /** How many loaded documents' shadows are live (being edited) and how many at rest (for tests and diagnostics). */
  shadows(): { live: number; resting: number };
}

export function auditTrailExtension(
  db: Database,
  { replayOlderThanMs = 0, writes = db, shadowIdleMs = DEFAULT_SHADOW_IDLE_MS }: AuditTrailOptions = {},
): AuditTrailExtension {
  if (!Number.isFinite(shadowIdleMs) || shadowIdleMs < 0) throw new Error(`shadowIdleMs must be a number of milliseconds ≥ 0 (got ${shadowIdleMs})`);
  const rooms = new WeakMap<Y.Doc, RoomState>();
  const counts = { live: 0, resting: 0 };

  /** The live shadow, rebuilt from its resting state if it was put to rest. */
  const shadowOf = (room: RoomState): AuditedReplica => {
    if (!room.shadow) {
      room.shadow = auditedReplica(room.resting);
      room.resting = null;
      counts.live += 1;
      counts.resting -= 1;
    }
    return room.shadow;
  };

  /** Keeps the shadow as one update; the audited snapshots go with it (the next run rebuilds both). */
  const putToRest = (room: RoomState): void => {
    if (room.restTimer) clearTimeout(room.restTimer);
    room.restTimer = null;
    if (!room.shadow) return;
    room.resting = Y.encodeStateAsUpdate(room.shadow.doc);
    room.shadow.doc.destroy();
    room.shadow = null;
    counts.live -= 1;
    counts.resting += 1;
  };

  const restLater = (room: RoomState, spacingMs: number): void => {
    if (room.restTimer) clearTimeout(room.restTimer);
    room.restTimer = setTimeout(() => putToRest(room), Math.max(shadowIdleMs, 2 * spacingMs));
    room.restTimer.unref?.();
  };

  const cursorOf = (room: RoomState, target: ProjectionTarget): AuditCursor => ({
    checklistId: target.checklistId,
    auditedUpdateId: room.audited,
    held: [...room.typing.values()].map((row) => ({ itemId: row.itemId!, userId: row.userId, fromUpdateId: fromOf.get(row) ?? row.updateId ?? 0 })),
  });

  const changed = (row: AuditRowInput) => row.kind !== 'item_field' || JSON.stringify(row.oldValue) !== JSON.stringify(row.newValue);

  /**
   * Queues a write of `rows` with the cursor as of now; writes go one after another, each with the rows of earlier
   * writes that failed. Resolves when this one is written (or rejects with its error, its rows kept for the next).
   */
  const write = (room: RoomState, rows: AuditRowInput[], cursor: AuditCursor): Promise<void> => {
    const done = room.writes.then(async () => {
      const toWrite = [...room.unwritten, ...rows];
      room.unwritten = [];
      try {
        await appendAuditRows(writes, toWrite, cursor);
      } catch (error) {
        room.unwritten = toWrite;
        throw error;
      }
    });
    room.writes = done.catch(() => undefined);
    return done;
  };

  /** One run: replays `updates` on the shadow and queues the rows they make (the held notes rows stay held). */
  const run = (room: RoomState, target: ProjectionTarget, updates: readonly PersistedUpdate[], spacingMs: number): Promise<void> => {
    const shadow = shadowOf(room);
    restLater(room, spacingMs);
    const rows: AuditRowInput[] = [];
    const lastByKey = new Map<string, number>();
    for (const update of updates) {
      const changes = shadow.apply(update.update);
      // Remote updates are audited by the process that persisted them; refused ones were never stored.
      if (update.source !== 'persisted' || !update.userId) continue;
      const updateId = update.updateId ?? 0;
      if (updateId > room.audited) room.audited = updateId;
      for (const change of changes) {
        if (updateId <= room.replayedThrough) {
          // Audited before the load, but for the notes held then.
          const heldFrom =
            change.kind === 'item_field' && change.field === 'notes' ? room.heldAtLoad.get(`${change.itemId}\u0000${update.userId}`) : undefined;
          if (heldFrom === undefined || heldFrom > updateId) continue;
        }
        const key = mergeKey(change);
        const previousIndex = key === null ? undefined : lastByKey.get(key);
        const previous = previousIndex === undefined ? undefined : rows[previousIndex];
        if (previous && previous.userId === update.userId) {
          previous.newValue = change.newValue;
          previous.updateId = update.updateId;
          continue;
        }
        if (key !== null) lastByKey.set(key, rows.length);
        const row: AuditRowInput = {
          workspaceId: target.workspaceId,
          dealId: target.dealId,
          checklistId: target.checklistId,
          itemId: change.itemId,
          kind: change.kind,
          field: change.field,
          oldValue: change.oldValue,
          newValue: change.newValue,
          userId: update.userId,
          updateId: update.updateId,
        };
        fromOf.set(row, updateId);
        rows.push(row);
      }
    }
    const written: AuditRowInput[] = [];
    const typedNow = new Set<string>();
    for (const row of rows) {
      if (row.kind !== 'item_field' || row.field !== 'notes') {
        written.push(row);
        continue;
      }
      const key = `${row.itemId}\u0000${row.userId}`;
      typedNow.add(key);
      const held = room.typing.get(key);
      if (held) {
        held.newValue = row.newValue;
        held.updateId = row.updateId;
      } else room.typing.set(key, row);
    }
    for (const [key, row] of room.typing) {
      if (typedNow.has(key)) continue;
      room.typing.delete(key);
      written.push(row);
    }
    if (room.typingTimer) clearTimeout(room.typingTimer);
    room.typingTimer = null;
    if (room.typing.size > 0) {
      room.typingTimer = setTimeout(() => {
        room.typingTimer = null;
        const held = [...room.typing.values()].filter(changed);
        room.typing.clear();
        void write(room, held, cursorOf(room, target)).catch(() => undefined);
      }, spacingMs + TYPING_QUIET_MS);
      room.typingTimer.unref?.();
    }
    const merged = written.filter(changed);
    // Nothing to write: the cursor stays (a replay from it makes no rows for these updates either, or the same held ones).
    if (merged.length === 0 && room.unwritten.length === 0) return Promise.resolve();
    return write(room, merged, cursorOf(room, target));
  };

  return {
    name: 'audit-trail',
    // "Last changed by" and the activity feed may lag a few seconds; a run replays and diffs every update (decision 178).
    afterPersistPace: 'background',
    shadows: () => ({ ...counts }),
    async afterLoadDocument({ checklistId, doc, logger }) {
      const target = await projectionTargetOf(db, checklistId);
      const stored = target ? await auditReplay(db, checklistId) : null;
      // The document as of the cursor, when it can be rebuilt; else as loaded (nothing to replay). At rest until a run.
      // Nothing to replay: the cursor's document is the one just loaded, so it is encoded from it rather than merged again
      // from the stored rows (which doubled the cost of a cold load).
      const base = stored?.updates.length ? stored.base : null;
      const resting = !target ? null : !base ? Y.encodeStateAsUpdate(doc) : base.length > 0 ? Y.mergeUpdates(base) : null;
      const room: RoomState = {
        target,
        shadow: null,
        resting,
        restTimer: null,
        unwritten: [],
        typing: new Map(),
        typingTimer: null,
        audited: stored?.cursor.auditedUpdateId ?? 0,
        replayedThrough: stored?.cursor.auditedUpdateId ?? 0,
        heldAtLoad: new Map(stored?.cursor.held.map((held) => [`${held.itemId}\u0000${held.userId}`, held.fromUpdateId]) ?? []),
        writes: Promise.resolve(),
      };
      rooms.set(doc, room);
      counts.resting += 1;
      if (!target || !stored || stored.updates.length === 0) return;
      // Log rows the trail may lack (the process that wrote them died before its run): one run, as their authors.
      const updates = stored.updates.map((row): PersistedUpdate =>
        row.ageMs >= replayOlderThanMs
          ? { source: 'persisted', userId: row.userId, updateId: row.updateId, update: row.update }
          : { source: 'remote', userId: null, updateId: null, update: row.update },
      );
      void run(room, target, updates, 0).catch((error: unknown) =>
        logger.error({ err: error }, 'audit rows of the replayed log could not be written; retried with the next run'),
      );
    },
    async afterPersist({ doc, updates, spacingMs }) {
      const room = rooms.get(doc);
      if (!room?.target) return;
      await run(room, room.target, updates, spacingMs);
    },
    async beforeUnloadDocument({ doc }) {
      const room = rooms.get(doc);
      rooms.delete(doc);
      if (!room) return;
      if (room.typingTimer) clearTimeout(room.typingTimer);
      if (room.restTimer) clearTimeout(room.restTimer);
      if (room.shadow) counts.live -= 1;
      else counts.resting -= 1;
      room.shadow?.doc.destroy();
      room.shadow = null;
      room.resting = null;
      const rest = [...room.typing.values()].filter(changed);
      room.typing.clear();
      await room.writes;
      if (room.target && (rest.length > 0 || room.unwritten.length > 0)) await write(room, rest, cursorOf(room, room.target));
    },
  };
}
