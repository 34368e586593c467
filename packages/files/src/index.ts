export * from './names.ts';
export * from './types.ts';
export * from './receive.ts';
export * from './storage.ts';
export * from './config.ts';
export * from './links.ts';
export * from './extract.ts';
export type { ExtractResult, TextChunkOut } from './extract-worker.ts';
