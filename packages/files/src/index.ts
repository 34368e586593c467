export * from './names.ts';
export * from './types.ts';
export * from './receive.ts';
export * from './storage.ts';
export * from './config.ts';
export * from './links.ts';
export * from './extract.ts';
export type { ExtractResult, ExtractTask, TextChunkOut } from './extract-types.ts';
