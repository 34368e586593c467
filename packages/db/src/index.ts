export type { ActAs, ActAsOptions, Database, DatabaseKind, JwtClaims, QueryResult, Row, ScriptStep, Sql } from './types.ts';
export { DOCUMENT_WRITER_ROLE, type UserRole } from './types.ts';
export { databaseReachable, openDatabase, type OpenDatabaseOptions } from './database.ts';
export { migrate, defaultSupabaseDir, type MigrateOptions, type MigrateResult } from './migrate.ts';
export { DATA_ACCESS_KINDS, DataAccessError, type DataAccessKind } from './errors.ts';
export * from './documents.ts';
export * from './roles.ts';
export * from './live-events.ts';
export * from './deals.ts';
export * from './structure.ts';
export * from './checklists.ts';
export * from './checklist-create.ts';
export * from './templates.ts';
export * from './template-from-checklist.ts';
export { createAppendBatcher, type AppendBatcher, type AppendBatcherOptions } from './append-batcher.ts';
export {
  createServiceBatcher,
  DEFAULT_SERVICE_TICK_MS,
  withBatchedService,
  type ServiceBatcher,
  type ServiceBatcherOptions,
} from './service-batcher.ts';
export * from './projection.ts';
export {
  TenancyError,
  toTenancyError,
  createWorkspace,
  listMyWorkspaces,
  getWorkspace,
  renameWorkspace,
  deleteWorkspace,
  type TenancyErrorCode,
  type Workspace,
  type MyWorkspace,
} from './workspaces.ts';
export {
  listMembers,
  changeMemberRole,
  removeMember,
  leaveWorkspace,
  ownProfile,
  createInvitation,
  listInvitations,
  revokeInvitation,
  acceptInvitation,
  previewInvitation,
  invitationTokenHash,
  INVITATION_DEFAULT_TTL_SECONDS,
  type Member,
  type Invitation,
  type InvitationStatus,
  type InvitationPreview,
  type InvitationState,
} from './members.ts';
export { instanceSecret } from './instance-secrets.ts';
export * from './files.ts';
export * from './search.ts';
export * from './reviews.ts';
export * from './dashboard.ts';
export * from './notifications.ts';
export * from './my-work.ts';
export * from './audit.ts';
export * from './versions.ts';
