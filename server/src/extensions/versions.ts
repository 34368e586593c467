import { recordVersion, type Database } from '@tieout/db';
import type { Logger } from 'pino';
import type * as Y from 'yjs';
import type { CollabExtension } from '../lifecycle.ts';

/** Timers the recorder uses: the real ones by default, a fake clock in tests. */
export interface RecorderClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: RecorderClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => {
    const timer = setTimeout(run, ms);
    timer.unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface VersionRecorderOptions {
  db: Database;
  /** A burst of editing has settled after this much quiet: an automatic version is recorded. Default 5 minutes. */
  quietMs?: number;
  /** During continuous editing, a version at least this often. Default 1 hour. */
  maxIntervalMs?: number;
  clock?: RecorderClock;
}

export const DEFAULT_VERSION_QUIET_MS = 5 * 60_000;
export const DEFAULT_VERSION_MAX_INTERVAL_MS = 60 * 60_000;

interface RoomState {
  checklistId: string;
  logger: Logger;
  /** When the current burst of edits began (null: nothing edited since the last version). */
  burstStart: number | null;
  timer: unknown;
  recording: Promise<void> | null;
}

/**
 * Records automatic versions (docs/decisions/122-document-versions.md): after a burst of editing settles (quietMs
 * without a persisted edit), at most every maxIntervalMs of continuous editing, and when the document leaves memory
 * with edits since the last version. The version's state comes from the stored document (recordVersion).
 */
export function versionRecorderExtension(options: VersionRecorderOptions): CollabExtension {
  const quietMs = options.quietMs ?? DEFAULT_VERSION_QUIET_MS;
  const maxIntervalMs = options.maxIntervalMs ?? DEFAULT_VERSION_MAX_INTERVAL_MS;
  const clock = options.clock ?? realClock;
  const rooms = new WeakMap<Y.Doc, RoomState>();

  const record = (room: RoomState): Promise<void> => {
    if (room.timer !== null) clock.clearTimeout(room.timer);
    room.timer = null;
    room.burstStart = null;
    const run = (room.recording ?? Promise.resolve()).then(async () => {
      try {
        const version = await recordVersion(options.db, { checklistId: room.checklistId, kind: 'auto' });
        if (version) room.logger.debug({ versionId: version.id, editors: version.editors.length }, 'automatic version recorded');
      } catch (error) {
        room.logger.error({ err: error }, 'automatic version could not be recorded');
      }
    });
    room.recording = run.finally(() => {
      if (room.recording === run) room.recording = null;
    });
    return run;
  };

  return {
    name: 'version-recorder',
    // Versions are minutes apart: a few seconds' lag in noticing an edit does not matter (decision 178).
    afterPersistPace: 'background',
    afterLoadDocument({ checklistId, doc, logger }) {
      rooms.set(doc, { checklistId, logger, burstStart: null, timer: null, recording: null });
    },
    async afterPersist({ doc, updates }) {
      const room = rooms.get(doc);
      if (!room || !updates.some((update) => update.source === 'persisted')) return;
      const now = clock.now();
      room.burstStart ??= now;
      if (now - room.burstStart >= maxIntervalMs) {
        await record(room);
        return;
      }
      if (room.timer !== null) clock.clearTimeout(room.timer);
      room.timer = clock.setTimeout(() => void record(room), quietMs);
    },
    async beforeUnloadDocument({ doc }) {
      const room = rooms.get(doc);
      if (!room) return;
      rooms.delete(doc);
      if (room.burstStart !== null) await record(room);
      else {
        if (room.timer !== null) clock.clearTimeout(room.timer);
        await room.recording;
      }
    },
  };
}
