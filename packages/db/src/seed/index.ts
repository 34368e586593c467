import { buildSeedData } from './build.ts';
import { renderSeedSql } from './sql.ts';

export { buildSeedData, demoPasswordHash, type SeedData } from './build.ts';
export { renderSeedSql, sqlLiteral } from './sql.ts';
export { builtInTemplateIds, otherChecklist, otherDeal, otherWorkstream, SEED_TODAY } from './fixtures.ts';
export { deterministicIds, uuidFromName } from './ids.ts';

/** The text of supabase/seed.sql as the current fixtures, templates and story produce it. */
export function generateSeedSql(): string {
  return renderSeedSql(buildSeedData());
}
