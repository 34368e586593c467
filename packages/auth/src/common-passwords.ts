import { readFileSync } from 'node:fs';

/*
 * The 10,000 most common passwords of at least 8 characters (packages/auth/data/common-passwords.txt, taken in order
 * of frequency from @zxcvbn-ts/language-common 4.1.3's list, MIT: common-passwords.LICENSE.txt), as NIST SP 800-63B
 * asks for ("passwords obtained from previous breach corpuses", "dictionary words") and GoTrue's leaked-password check
 * does. Compared case-insensitively and ignoring surrounding spaces.
 */
let list: Set<string> | undefined;

function commonPasswords(): Set<string> {
  list ??= new Set(
    readFileSync(new URL('../data/common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter(Boolean),
  );
  return list;
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.trim().toLowerCase());
}
