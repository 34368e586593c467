/** One task for the extraction worker (extract-worker.mjs). */
export interface ExtractTask {
  task: 'text' | 'table';
  path: string;
  contentType: string;
  maxChars: number;
  maxRows: number;
  maxColumns: number;
  maxTextBytes: number;
}

export interface TextChunkOut {
  /** 1-based PDF page, or null. */
  page: number | null;
  text: string;
}

export type ExtractResult =
  { task: 'text'; chunks: TextChunkOut[]; truncated: boolean } | { task: 'table'; sheetName: string | null; rows: string[][]; truncated: boolean };
