import { createHash } from 'node:crypto';

/** A UUID (version-4 layout) derived from a name, so the seed gets the same ids on every run. */
export function uuidFromName(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** An id factory for the doc model (`applyTemplate(..., { newId })`): name:0, name:1, ... hashed to UUIDs. */
export function deterministicIds(namespace: string): () => string {
  let next = 0;
  return () => uuidFromName(`${namespace}:${next++}`);
}
