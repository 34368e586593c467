export * from './schema.ts';
export * from './layout.ts';
export * from './checklist.ts';
export * from './template.ts';
export * from './projection.ts';
export * from './dates.ts';
export { newId } from './ids.ts';
export * from './update-guard.ts';
export * from './review.ts';
