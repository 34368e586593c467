/** A same-site path to go to after signing in; anything else (other hosts, protocol-relative URLs) becomes "/". */
export function safeRedirectPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  if (Array.from(value).some((char) => char.charCodeAt(0) < 0x20)) return fallback; // control characters
  return value;
}
