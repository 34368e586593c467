import type { Database } from '@tieout/db';
import type { CollabExtension } from '../lifecycle.ts';
import { projectionExtension } from './projection.ts';
import { reviewRuleExtension } from './review-rule.ts';

export { projectionExtension } from './projection.ts';
export { doneRequiresApprovalVerdict, reviewRuleExtension, type ApprovalRule, type ReviewRuleExtension } from './review-rule.ts';

export interface DefaultExtensionsOptions {
  /** The database the server writes to (the projection, audit trail and versions are written as service_role). */
  db: Database;
}

/**
 * The extensions every deployment installs, in order: both the embedded server (app/server.ts) and the standalone one
 * (server/src/main.ts) call this, so the after-write pipeline is the same in both.
 */
export function defaultExtensions(options: DefaultExtensionsOptions): CollabExtension[] {
  return [projectionExtension(options.db), reviewRuleExtension(options.db)];
}
