import { randomBytes } from 'node:crypto';
import { expect, type Page } from '@playwright/test';
import { sentMail } from './mail.ts';

export interface NewAccount {
  name: string;
  email: string;
  password: string;
}

/** A never-used account (unique per run, since the test database lives as long as the web server). */
export function newAccount(label: string): NewAccount {
  const suffix = randomBytes(4).toString('hex');
  return {
    name: `${label} ${suffix}`,
    email: `${label.toLowerCase().replace(/\W+/g, '.')}.${suffix}@example.com`,
    password: `pw-${randomBytes(9).toString('base64url')}`,
  };
}

/** Fills in the sign-up form on the current page (/signup, possibly with ?redirectTo). */
export async function fillSignUp(page: Page, account: NewAccount): Promise<void> {
  await page.getByLabel('Name').fill(account.name);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** The newest confirmation link mailed to `email` (waits for the message). */
export async function confirmationLink(email: string): Promise<string> {
  let link = '';
  await expect
    .poll(
      async () => {
        const mails = (await sentMail()).filter((mail) => mail.to.includes(email) && mail.subject === 'Confirm your Tieout account');
        link = /https?:\/\/\S+\/signup\/confirm\?\S+/.exec(mails.at(-1)?.text ?? '')?.[0] ?? '';
        return link;
      },
      { message: `a confirmation mail to ${email}` },
    )
    .not.toBe('');
  return link;
}

/**
 * After the sign-up form: the page says to check the inbox (the same for every address); the mailed link
 * confirms the account and signs in, then goes on to where the sign-up was headed.
 */
export async function confirmSignUp(page: Page, account: NewAccount): Promise<void> {
  await expect(page.getByRole('status')).toContainText(`Check your inbox: we sent a message to ${account.email}`);
  await page.goto(await confirmationLink(account.email));
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
}

/** On a workspace's members page as an owner: invites `email` and returns the link the page shows. */
export async function createInvitationLink(page: Page, email: string, role: string): Promise<string> {
  const invite = page.getByRole('region', { name: 'Invite someone' });
  await invite.getByLabel('Email').fill(email);
  await invite.getByLabel('Role', { exact: true }).selectOption(role);
  await invite.getByRole('button', { name: 'Create invitation link' }).click();
  const link = page.getByRole('textbox', { name: 'Invitation link' });
  await expect(link).toHaveValue(/\/invitations\//);
  return link.inputValue();
}
