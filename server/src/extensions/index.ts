import { env, parseEnv } from '@tieout/config';
import { createServiceBatcher, withBatchedService, type Database } from '@tieout/db';
import { z } from 'zod';
import { BACKGROUND_PACE_FACTOR, type CollabExtension } from '../lifecycle.ts';
import { auditTrailExtension } from './audit-trail.ts';
import { projectionExtension } from './projection.ts';
import { reviewRuleExtension } from './review-rule.ts';
import { searchIndexExtension } from './search-index.ts';
import { DEFAULT_VERSION_MAX_INTERVAL_MS, DEFAULT_VERSION_QUIET_MS, versionRecorderExtension, type RecorderClock } from './versions.ts';

export { projectionExtension } from './projection.ts';
export { doneRequiresApprovalVerdict, reviewRuleExtension, type ApprovalRule, type ReviewRuleExtension } from './review-rule.ts';
export { searchIndexExtension } from './search-index.ts';
export { auditTrailExtension } from './audit-trail.ts';
export { versionRecorderExtension, type RecorderClock, type VersionRecorderOptions } from './versions.ts';

export interface DefaultExtensionsOptions {
  /** The database the server writes to (the projection, audit trail and versions are written as service_role). */
  db: Database;
  /** Automatic versions; default from COLLAB_VERSION_QUIET_MS / COLLAB_VERSION_MAX_INTERVAL_MS (5 min / 1 h). */
  versions?: { quietMs?: number; maxIntervalMs?: number; clock?: RecorderClock };
  /**
   * Set when rooms are shared with other processes (Redis): on load the audit writer leaves log rows younger than
   * max(1 min, 3 × its widest spacing, a background extension's at the lifecycle's maximum) to the live process that
   * wrote them (decisions 121, 178).
   */
  sharedRooms?: { afterPersistMaxIntervalMs: number };
  /**
   * How long the extensions' service-role work waits for other documents' to share its transaction (ms, default
   * DEFAULT_SERVICE_TICK_MS; decision 175). 0: only work queued in the same turn, or while a batch is in flight.
   */
  serviceTickMs?: number;
}

const SHARED_ROOM_REPLAY_AGE_MIN_MS = 60_000;

const versionEnvSchema = z.object({
  COLLAB_VERSION_QUIET_MS: env.positiveInt(DEFAULT_VERSION_QUIET_MS),
  COLLAB_VERSION_MAX_INTERVAL_MS: env.positiveInt(DEFAULT_VERSION_MAX_INTERVAL_MS),
});

/** The version recorder's timing from the environment (a bad value is a ConfigError naming the variable). */
export function versionTimingFromEnv(source: Record<string, string | undefined>): { quietMs: number; maxIntervalMs: number } {
  const parsed = parseEnv(versionEnvSchema, source);
  return { quietMs: parsed.COLLAB_VERSION_QUIET_MS, maxIntervalMs: parsed.COLLAB_VERSION_MAX_INTERVAL_MS };
}

/**
 * The extensions every deployment installs, in order: both the embedded server (app/server.ts) and the standalone one
 * (server/src/standalone.ts) call this, so the after-write pipeline is the same in both.
 */
export function defaultExtensions(options: DefaultExtensionsOptions): CollabExtension[] {
  const versions = options.versions ?? versionTimingFromEnv(process.env);
  // Every document's projection, audit trail, search index and notice writes share service-role transactions
  // (one begin, role switch and commit for all that is due in a tick), as the update log's appends do (decision 175).
  const writes = withBatchedService(options.db, createServiceBatcher(options.db, { tickMs: options.serviceTickMs }));
  return [
    projectionExtension(options.db, { writes }),
    auditTrailExtension(options.db, {
      writes,
      replayOlderThanMs: options.sharedRooms
        ? Math.max(SHARED_ROOM_REPLAY_AGE_MIN_MS, 3 * BACKGROUND_PACE_FACTOR * options.sharedRooms.afterPersistMaxIntervalMs)
        : 0,
    }),
    // A version reads and rewrites the whole stored document: kept out of the shared transactions it would hold up.
    // (Loads read through options.db directly: a document's first sync does not wait for a tick.)
    versionRecorderExtension({ db: options.db, ...versions }),
    searchIndexExtension(options.db, { writes }),
    // "Done requires approval" (beforeApplyUpdate) and assignment notices (decision 133).
    reviewRuleExtension(options.db, { writes }),
  ];
}
