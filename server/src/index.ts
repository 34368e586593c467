export { attachCollabServer, CollabServer, type CollabServerOptions, type Readiness } from './collab-server.ts';
export { startCollabServer, type StandaloneCollabServer } from './standalone.ts';
export {
  loadCollabConfig,
  ConfigError,
  defaultLimits,
  defaultTiming,
  type CollabConfig,
  type CollabLimits,
  type CollabTiming,
} from './config.ts';
export { CloseCode, type CloseCodeValue } from './close-codes.ts';
