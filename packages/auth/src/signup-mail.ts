import { randomUUID } from 'node:crypto';
import type { EmailMessage } from '@tieout/db';

/*
 * The two mails a sign-up sends (decision 115): a new address gets its confirmation link; a registered one is
 * told that someone tried to sign up with it, and how to sign in or get back in. The sign-up's answer is the
 * same in both cases: only the mailbox's owner learns which it was.
 */

/** Where the app confirms a sign-up: `/signup/confirm?token_hash=…&type=signup&next=…` (Supabase's SSR pattern). */
export function confirmationLink(siteUrl: string, token: string, next: string): string {
  const url = new URL('/signup/confirm', siteUrl);
  url.searchParams.set('token_hash', token);
  url.searchParams.set('type', 'signup');
  if (next !== '/') url.searchParams.set('next', next);
  return url.toString();
}

export function confirmationMail(to: string, link: string, ttlSeconds: number): EmailMessage {
  return {
    to,
    messageId: `${randomUUID()}@tieout`,
    subject: 'Confirm your Tieout account',
    text: [
      'Someone (we hope you) created a Tieout account with this email address.',
      '',
      `To confirm it and sign in, open this link within ${describeDuration(ttlSeconds)}:`,
      link,
      '',
      'The link works once. If you signed up more than once, only the newest link works, and it sets up the',
      'account with the password chosen in that sign-up.',
      '',
      'If this was not you, ignore this message: no account is created without this link.',
    ].join('\n'),
  };
}

export function alreadyRegisteredMail(to: string, siteUrl: string): EmailMessage {
  const signIn = new URL('/login', siteUrl).toString();
  return {
    to,
    messageId: `${randomUUID()}@tieout`,
    subject: 'Someone tried to create a Tieout account with your email',
    text: [
      'Someone just tried to create a Tieout account with this email address, but it already has an account.',
      'Nothing was changed: your password and sessions are as they were.',
      '',
      `If it was you, sign in instead: ${signIn}`,
      'If you forgot your password: this Tieout instance cannot reset passwords by email; ask whoever runs it',
      'to set a new one for you.',
      '',
      'If it was not you, you can ignore this message.',
    ].join('\n'),
  };
}

function describeDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} seconds`;
}
