import {
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler as createMemoryUploadHandler,
  unstable_parseMultipartFormData as parseMultipartFormData,
} from '@remix-run/node';
import type { Database, JwtClaims } from '@tieout/db';
import { DEFAULT_IMPORT_SECTION, IMPORT_LIMITS, ImportError, formatBytes } from '~/utils/import/limits.ts';
import {
  decodeTarget,
  detectMapping,
  encodeTarget,
  mappingProblems,
  validateRows,
  type ColumnMapping,
  type DateOrder,
  type ImportMember,
  type ImportTable,
  type ValidationResult,
} from '~/utils/import/mapping.ts';
import { parseUpload } from '~/utils/import/table.server.ts';
import { appendItemsLive, LiveAppendError } from './live-append.server.ts';

/** Reads the multipart form of the import page; the file part is capped at the size limit while it streams in. */
export async function readImportForm(request: Request): Promise<FormData> {
  const declared = Number(request.headers.get('Content-Length') ?? 0);
  if (declared > IMPORT_LIMITS.maxFileBytes + 512 * 1024) throw tooLarge();
  if (!(request.headers.get('Content-Type') ?? '').startsWith('multipart/form-data')) {
    throw new ImportError('Choose a CSV or XLSX file to upload.');
  }
  try {
    return await parseMultipartFormData(request, createMemoryUploadHandler({ maxPartSize: IMPORT_LIMITS.maxFileBytes }));
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) throw tooLarge();
    throw error;
  }
}

const tooLarge = () => new ImportError(`The file is larger than ${formatBytes(IMPORT_LIMITS.maxFileBytes)}. Split it into smaller files.`);

/** `owner`: the uploader's user id, so one person's parses at once are bounded (decision 104). */
export async function tableFromForm(form: FormData, owner?: string): Promise<{ fileName: string; table: ImportTable }> {
  const file = form.get('file');
  if (!file || typeof file === 'string' || file.size === 0) throw new ImportError('Choose a CSV or XLSX file to upload.');
  const fileName = 'name' in file && typeof file.name === 'string' ? file.name : 'upload';
  return { fileName, table: await parseUpload(fileName, new Uint8Array(await file.arrayBuffer()), { owner }) };
}

/** The mapping the user chose (`map.<column>` fields); columns without a valid choice fall back to detection. */
export function mappingFromForm(form: FormData, headers: string[]): ColumnMapping {
  const detected = detectMapping(headers);
  return headers.map((_, index) => decodeTarget(form.get(`map.${index}`)) ?? detected[index]!);
}

export const encodeMapping = (mapping: ColumnMapping) => mapping.map(encodeTarget);

/** The date order chosen in the mapping step (`dateOrder` field), if any. */
export function dateOrderFromForm(form: FormData): DateOrder | undefined {
  const value = form.get('dateOrder');
  return value === 'dmy' || value === 'mdy' ? value : undefined;
}

export interface ImportOutcome {
  imported: number;
  /** Existing items the rows updated (same reference, else same title) instead of adding copies. */
  updated: number;
  skipped: number;
  sectionsCreated: string[];
}

/**
 * Validates every row again (the browser's preview is advisory) and appends the valid ones to the live document.
 * Rows with errors block the import unless the user confirmed they are skipped.
 */
export async function importRows(options: {
  db: Database;
  claims: JwtClaims;
  accessToken: string;
  collabBaseUrl: string;
  checklistId: string;
  table: ImportTable;
  mapping: ColumnMapping;
  members: ImportMember[];
  defaultSection: string;
  dateOrder?: DateOrder | undefined;
  skipInvalid: boolean;
  /** Rows that are the same request as an existing item update it (the default offered when there are such rows). */
  updateExisting: boolean;
}): Promise<ImportOutcome> {
  const problems = mappingProblems(options.mapping, options.table.headers);
  if (problems.length > 0) throw new ImportError(problems.join(' '));
  const result: ValidationResult = validateRows(options.table, options.mapping, {
    members: options.members,
    defaultSection: options.defaultSection || DEFAULT_IMPORT_SECTION,
    dateOrder: options.dateOrder,
  });
  if (result.items.length === 0) throw new ImportError('No row can be imported: every row has an error. Fix the file and upload it again.');
  if (result.problems.length > 0 && !options.skipInvalid) {
    const count = result.problems.length;
    throw new ImportError(
      `${count} row${count === 1 ? ' has' : 's have'} errors. Fix ${count === 1 ? 'it' : 'them'} in the file and upload it again, or confirm that ${count === 1 ? 'it is' : 'they are'} skipped.`,
    );
  }
  try {
    const appended = await appendItemsLive({
      db: options.db,
      claims: options.claims,
      accessToken: options.accessToken,
      collabBaseUrl: options.collabBaseUrl,
      checklistId: options.checklistId,
      updateExisting: options.updateExisting,
      items: result.items.map((item) => ({
        rowNumber: item.rowNumber,
        given: item.given,
        section: item.section,
        reference: item.reference,
        title: item.title,
        status: item.status,
        ownerId: item.ownerId,
        dueDate: item.dueDate,
        risk: item.risk,
        figures: item.figures,
        notes: item.notes,
      })),
    });
    return {
      imported: appended.itemIds.length,
      updated: appended.updatedIds.length,
      skipped: result.problems.length,
      sectionsCreated: appended.sectionsCreated,
    };
  } catch (error) {
    if (error instanceof LiveAppendError) throw new ImportError(error.message);
    throw error;
  }
}
