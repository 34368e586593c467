/*
 * A workspace's members. Everyone sees who is in it and can leave; owners invite by email (the page shows the
 * one-time link to send, since Tieout sends no email), revoke open invitations, change roles and remove members.
 * Every change runs as the signed-in user and the database decides (docs/decisions/012); its refusals (not an
 * owner, the last owner, ...) come back as messages next to the form that was used.
 * Accessible names: textbox "Email", combobox "Role" (invite form), button "Create invitation link",
 * textbox "Invitation link", combobox "Role of <name>", button "Change role of <name>", button "Remove <name>",
 * button "Revoke invitation for <email>", button "Leave workspace", table "Members", table "Pending invitations".
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import {
  changeMemberRole,
  createInvitation,
  getWorkspace,
  leaveWorkspace,
  listInvitations,
  listMembers,
  removeMember,
  revokeInvitation,
} from '@tieout/db';
import { useState } from 'react';
import { z } from 'zod';
import { buttonClass, fieldClass, FormAlert, TextField } from '~/components/form.tsx';
import { memberRoles, roleLabels, type MemberRole } from '@tieout/db/roles';
import { attempt, invitationUrl, isMemberIntent, memberIntentSchema, type MemberIntent } from '~/models/tenancy.server.ts';
import { requireUser, type UserSession } from '~/utils/auth.server.ts';
import { parseForm } from '~/utils/forms.ts';

export const meta: MetaFunction<typeof loader> = ({ data: loaderData }) => [
  { title: loaderData ? `Members · ${loaderData.workspace.name} · Tieout` : 'Members · Tieout' },
];

const NOT_FOUND = 'This workspace does not exist or you are not a member of it.';

function workspaceIdFrom(params: LoaderFunctionArgs['params'], session: UserSession): string {
  const id = z.uuid().safeParse(params.workspaceId);
  if (!id.success) throw data(NOT_FOUND, { status: 404, headers: session.headers });
  return id.data;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireUser(request, context);
  const workspaceId = workspaceIdFrom(params, session);
  const { db } = context;
  const loaded = await attempt(async () => {
    const workspace = await getWorkspace(db, session.claims, workspaceId);
    const members = await listMembers(db, session.claims, workspaceId);
    const invitations =
      workspace.role === 'owner'
        ? (await listInvitations(db, session.claims, workspaceId)).filter((invitation) => invitation.status === 'pending')
        : null;
    const joined = new URL(request.url).searchParams.has('joined');
    return data({ workspace, members, invitations, me: session.user.id, joined }, { headers: session.headers });
  });
  if (loaded.ok) return loaded.value;
  throw data(loaded.code === 'not_found' ? NOT_FOUND : loaded.message, { status: loaded.status, headers: session.headers });
}

export interface MembersActionResult {
  intent: MemberIntent | null;
  /** The member or invitation the form was about (errors show next to its row). */
  target: string | null;
  fieldErrors: Record<string, string | undefined>;
  formError: string | null;
  notice: string | null;
  values: Record<string, string>;
  invitation: { email: string; role: MemberRole; link: string; expiresAt: string } | null;
}

function result(partial: Partial<MembersActionResult>, status: number, headers: Headers) {
  const body: MembersActionResult = {
    intent: null,
    target: null,
    fieldErrors: {},
    formError: null,
    notice: null,
    values: {},
    invitation: null,
    ...partial,
  };
  return data(body, { status, headers });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const session = await requireUser(request, context);
  const workspaceId = workspaceIdFrom(params, session);
  const { db } = context;
  const { claims, headers } = session;
  const form = await request.formData();
  const intent = form.get('intent');
  if (!isMemberIntent(intent)) return result({ formError: 'Unknown action: reload the page and try again.' }, 400, headers);
  const target = String(form.get('userId') ?? form.get('invitationId') ?? '') || null;

  const parsed = parseForm(memberIntentSchema, form);
  if (!parsed.ok) {
    const fieldErrors = parsed.fieldErrors as Record<string, string | undefined>;
    const formError = intent === 'invite' ? null : (Object.values(fieldErrors)[0] ?? 'Invalid input');
    return result({ intent, target, fieldErrors: intent === 'invite' ? fieldErrors : {}, formError, values: parsed.values }, 400, headers);
  }
  const input = parsed.data;

  const outcome = await attempt(async (): Promise<Partial<MembersActionResult> | 'left'> => {
    switch (input.intent) {
      case 'invite': {
        const { invitation, token } = await createInvitation(db, claims, { workspaceId, email: input.email, role: input.role });
        return {
          invitation: { email: invitation.email, role: invitation.role, link: invitationUrl(request, token), expiresAt: invitation.expiresAt },
        };
      }
      case 'revoke': {
        const invitation = await revokeInvitation(db, claims, { workspaceId, invitationId: input.invitationId });
        return { notice: `The invitation for ${invitation.email} was revoked: its link no longer works.` };
      }
      case 'change-role': {
        const member = await changeMemberRole(db, claims, { workspaceId, userId: input.userId, role: input.role });
        return { notice: `${member.displayName} is now ${roleLabels[member.role].toLowerCase()}.` };
      }
      case 'remove': {
        await removeMember(db, claims, { workspaceId, userId: input.userId });
        return input.userId === claims.sub ? 'left' : { notice: 'The member was removed from the workspace.' };
      }
      case 'leave':
        await leaveWorkspace(db, claims, workspaceId);
        return 'left';
    }
  });

  if (!outcome.ok) {
    if (outcome.code === 'not_found' && !(await attempt(() => getWorkspace(db, claims, workspaceId))).ok) {
      // Not a member (any more): nothing about the workspace is shown.
      throw data(NOT_FOUND, { status: 404, headers });
    }
    const formError = outcome.message;
    const values: Record<string, string> = input.intent === 'invite' ? { email: input.email, role: input.role } : {};
    // A failed invitation keeps what was typed; the email field carries the message when it is about the address.
    const fieldErrors = intent === 'invite' && outcome.code === 'already_member' ? { email: outcome.message } : {};
    return result({ intent, target, formError: Object.keys(fieldErrors).length ? null : formError, fieldErrors, values }, outcome.status, headers);
  }
  if (outcome.value === 'left') throw redirect('/', { headers });
  return result({ intent, target, ...outcome.value }, 200, headers);
}

const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });
const formatDate = (iso: string) => dateFormat.format(new Date(iso));

const smallButton =
  'rounded-md border border-slate-300 px-2.5 py-1 text-xs font-medium hover:bg-slate-100 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800';
const dangerButton =
  'rounded-md border border-red-300 px-2.5 py-1 text-xs font-medium text-red-700 hover:bg-red-50 disabled:opacity-60 dark:border-red-900 dark:text-red-300 dark:hover:bg-red-950';

export default function WorkspaceMembers() {
  const { workspace, members, invitations, me, joined } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busyIntent = navigation.state === 'submitting' ? navigation.formData?.get('intent') : null;
  const isOwner = workspace.role === 'owner';
  const errorFor = (intent: MemberIntent, target: string | null = null) =>
    actionData?.intent === intent && actionData.target === target ? actionData.formError : null;
  // Errors show next to the form used; one about a form or row this page does not show (a forged or stale
  // request) shows at the top.
  const shownInPlace =
    (actionData?.intent === 'invite' && isOwner) ||
    actionData?.intent === 'leave' ||
    ((actionData?.intent === 'change-role' || actionData?.intent === 'remove') && members.some((member) => member.userId === actionData.target)) ||
    (actionData?.intent === 'revoke' && !!invitations?.some((invitation) => invitation.id === actionData.target));

  return (
    <div className="space-y-8">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to="/" className="hover:underline">
          Your deals
        </Link>
      </nav>
      <header className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{workspace.name}</h1>
          <p className="mt-1 text-slate-600 dark:text-slate-400">
            {workspace.memberCount} {workspace.memberCount === 1 ? 'member' : 'members'}
          </p>
        </div>
        <span className="rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-300">
          You are {roleLabels[workspace.role].toLowerCase()}
        </span>
      </header>

      {joined ? (
        <p
          role="status"
          className="rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
        >
          You joined {workspace.name} as {roleLabels[workspace.role].toLowerCase()}.{' '}
          <Link to="/" className="font-medium underline">
            See its deals
          </Link>
        </p>
      ) : null}
      {actionData?.notice ? (
        <p
          role="status"
          className="rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900 dark:border-sky-900 dark:bg-sky-950 dark:text-sky-100"
        >
          {actionData.notice}
        </p>
      ) : null}
      {actionData?.formError && !shownInPlace ? <FormAlert>{actionData.formError}</FormAlert> : null}

      {isOwner ? <InviteSection busy={busyIntent === 'invite'} result={actionData ?? null} /> : null}

      <section aria-labelledby="members-heading" className="space-y-3">
        <h2 id="members-heading" className="text-lg font-semibold">
          Members
        </h2>
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
          <table aria-labelledby="members-heading" className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  Name
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Email
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Role
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Joined
                </th>
                {isOwner ? (
                  <th scope="col" className="px-4 py-2 font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {members.map((member) => {
                const rowError = errorFor('change-role', member.userId) ?? errorFor('remove', member.userId);
                return (
                  <tr key={member.userId} className="align-top">
                    <td className="px-4 py-3 font-medium">
                      {member.displayName}
                      {member.userId === me ? <span className="ml-1 text-xs font-normal text-slate-500">(you)</span> : null}
                    </td>
                    <td className="px-4 py-3 text-slate-600 dark:text-slate-400">{member.email}</td>
                    <td className="px-4 py-3">
                      {isOwner ? (
                        <Form method="post" className="flex flex-wrap items-center gap-2">
                          <input type="hidden" name="userId" value={member.userId} />
                          <select
                            key={`${member.userId}-${member.role}`}
                            name="role"
                            defaultValue={member.role}
                            aria-label={`Role of ${member.displayName}`}
                            className={`${fieldClass} py-1`}
                          >
                            {memberRoles.map((role) => (
                              <option key={role} value={role}>
                                {roleLabels[role]}
                              </option>
                            ))}
                          </select>
                          <button
                            type="submit"
                            name="intent"
                            value="change-role"
                            aria-label={`Change role of ${member.displayName}`}
                            className={smallButton}
                            disabled={busyIntent === 'change-role'}
                          >
                            Change
                          </button>
                        </Form>
                      ) : (
                        roleLabels[member.role]
                      )}
                      {rowError ? (
                        <p role="alert" className="mt-1 text-sm text-red-600 dark:text-red-400">
                          {rowError}
                        </p>
                      ) : null}
                    </td>
                    <td className="px-4 py-3 text-slate-600 dark:text-slate-400">{formatDate(member.joinedAt)}</td>
                    {isOwner ? (
                      <td className="px-4 py-3 text-right">
                        {member.userId === me ? null : (
                          <Form method="post">
                            <input type="hidden" name="userId" value={member.userId} />
                            <button
                              type="submit"
                              name="intent"
                              value="remove"
                              aria-label={`Remove ${member.displayName}`}
                              className={dangerButton}
                              disabled={busyIntent === 'remove'}
                            >
                              Remove
                            </button>
                          </Form>
                        )}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      {invitations ? (
        <section aria-labelledby="invitations-heading" className="space-y-3">
          <h2 id="invitations-heading" className="text-lg font-semibold">
            Pending invitations
          </h2>
          {invitations.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">No open invitations.</p>
          ) : (
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
              <table aria-labelledby="invitations-heading" className="w-full text-left text-sm">
                <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800">
                  <tr>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Email
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Role
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Expires
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                  {invitations.map((invitation) => {
                    const rowError = errorFor('revoke', invitation.id);
                    return (
                      <tr key={invitation.id}>
                        <td className="px-4 py-3">{invitation.email}</td>
                        <td className="px-4 py-3">{roleLabels[invitation.role]}</td>
                        <td className="px-4 py-3 text-slate-600 dark:text-slate-400">{formatDate(invitation.expiresAt)}</td>
                        <td className="px-4 py-3 text-right">
                          <Form method="post">
                            <input type="hidden" name="invitationId" value={invitation.id} />
                            <button
                              type="submit"
                              name="intent"
                              value="revoke"
                              aria-label={`Revoke invitation for ${invitation.email}`}
                              className={dangerButton}
                              disabled={busyIntent === 'revoke'}
                            >
                              Revoke
                            </button>
                          </Form>
                          {rowError ? (
                            <p role="alert" className="mt-1 text-sm text-red-600 dark:text-red-400">
                              {rowError}
                            </p>
                          ) : null}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}

      <section
        aria-labelledby="leave-heading"
        className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 id="leave-heading" className="font-semibold">
          Leave this workspace
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          You lose access to its deals and checklists.{' '}
          {isOwner ? 'A workspace keeps at least one owner: make someone else an owner before you leave.' : ''}
        </p>
        <Form method="post" className="space-y-2">
          <button type="submit" name="intent" value="leave" className={dangerButton} disabled={busyIntent === 'leave'}>
            Leave workspace
          </button>
          {errorFor('leave') ? <FormAlert>{errorFor('leave')}</FormAlert> : null}
        </Form>
      </section>
    </div>
  );
}

function InviteSection({ busy, result }: { busy: boolean; result: MembersActionResult | null }) {
  const invite = result?.intent === 'invite' ? result : null;
  return (
    <section
      aria-labelledby="invite-heading"
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div>
        <h2 id="invite-heading" className="font-semibold">
          Invite someone
        </h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Tieout does not send email here: you get a link to send yourself. It works once, only for that email address, for 7 days.
        </p>
      </div>
      {/* A new key after each created link empties the form. */}
      <Form key={invite?.invitation?.link ?? 'invite'} method="post" className="flex flex-wrap items-start gap-3" noValidate>
        <div className="min-w-64 flex-1">
          <TextField
            label="Email"
            name="email"
            type="email"
            autoComplete="off"
            required
            defaultValue={invite?.values.email}
            error={invite?.fieldErrors.email}
          />
        </div>
        <RoleField defaultValue={(invite?.values.role as MemberRole | undefined) ?? 'reviewer'} error={invite?.fieldErrors.role} />
        <div className="pt-6">
          <button type="submit" name="intent" value="invite" className={buttonClass} disabled={busy}>
            {busy ? 'Creating…' : 'Create invitation link'}
          </button>
        </div>
      </Form>
      {invite?.formError ? <FormAlert>{invite.formError}</FormAlert> : null}
      {invite?.invitation ? <InvitationLink invitation={invite.invitation} /> : null}
    </section>
  );
}

function RoleField({ defaultValue, error }: { defaultValue: MemberRole; error?: string | undefined }) {
  return (
    <div className="space-y-1">
      <label htmlFor="invite-role" className="block text-sm font-medium text-slate-700 dark:text-slate-200">
        Role
      </label>
      <select
        id="invite-role"
        name="role"
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'invite-role-error' : undefined}
        className={`block ${fieldClass}`}
      >
        {memberRoles.map((role) => (
          <option key={role} value={role}>
            {roleLabels[role]}
          </option>
        ))}
      </select>
      {error ? (
        <p id="invite-role-error" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function InvitationLink({ invitation }: { invitation: NonNullable<MembersActionResult['invitation']> }) {
  const [copied, setCopied] = useState(false);
  return (
    <div
      role="status"
      className="space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm dark:border-emerald-900 dark:bg-emerald-950"
    >
      <p>
        Invitation for <strong>{invitation.email}</strong> as {roleLabels[invitation.role].toLowerCase()} created. No email was sent: copy this link
        and send it to them yourself. It is shown only now and expires on {formatDate(invitation.expiresAt)}.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor="invitation-link" className="sr-only">
          Invitation link
        </label>
        <input
          id="invitation-link"
          readOnly
          value={invitation.link}
          onFocus={(event) => event.currentTarget.select()}
          className={`${fieldClass} min-w-0 flex-1 font-mono text-xs`}
        />
        <button
          type="button"
          className={smallButton}
          onClick={() => {
            void navigator.clipboard?.writeText(invitation.link).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? 'Copied' : 'Copy link'}
        </button>
      </div>
    </div>
  );
}
