import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { requireOrgRole } from "~/.server/orgs/access";
import { INVITATION_DAYS, inviteMember, listPendingInvitations, resendInvitation, revokeInvitation } from "~/.server/orgs/invitations";
import { CONFIRM_FIRST, confirmedField } from "~/.server/form-guards/confirmation";
import { formTokenField, newFormToken, oncePerRender } from "~/.server/form-guards/one-time-form";
import { ROLES, canGrant } from "~/utils/roles";
import { Alert } from "~/components/alert";
import { RoleBadge } from "~/components/badge";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { ConfirmAction } from "~/components/confirm-action";
import { EmptyState } from "~/components/empty-state";
import { Field } from "~/components/field";
import { SelectField } from "~/components/select-field";
import { FormToken } from "~/components/form";
import { MailIcon } from "~/components/icons";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";
import { ActionsHeader, Table } from "~/components/table";
import { EmailSchema } from "~/utils/email-address";

const InviteSchema = z.object({ intent: z.literal("invite"), email: EmailSchema, role: z.enum(["owner", "admin", "member"], { error: "Choose a role." }), formToken: formTokenField });
// Revoking (cancelling) needs the confirmation step; resending does not.
const ManageSchema = z.object({ intent: z.enum(["resend", "revoke"]), invitationId: z.uuid("Unknown invitation."), confirm: confirmedField.optional() });

const INVITE_FAILURES = {
  "forbidden-role": [403, "You cannot invite someone with a role above your own."],
  "already-member": [409, "That person is already a member."],
  "no-seats": [409, "Every seat of your plan is taken. Remove a member or revoke an invitation first."],
  "email-limit": [429, "That address has had too many emails from us this hour. Try again later."],
} as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireOrgRole(request, params.slug, "admin");
  const invitations = await listPendingInvitations(getDb(), org.id);
  return {
    org: { slug: org.slug, name: org.name },
    grantable: ROLES.filter((r) => canGrant(role, r)),
    formToken: newFormToken(),
    invitationDays: INVITATION_DAYS,
    invitations: invitations.map((i) => ({ ...i, created_at: i.created_at.toISOString(), expires_at: i.expires_at.toISOString() })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const access = await requireOrgRole(request, params.slug, "admin");
  const inviter = { orgId: access.org.id, orgName: access.org.name, actor: access.actor, actorRole: access.role, ip: access.ip };
  const intent = new URL(request.url).searchParams.get("intent");
  if (intent === "invite") {
    const form = await readForm(request, InviteSchema);
    if (!form.ok) return formFailure(form);
    const run = await oncePerRender(
      getDb(),
      { token: form.data.formToken, userId: access.session.user.id, purpose: "invitation" },
      () => inviteMember(getDb(), inviter, { email: form.data.email, role: form.data.role }),
      (outcome) => (outcome.ok ? form.data.email : null),
    );
    if (run.repeated) return { ok: true as const, message: `That form was already sent: the invitation to ${run.result ?? form.data.email} went out once.` };
    const result = run.value;
    if (!result.ok && result.reason === "domain-not-allowed") return formFailure({ fieldErrors: { email: result.message }, values: form.values }, 403);
    if (!result.ok) {
      const [status, message] = INVITE_FAILURES[result.reason];
      return formFailure({ formError: message, values: form.values }, status);
    }
    return { ok: true as const, message: `Invitation sent to ${form.data.email}.` };
  }
  const form = await readForm(request, ManageSchema);
  if (!form.ok) return formFailure(form);
  if (form.data.intent === "revoke" && !form.data.confirm) return formFailure({ formError: CONFIRM_FIRST });
  const run = form.data.intent === "resend" ? resendInvitation : revokeInvitation;
  const result = await run(getDb(), inviter, form.data.invitationId);
  if (!result.ok && "reason" in result && result.reason === "email-limit") return formFailure({ formError: "That address has had too many emails from us this hour. Try again later." }, 429);
  if (!result.ok) return formFailure({ formError: "That invitation is no longer pending." }, 404);
  return { ok: true as const, message: form.data.intent === "resend" ? "Invitation sent again." : "Invitation cancelled. Its link no longer works." };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Invitations — ${data?.org.name ?? ""}` }];

export default function Invitations() {
  const { org, grantable, invitations, formToken, invitationDays } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok ? result : undefined;
  const problem = failure ? (failure.formError ?? failure.fieldErrors.confirm ?? failure.fieldErrors.formToken) : undefined;
  return (
    <Page width="wide" title="Invitations" description={`Invite people to ${org.name} by email. An invitation link works for ${invitationDays} days and only for the address it was sent to.`}>
      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      <Card title="Invite someone">
        <Form key={formToken} method="post" action="?intent=invite" className="form" noValidate>
          <input type="hidden" name="intent" value="invite" />
          <FormToken value={formToken} />
          <Field label="Email" name="email" type="email" autoComplete="off" required defaultValue={failure?.values.email} error={failure?.fieldErrors.email} />
          <SelectField label="Role" name="role" defaultValue={failure?.values.role ?? "member"} error={failure?.fieldErrors.role} hint="Members see the org; admins also manage members, keys and billing.">
            {grantable.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </SelectField>
          <div className="form-actions">
            <Button pendingLabel="Sending…">Send invitation</Button>
          </div>
        </Form>
      </Card>
      <h2>Pending invitations</h2>
      {invitations.length === 0 ? (
        <EmptyState title="No pending invitations" icon={<MailIcon className="empty-state__icon" />}>
          Invitations you send appear here until they are accepted or expire.
        </EmptyState>
      ) : (
        <Table caption={`Pending invitations (${invitations.length})`} stack>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Sent</th>
              <th scope="col">Expires</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {invitations.map((invitation) => (
              <tr key={invitation.id}>
                <td data-label="Email">
                  <strong>{invitation.email}</strong>
                </td>
                <td data-label="Role">
                  <RoleBadge role={invitation.role} />
                </td>
                <td data-label="Sent">
                  <RelativeTime iso={invitation.created_at} />
                </td>
                <td data-label="Expires">
                  <RelativeTime iso={invitation.expires_at} />
                </td>
                <td className="table__actions">
                  <Form method="post" action="?intent=manage">
                    <input type="hidden" name="invitationId" value={invitation.id} />
                    <Button name="intent" value="resend" variant="secondary" size="small" context={`to ${invitation.email}`}>
                      Resend
                    </Button>
                  </Form>
                  <ConfirmAction
                    id={`revoke-${invitation.id}`}
                    action="?intent=manage"
                    fields={{ intent: "revoke", invitationId: invitation.id }}
                    label="Revoke"
                    context={`the invitation of ${invitation.email}`}
                    title={`Cancel the invitation to ${invitation.email}?`}
                    description="The link in their email stops working at once. You can invite them again later."
                    confirmLabel="Cancel invitation"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Page>
  );
}
