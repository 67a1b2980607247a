import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { requireOrgRole } from "~/.server/orgs/access";
import { inviteMember, listPendingInvitations, resendInvitation, revokeInvitation } from "~/.server/orgs/invitations";
import { ROLES, canGrant } from "~/utils/roles";
import { Field, FormMessage, SubmitButton } from "~/components/form";
import { OrgNav } from "~/components/org-nav";
import { EmailSchema } from "~/utils/email-address";

const InviteSchema = z.object({ intent: z.literal("invite"), email: EmailSchema, role: z.enum(["owner", "admin", "member"], { error: "Choose a role." }) });
const ManageSchema = z.object({ intent: z.enum(["resend", "revoke"]), invitationId: z.uuid("Unknown invitation.") });

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
    const result = await inviteMember(getDb(), inviter, form.data);
    if (!result.ok) {
      const [status, message] = INVITE_FAILURES[result.reason];
      return formFailure({ formError: message, values: form.values }, status);
    }
    return { ok: true as const, message: `Invitation sent to ${form.data.email}.` };
  }
  const form = await readForm(request, ManageSchema);
  if (!form.ok) return formFailure(form);
  const run = form.data.intent === "resend" ? resendInvitation : revokeInvitation;
  const result = await run(getDb(), inviter, form.data.invitationId);
  if (!result.ok && "reason" in result && result.reason === "email-limit") return formFailure({ formError: "That address has had too many emails from us this hour. Try again later." }, 429);
  if (!result.ok) return formFailure({ formError: "That invitation is no longer pending." }, 404);
  return { ok: true as const, message: form.data.intent === "resend" ? "Invitation sent again." : "Invitation revoked." };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Invitations — ${data?.org.name ?? ""}` }];

export default function Invitations() {
  const { org, grantable, invitations } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok ? result : undefined;
  return (
    <div className="stack wide">
      <h1>{org.name}: invitations</h1>
      <OrgNav slug={org.slug} name={org.name} isAdmin />
      {result?.ok ? <FormMessage tone="success">{result.message}</FormMessage> : null}
      {failure?.formError ? <FormMessage tone="error">{failure.formError}</FormMessage> : null}
      <section className="panel stack" aria-labelledby="invite-title">
        <h2 id="invite-title">Invite someone</h2>
        <Form method="post" action="?intent=invite" className="stack" noValidate>
          <input type="hidden" name="intent" value="invite" />
          <Field label="Email" name="email" type="email" autoComplete="off" required defaultValue={failure?.values.email} error={failure?.fieldErrors.email} />
          <div className="field">
            <label htmlFor="invite-role">Role</label>
            <select
              id="invite-role"
              name="role"
              defaultValue={failure?.values.role ?? "member"}
              aria-invalid={failure?.fieldErrors.role ? true : undefined}
              aria-describedby={failure?.fieldErrors.role ? "field-role-error" : undefined}
            >
              {grantable.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            {failure?.fieldErrors.role ? (
              <p className="field-error" id="field-role-error">
                {failure.fieldErrors.role}
              </p>
            ) : null}
          </div>
          <SubmitButton>Send invitation</SubmitButton>
        </Form>
      </section>
      <h2>Pending</h2>
      {invitations.length === 0 ? <p>No pending invitations.</p> : null}
      <ul>
        {invitations.map((invitation) => (
          <li key={invitation.id}>
            {invitation.email} as {invitation.role}, expires {invitation.expires_at.slice(0, 10)}{" "}
            <Form method="post" action="?intent=manage" className="inline-form">
              <input type="hidden" name="invitationId" value={invitation.id} />
              <button type="submit" name="intent" value="resend" className="link-button">
                Resend<span className="visually-hidden"> to {invitation.email}</span>
              </button>
              <button type="submit" name="intent" value="revoke" className="link-button">
                Revoke<span className="visually-hidden"> the invitation of {invitation.email}</span>
              </button>
            </Form>
          </li>
        ))}
      </ul>
    </div>
  );
}
