/** Markers around highlighted words in search snippets (control characters, removed from all indexed text). Browser-safe. */
export const HIGHLIGHT_START = '\u0002';
export const HIGHLIGHT_END = '\u0003';

/** What a person filters search results on: file names and file text are both "files". Browser-safe. */
export type SearchResultKind = 'item' | 'note' | 'comment' | 'figure' | 'file';
export const SEARCH_RESULT_KINDS: readonly SearchResultKind[] = ['item', 'note', 'comment', 'figure', 'file'];
