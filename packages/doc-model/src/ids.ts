/** Ids for sections, items, figures and evidence: random, URL-safe, unique across clients. */
export function newId(): string {
  return globalThis.crypto.randomUUID();
}
