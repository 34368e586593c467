import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type ErrorKind =
  | 'malformed_message'
  | 'invalid_update'
  | 'schema_violation'
  | 'awareness_refused'
  | 'persist_failed'
  | 'persist_rejected'
  | 'compaction_failed'
  | 'load_failed'
  | 'recheck_failed'
  | 'redis'
  | 'internal';

/** The server's Prometheus metrics, in a registry of its own so several servers can live in one process. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'collab_' });
  const registers = [registry];
  return {
    registry,
    connections: new Gauge({ name: 'collab_connections', help: 'Open, authorized WebSocket connections', registers }),
    connectionsRefused: new Counter({
      name: 'collab_connections_refused_total',
      help: 'Connections closed before or during authorization, by close code',
      labelNames: ['code'] as const,
      registers,
    }),
    documentsLoaded: new Gauge({ name: 'collab_documents_loaded', help: 'Documents held in memory', registers }),
    messagesIn: new Counter({ name: 'collab_messages_in_total', help: 'Frames received', labelNames: ['type'] as const, registers }),
    messagesOut: new Counter({ name: 'collab_messages_out_total', help: 'Frames sent', registers }),
    bytesIn: new Counter({ name: 'collab_bytes_in_total', help: 'Bytes received', registers }),
    bytesOut: new Counter({ name: 'collab_bytes_out_total', help: 'Bytes sent', registers }),
    writesDenied: new Counter({ name: 'collab_writes_denied_total', help: 'Edits dropped from read-only sessions', registers }),
    membershipEvents: new Counter({
      name: 'collab_membership_events_total',
      help: 'Membership changes heard (live events): the affected sessions are held and re-checked',
      registers,
    }),
    framesHeld: new Counter({
      name: 'collab_frames_held_total',
      help: "Frames held, unapplied, while the sender's access was re-checked after a membership change",
      registers,
    }),
    documentsReverted: new Counter({
      name: 'collab_documents_reverted_total',
      help: 'Documents reloaded from the log because the database refused an edit already applied in memory',
      registers,
    }),
    persistSeconds: new Histogram({
      name: 'collab_persist_seconds',
      help: 'Latency of one persisted batch',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    persistedUpdates: new Counter({ name: 'collab_persisted_updates_total', help: 'Client updates written to the log', registers }),
    persistQueueDepth: new Gauge({ name: 'collab_persist_queue_depth', help: 'Updates waiting to be written', registers }),
    compactions: new Counter({ name: 'collab_compactions_total', help: 'Snapshots written', registers }),
    errors: new Counter({ name: 'collab_errors_total', help: 'Errors by kind', labelNames: ['kind'] as const, registers }),
    extensionErrors: new Counter({
      name: 'collab_extension_errors_total',
      help: 'Errors thrown by extension hooks (server/src/lifecycle.ts), by extension and hook',
      labelNames: ['extension', 'hook'] as const,
      registers,
    }),
    afterPersistSeconds: new Histogram({
      name: 'collab_after_persist_seconds',
      help: 'Duration of one afterPersist run, by extension',
      labelNames: ['extension'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    afterPersistRuns: new Counter({
      name: 'collab_after_persist_runs_total',
      help: 'afterPersist runs that completed, by extension',
      labelNames: ['extension'] as const,
      registers,
    }),
    afterPersistUpdates: new Counter({
      name: 'collab_after_persist_updates_total',
      help: 'Updates handed to afterPersist runs (several per run when coalesced), by extension',
      labelNames: ['extension'] as const,
      registers,
    }),
  };
}

export type CollabMetrics = ReturnType<typeof createMetrics>;
