/*
 * File names as people gave them, made safe to store and to send back in a Content-Disposition header:
 * no path separators, no control characters, no names Windows reserves, no leading dots, at most 255 bytes.
 */

const reservedWindowsNames = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// eslint-disable-next-line no-control-regex
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f/\\:*?"<>|\u202a-\u202e\u2066-\u2069\u200e\u200f]/g;

export class FileNameError extends Error {
  override name = 'FileNameError';
}

const MAX_NAME_BYTES = 255;

/** The cleaned name, or a FileNameError when nothing usable is left. */
export function cleanFileName(raw: string): string {
  let name = raw.normalize('NFC');
  // Browsers may send a path (C:\fakepath\x.pdf): keep the last segment.
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.replace(unsafeCharacters, '_').replace(/\s+/g, ' ').trim();
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (!name || /^_+$/.test(name)) throw new FileNameError('The file needs a name made of letters or digits');
  if (reservedWindowsNames.test(name)) name = `_${name}`;
  const encoder = new TextEncoder();
  if (encoder.encode(name).length > MAX_NAME_BYTES) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    let stem = name.slice(0, name.length - extension.length);
    while (encoder.encode(stem + extension).length > MAX_NAME_BYTES) stem = Array.from(stem).slice(0, -1).join('');
    name = stem + extension;
  }
  return name;
}

/** The extension (lower case, no dot), or ''. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** A Content-Disposition header value for the name (ASCII fallback plus RFC 5987 UTF-8). */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
