import { type Page } from '@playwright/test';
import { demoChecklists, demoDeal, demoUsers, demoWorkspace } from '@tieout/db/testing';
import { openChecklist } from './support/session.ts';
import { confirmationLink, confirmSignUp, createInvitationLink, fillSignUp, newAccount } from './support/tenancy.ts';
import { sentMail } from './support/mail.ts';
import { expect, test } from './support/fixtures.ts';

/*
 * Workspace membership in the browser, embedded mode: sign-up, invitation links, accepting, role changes,
 * removal, leaving. Set SCREENSHOT_DIR to keep screenshots of the main steps.
 */

const membersPath = `/workspaces/${demoWorkspace.id}/members`;
const checklistItem = /^Status of Reconcile contracted vs deliverable MW per site/;

async function snap(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/tenancy-${name}.png`, fullPage: true });
}

function membersTable(page: Page) {
  return page.getByRole('table', { name: 'Members' });
}

test('a wrong password is refused with "Invalid login credentials" and nobody is signed in', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(demoUsers.owner.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Invalid login credentials');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByLabel('Email')).toHaveValue(demoUsers.owner.email);
  await snap(page, 'wrong-password');
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?redirectTo=|\/login$/);
});

test('sign-up answers a taken address like a new one, and sign-in waits for the mailed confirmation link', async ({ anonymousPage }) => {
  const newcomer = newAccount('Cora Confirm');
  const page = await anonymousPage();
  await page.goto('/signup');
  await fillSignUp(page, newcomer);
  await expect(page.getByRole('status')).toContainText(`Check your inbox: we sent a message to ${newcomer.email}`);

  // Not confirmed yet: the right password is refused with a message saying what to do.
  await page.goto('/login');
  await page.getByLabel('Email').fill(newcomer.email);
  await page.getByLabel('Password').fill(newcomer.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('This email address is not confirmed yet');
  await snap(page, 'sign-in-unconfirmed');

  // Someone tries to sign up with the demo owner's address: the page answers exactly as for a new one, and only
  // the owner's mailbox hears of it.
  const intruder = await anonymousPage();
  await intruder.goto('/signup');
  await fillSignUp(intruder, { name: 'Not Olivia', email: demoUsers.owner.email, password: 'a guess at a passphrase 5' });
  await expect(intruder.getByRole('status')).toHaveText(
    `Check your inbox: we sent a message to ${demoUsers.owner.email}. Open the link in it to confirm your account and sign in.`,
  );
  await expect
    .poll(async () => (await sentMail()).filter((mail) => mail.to.includes(demoUsers.owner.email)).map((mail) => mail.subject))
    .toContain('Someone tried to create a Tieout account with your email');

  // The link confirms and signs in, once.
  const link = await confirmationLink(newcomer.email);
  await page.goto(link);
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByText('You are not a member of any workspace yet')).toBeVisible();
  await page.context().clearCookies();
  await page.goto(link);
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('This confirmation link is not valid');
  await snap(page, 'confirmation-link-used');
});

test('sign-up, then an invitation as reviewer, a role change to editor and removal', async ({ signedInPage, anonymousPage }) => {
  const newcomer = newAccount('Nina Newcomer');

  // The owner invites an address that has no account yet; the page shows the link to send.
  const olivia = await signedInPage(demoUsers.owner.email);
  await olivia.getByRole('link', { name: `Members of ${demoWorkspace.name}` }).click();
  await expect(olivia).toHaveURL(membersPath);
  await expect(olivia.getByText('Tieout does not send email here')).toBeVisible();
  const link = await createInvitationLink(olivia, newcomer.email, 'reviewer');
  await expect(olivia.getByRole('status').filter({ hasText: 'No email was sent' })).toContainText(newcomer.email);
  await expect(olivia.getByRole('table', { name: 'Pending invitations' })).toContainText(newcomer.email);
  await snap(olivia, 'invitation-link');

  // The invitee opens the link signed out, creates an account and comes back to accept.
  const nina = await anonymousPage();
  await nina.goto(link);
  // Before anything else, the link says what it is for; the address it was sent to is only hinted at.
  await expect(nina.getByRole('heading', { name: `You are invited to ${demoWorkspace.name}` })).toBeVisible();
  const hint = `${newcomer.email[0]}…@${newcomer.email.split('@')[1]}`;
  await expect(nina.getByLabel('Invitation')).toHaveText(
    new RegExp(
      `^${demoUsers.owner.name} invited ${escapeRegExp(hint)} to join ${escapeRegExp(demoWorkspace.name)} as reviewer\\. The link works until \\w+ \\d+, \\d{4}\\.$`,
    ),
  );
  await expect(nina.getByText(newcomer.email)).toHaveCount(0);
  await snap(nina, 'invitation-signed-out');
  await nina.getByRole('link', { name: 'Create an account' }).click();
  await expect(nina).toHaveURL(/\/signup\?redirectTo=/);
  await fillSignUp(nina, newcomer);
  await confirmSignUp(nina, newcomer);
  await expect(nina).toHaveURL(new URL(link).pathname);
  await expect(nina.getByText(`You are signed in as ${newcomer.email}`)).toBeVisible();
  await nina.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(nina).toHaveURL(`${membersPath}?joined=1`);
  await expect(nina.getByRole('status')).toContainText(`You joined ${demoWorkspace.name} as reviewer`);
  // A reviewer sees the members but none of the owner's controls.
  await expect(membersTable(nina)).toContainText(demoUsers.owner.name);
  await expect(nina.getByRole('region', { name: 'Invite someone' })).toHaveCount(0);
  await expect(nina.getByRole('button', { name: /^Remove / })).toHaveCount(0);
  await snap(nina, 'joined-as-reviewer');

  // The demo deal is there, read-only.
  await nina.getByRole('link', { name: 'See its deals' }).click();
  await nina.getByRole('link', { name: demoDeal.name, exact: true }).click();
  await expect(nina.getByRole('heading', { level: 1 })).toHaveText(demoDeal.name);
  await expect(nina.getByText('You are reviewer')).toBeVisible();
  await openChecklist(nina, demoChecklists.siteRetrofits.id);
  await expect(nina.getByRole('combobox', { name: checklistItem })).toBeDisabled();
  await snap(nina, 'checklist-read-only');

  // The link worked once: it is no longer pending, and opening it again is refused.
  await olivia.reload();
  await expect(membersTable(olivia)).toContainText(newcomer.email);
  await expect(olivia.getByText('No open invitations.')).toBeVisible();
  await nina.goto(link);
  await expect(nina.getByRole('alert')).toContainText('This invitation has already been used');
  await expect(nina.getByRole('button', { name: 'Accept invitation' })).toHaveCount(0);

  // The owner makes them an editor: the checklist becomes editable for them.
  await olivia.getByRole('combobox', { name: `Role of ${newcomer.name}` }).selectOption('editor');
  await olivia.getByRole('button', { name: `Change role of ${newcomer.name}` }).click();
  await expect(olivia.getByRole('status')).toContainText(`${newcomer.name} is now editor.`);
  await expect(olivia.getByRole('combobox', { name: `Role of ${newcomer.name}` })).toHaveValue('editor');
  await snap(olivia, 'role-changed');
  await openChecklist(nina, demoChecklists.siteRetrofits.id);
  await expect(nina.getByRole('combobox', { name: checklistItem })).toBeEnabled();
  await nina.goto(`/deals/${demoDeal.id}`);
  await expect(nina.getByText('You are editor')).toBeVisible();

  // Removed: the deal, the checklist and the workspace are gone for them.
  await olivia.getByRole('button', { name: `Remove ${newcomer.name}` }).click();
  await expect(olivia.getByRole('status')).toContainText('removed');
  await expect(membersTable(olivia)).not.toContainText(newcomer.email);
  for (const path of [`/deals/${demoDeal.id}`, `/checklists/${demoChecklists.siteRetrofits.id}`, membersPath]) {
    const response = await nina.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(nina.getByRole('alert')).toContainText('Not found');
  }
  await snap(nina, 'after-removal');
  await nina.goto('/');
  await expect(nina.getByText('You are not a member of any workspace yet')).toBeVisible();
});

test('an invitation opened by another account, or after it was revoked, is refused with a clear message', async ({ signedInPage, anonymousPage }) => {
  const invitee = newAccount('Ivan Invitee');
  const olivia = await signedInPage(demoUsers.owner.email);
  await olivia.goto(membersPath);
  const link = await createInvitationLink(olivia, invitee.email, 'viewer');

  // Someone else signed in: wrong email.
  const victor = await signedInPage(demoUsers.viewer.email);
  await victor.goto(link);
  // Said before trying: there is nothing to accept.
  await expect(victor.getByRole('button', { name: 'Accept invitation' })).toHaveCount(0);
  await expect(victor.getByRole('alert')).toContainText('This invitation is for someone else');
  await expect(victor.getByRole('alert')).toContainText('This invitation was sent to another email address');
  await snap(victor, 'invitation-wrong-email');

  // Revoked by the owner: the link stops working, even for the invited address.
  await olivia.getByRole('button', { name: `Revoke invitation for ${invitee.email}` }).click();
  await expect(olivia.getByRole('status')).toContainText(`The invitation for ${invitee.email} was revoked`);
  const ivan = await anonymousPage();
  await ivan.goto(`/signup`);
  await fillSignUp(ivan, invitee);
  await confirmSignUp(ivan, invitee);
  await expect(ivan).toHaveURL('/');
  await ivan.goto(link);
  await expect(ivan.getByRole('alert')).toContainText('This invitation link is not valid');
  await expect(ivan.getByRole('button', { name: 'Accept invitation' })).toHaveCount(0);
  await snap(ivan, 'invitation-revoked');

  // A made-up token is refused the same way.
  await ivan.goto('/invitations/not-a-real-token');
  await expect(ivan.getByRole('alert')).toContainText('This invitation link is not valid');
  await expect(ivan.getByRole('heading', { name: 'You are invited to a workspace' })).toBeVisible();
});

test('an existing user signs in from the invitation link and comes back to accept it', async ({ signedInPage, anonymousPage }) => {
  const member = newAccount('Sam Signin');
  const signup = await anonymousPage();
  await signup.goto('/signup');
  await fillSignUp(signup, member);
  await confirmSignUp(signup, member);
  await expect(signup).toHaveURL('/');
  await signup.context().close();

  const olivia = await signedInPage(demoUsers.owner.email);
  await olivia.goto(membersPath);
  const link = await createInvitationLink(olivia, member.email, 'viewer');

  const sam = await anonymousPage();
  await sam.goto(link);
  await sam.getByRole('link', { name: 'Sign in to accept' }).click();
  await expect(sam).toHaveURL(/\/login\?redirectTo=%2Finvitations%2F/);
  await sam.getByLabel('Email').fill(member.email);
  await sam.getByLabel('Password').fill(member.password);
  await sam.getByRole('button', { name: 'Sign in' }).click();
  await expect(sam).toHaveURL(new URL(link).pathname);
  await sam.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(sam.getByRole('status')).toContainText(`You joined ${demoWorkspace.name} as viewer`);

  // Members may leave; the workspace is then gone from their home page.
  await sam.getByRole('button', { name: 'Leave workspace' }).click();
  await expect(sam).toHaveURL('/');
  await expect(sam.getByText('You are not a member of any workspace yet')).toBeVisible();
});

test('the last owner of a new workspace cannot leave it, and a non-owner cannot manage members', async ({ signedInPage, anonymousPage }) => {
  const founder = newAccount('Fay Founder');
  const page = await anonymousPage();
  await page.goto('/signup');
  await fillSignUp(page, founder);
  await confirmSignUp(page, founder);
  await expect(page).toHaveURL('/');
  await page.getByRole('link', { name: 'New workspace' }).click();

  // Validation next to the field, then the workspace.
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByLabel('Workspace name')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Enter a name for the workspace')).toBeVisible();
  await page.getByLabel('Workspace name').fill('Fay Capital');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(/\/workspaces\/[0-9a-f-]{36}\/members$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Fay Capital');
  await expect(page.getByText('You are owner')).toBeVisible();

  // Inviting with a malformed address: the message is next to the field and nothing is created.
  const invite = page.getByRole('region', { name: 'Invite someone' });
  await invite.getByLabel('Email').fill('not-an-address');
  await invite.getByRole('button', { name: 'Create invitation link' }).click();
  await expect(invite.getByText('Enter a valid email address')).toBeVisible();
  await expect(invite.getByLabel('Email')).toHaveValue('not-an-address');
  await expect(page.getByText('No open invitations.')).toBeVisible();

  await page.getByRole('button', { name: 'Leave workspace' }).click();
  await expect(page.getByRole('alert')).toContainText('A workspace must keep at least one owner');
  await expect(membersTable(page)).toContainText(founder.email);
  await snap(page, 'last-owner-cannot-leave');
  await page.reload();
  await expect(page.getByText('You are owner')).toBeVisible();

  // A reviewer of the demo workspace posting the owners' form directly gets a 403 page with the reason.
  const rita = await signedInPage(demoUsers.reviewer.email);
  const response = await rita.request.post(membersPath, {
    form: { intent: 'remove', userId: demoUsers.editor.id },
  });
  expect(response.status()).toBe(403);
  expect(await response.text()).toContain('Only owners can remove members');
  await rita.goto(membersPath);
  await expect(membersTable(rita)).toContainText(demoUsers.editor.email);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
