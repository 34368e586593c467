/** Limits of one import; the page states them and the server enforces them. */
export const IMPORT_LIMITS = {
  maxFileBytes: 5 * 1024 * 1024,
  maxRows: 5_000,
  maxColumns: 100,
  maxCellChars: 5_000,
} as const;

export class ImportError extends Error {
  override name = 'ImportError';
}

export const formatBytes = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB` : `${Math.ceil(bytes / 1024)} kB`;

/** Section of imported rows that name none. */
export const DEFAULT_IMPORT_SECTION = 'Imported requests';
