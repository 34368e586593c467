export { attachCollabServer, CollabServer, type CollabServerOptions, type Readiness } from './collab-server.ts';
export { startCollabServer, type StandaloneCollabServer } from './standalone.ts';
export {
  loadCollabConfig,
  loadCollabTuning,
  defaultLimits,
  defaultTiming,
  type CollabConfig,
  type CollabLimits,
  type CollabTiming,
  type CollabTuning,
} from './config.ts';
export { CloseCode, type CloseCodeValue } from './close-codes.ts';
export {
  Lifecycle,
  RefuseConnection,
  DEFAULT_AFTER_PERSIST_INTERVAL_MS,
  DEFAULT_AFTER_PERSIST_MAX_INTERVAL_MS,
  BACKGROUND_PACE_FACTOR,
  type AfterPersistPace,
  type LifecycleOptions,
  type CollabExtension,
  type ConnectContext,
  type DisconnectContext,
  type DocumentContext,
  type BeforeApplyUpdateContext,
  type ApplyVerdict,
  type AfterPersistContext,
  type PersistedUpdate,
  type DocumentChanges,
  type WriteRejectedContext,
} from './lifecycle.ts';
export {
  defaultExtensions,
  projectionExtension,
  auditTrailExtension,
  versionRecorderExtension,
  searchIndexExtension,
  versionTimingFromEnv,
  type DefaultExtensionsOptions,
  type RecorderClock,
  type VersionRecorderOptions,
} from './extensions/index.ts';
