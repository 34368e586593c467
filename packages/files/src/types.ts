import { open } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';
import { extensionOf } from './names.ts';

/*
 * The types Tieout accepts, told apart by their bytes (file-type reads the file's signature, and for zip containers
 * like XLSX the entries inside), never by the name or the browser's claim. Text kinds have no signature: a file is
 * text when its first 64 KB are valid UTF-8 with no NUL byte.
 */

export type PreviewKind = 'pdf' | 'image' | 'table' | 'text' | 'none';

export interface AcceptedType {
  contentType: string;
  label: string;
  extensions: readonly string[];
  preview: PreviewKind;
}

export const ACCEPTED_TYPES: readonly AcceptedType[] = [
  { contentType: 'application/pdf', label: 'PDF', extensions: ['pdf'], preview: 'pdf' },
  { contentType: 'image/png', label: 'PNG image', extensions: ['png'], preview: 'image' },
  { contentType: 'image/jpeg', label: 'JPEG image', extensions: ['jpg', 'jpeg'], preview: 'image' },
  { contentType: 'image/gif', label: 'GIF image', extensions: ['gif'], preview: 'image' },
  { contentType: 'image/webp', label: 'WebP image', extensions: ['webp'], preview: 'image' },
  {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    label: 'Excel workbook',
    extensions: ['xlsx'],
    preview: 'table',
  },
  {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    label: 'Word document',
    extensions: ['docx'],
    preview: 'none',
  },
  { contentType: 'text/csv', label: 'CSV', extensions: ['csv'], preview: 'table' },
  { contentType: 'text/plain', label: 'Text', extensions: ['txt', 'md', 'log'], preview: 'text' },
];

export const acceptedExtensions = ACCEPTED_TYPES.flatMap((t) => t.extensions);
const textTypes = new Set(['text/csv', 'text/plain']);

export function acceptedTypeOf(contentType: string): AcceptedType | undefined {
  return ACCEPTED_TYPES.find((t) => t.contentType === contentType);
}

export class FileTypeError extends Error {
  override name = 'FileTypeError';
}

/** Checked before any byte is read: the name's extension (and the claimed type, when given) must be on the list. */
export function expectedTypeFor(name: string, claimedType: string | null | undefined): AcceptedType {
  const extension = extensionOf(name);
  const byExtension = ACCEPTED_TYPES.find((t) => t.extensions.includes(extension));
  if (!byExtension) {
    throw new FileTypeError(
      `${extension ? `.${extension} files are` : 'Files without an extension are'} not accepted: upload ${ACCEPTED_TYPES.map((t) => t.label).join(', ')}`,
    );
  }
  const claim = (claimedType ?? '').split(';')[0]!.trim().toLowerCase();
  // Browsers claim '' or application/octet-stream for types they do not know, and CSV under several names.
  const vague = claim === '' || claim === 'application/octet-stream' || (byExtension.contentType === 'text/csv' && /csv|excel/.test(claim));
  if (!vague && claim !== byExtension.contentType && !(claim.startsWith('text/') && textTypes.has(byExtension.contentType))) {
    throw new FileTypeError(`The file is named .${extension} but was sent as ${claim}`);
  }
  return byExtension;
}

async function looksLikeUtf8Text(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head.includes(0)) return false;
    // A multi-byte character may be cut at the end of the sample: allow up to 3 trailing bytes to be partial.
    for (let cut = 0; cut <= 3 && cut < head.length; cut++) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut));
        return true;
      } catch {
        if (bytesRead < buffer.length) return false;
      }
    }
    return false;
  } finally {
    await handle.close();
  }
}

/**
 * The type the bytes show, which must be the type the name promised (e.g. a PNG renamed .pdf is refused).
 * Returns the accepted type to store and serve the file as.
 */
export async function sniffStoredType(path: string, expected: AcceptedType): Promise<AcceptedType> {
  const detected = await fileTypeFromFile(path);
  if (textTypes.has(expected.contentType)) {
    if (detected || !(await looksLikeUtf8Text(path))) {
      throw new FileTypeError(`The file is named as ${expected.label} but its content is ${detected ? detected.mime : 'not UTF-8 text'}`);
    }
    return expected;
  }
  if (!detected) throw new FileTypeError(`The file is named as ${expected.label} but its content is not a recognisable ${expected.label}`);
  if (detected.mime !== expected.contentType) {
    throw new FileTypeError(`The file is named as ${expected.label} but its content is ${acceptedTypeOf(detected.mime)?.label ?? detected.mime}`);
  }
  return expected;
}
