/** The e2e server's development mail folder (MAIL_DIR, passed by playwright.config.ts), and reading it. */
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function e2eMailDir(): string {
  return process.env.MAIL_DIR ?? join(tmpdir(), `tieout-e2e-mail-${process.env.E2E_PORT ?? '3100'}`);
}

export interface SentMail {
  to: string[];
  subject: string;
  text: string;
  messageId: string;
}

/** Every message written so far (nodemailer's JSON transport, one file each). */
export async function sentMail(): Promise<SentMail[]> {
  const dir = e2eMailDir();
  const names = await readdir(dir).catch(() => [] as string[]);
  const messages = await Promise.all(
    names
      .filter((name) => name.endsWith('.json'))
      .map(
        async (name) =>
          JSON.parse(await readFile(join(dir, name), 'utf8')) as { to: { address: string }[]; subject: string; text: string; messageId: string },
      ),
  );
  return messages.map((message) => ({
    to: message.to.map((entry) => entry.address),
    subject: message.subject,
    text: message.text,
    messageId: message.messageId,
  }));
}
