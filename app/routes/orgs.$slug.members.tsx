import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getDb } from "~/.server/db";
import { CONFIRM_FIRST, confirmedField } from "~/.server/form-guards/confirmation";
import { formFailure, readForm } from "~/.server/forms";
import { refuse, requireOrgRole } from "~/.server/orgs/access";
import { changeRole, listMembers, removeMember, type MemberChangeResult } from "~/.server/orgs/members";
import { ROLES, roleAtLeast } from "~/utils/roles";
import { Alert } from "~/components/alert";
import { Avatar } from "~/components/avatar";
import { Badge, RoleBadge } from "~/components/badge";
import { Button } from "~/components/button";
import { ConfirmAction } from "~/components/confirm-action";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";
import { ActionsHeader, Table } from "~/components/table";

const MemberActionSchema = z.object({
  intent: z.enum(["role", "remove", "leave"], { error: "Unknown action." }),
  userId: z.uuid("Unknown member.").optional(),
  role: z.enum(["owner", "admin", "member"], { error: "Choose owner, admin or member." }).optional(),
  // Removing a member and leaving need the confirmation step (checked in the action).
  confirm: confirmedField.optional(),
});

const FAILURES: Record<Exclude<MemberChangeResult, { ok: true }>["reason"], [number, string]> = {
  "not-found": [404, "That person is not a member."],
  forbidden: [403, "Your role cannot make that change."],
  "last-owner": [409, "An organization must keep at least one owner. Make someone else an owner first."],
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, session } = await requireOrgRole(request, params.slug);
  const members = await listMembers(getDb(), org.id);
  return {
    org: { slug: org.slug, name: org.name },
    role,
    me: session.user.id,
    members: members.map((m) => ({ ...m, created_at: m.created_at.toISOString() })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const access = await requireOrgRole(request, params.slug);
  const form = await readForm(request, MemberActionSchema);
  if (!form.ok) return formFailure(form);
  const { intent, userId, role } = form.data;
  if (intent !== "role" && !form.data.confirm) return formFailure({ formError: CONFIRM_FIRST });
  const change = { orgId: access.org.id, actor: access.actor, actorRole: access.role, ip: access.ip };

  let result: MemberChangeResult;
  if (intent === "leave") {
    result = await removeMember(getDb(), { ...change, targetUserId: access.session.user.id });
    if (result.ok) throw redirect("/orgs");
  } else {
    if (!roleAtLeast(access.role, "admin")) refuse({ userId: access.session.user.id, slug: params.slug, reason: `member tried ${intent}` });
    if (!userId) return formFailure({ formError: "Choose a member." });
    if (intent === "role") {
      if (!role) return formFailure({ formError: "Choose a role." });
      result = await changeRole(getDb(), { ...change, targetUserId: userId, newRole: role });
    } else {
      result = await removeMember(getDb(), { ...change, targetUserId: userId });
    }
  }
  if (!result.ok) {
    const [status, message] = FAILURES[result.reason];
    return formFailure({ formError: message }, status);
  }
  return { ok: true as const };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Members — ${data?.org.name ?? ""}` }];

export default function Members() {
  const { org, role, me, members } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const isAdmin = roleAtLeast(role, "admin");
  const problem = result && !result.ok ? (result.formError ?? result.fieldErrors.confirm) : undefined;
  return (
    <Page width="wide" title="Members" description={`Everyone in ${org.name} and what they can do. Admins manage members, invitations, keys and billing; owners also manage admins.`}>
      {result?.ok ? <Alert tone="success">Saved.</Alert> : null}
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      <Table caption={`Members of ${org.name} (${members.length})`} stack>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Role</th>
            <th scope="col">Joined</th>
            <ActionsHeader />
          </tr>
        </thead>
        <tbody>
          {members.map((member) => {
            const label = member.name ? `${member.name} (${member.email})` : member.email;
            const canManage = isAdmin && member.userId !== me && (member.role !== "owner" || role === "owner");
            return (
              <tr key={member.userId}>
                <td data-label="Member">
                  <div className="cluster">
                    <Avatar name={member.name} email={member.email} />
                    <span className="stack-sm">
                      <strong>{member.name ?? member.email}</strong>
                      {member.name ? <span className="muted small">{member.email}</span> : null}
                    </span>
                    {member.userId === me ? <Badge>You</Badge> : null}
                  </div>
                </td>
                <td data-label="Role">
                  {canManage ? (
                    <Form method="post" className="cluster">
                      <input type="hidden" name="intent" value="role" />
                      <input type="hidden" name="userId" value={member.userId} />
                      <label className="visually-hidden" htmlFor={`role-${member.userId}`}>
                        Role of {label}
                      </label>
                      <select id={`role-${member.userId}`} name="role" defaultValue={member.role} className="field__input">
                        {ROLES.filter((r) => roleAtLeast(role, r)).map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                      <Button variant="secondary" size="small" context={`of ${label}`}>
                        Change role
                      </Button>
                    </Form>
                  ) : (
                    <RoleBadge role={member.role} />
                  )}
                </td>
                <td data-label="Joined">
                  <RelativeTime iso={member.created_at} />
                </td>
                <td className="table__actions">
                  {canManage ? (
                    <ConfirmAction
                      id={`remove-${member.userId}`}
                      fields={{ intent: "remove", userId: member.userId }}
                      label="Remove"
                      context={label}
                      title={`Remove ${member.name ?? member.email} from ${org.name}?`}
                      description="They lose access to this organization at once. You can invite them again later."
                      confirmLabel="Remove member"
                    />
                  ) : null}
                  {member.userId === me ? (
                    <ConfirmAction
                      id="leave"
                      fields={{ intent: "leave" }}
                      label="Leave the organization"
                      triggerVariant="secondary"
                      title={`Leave ${org.name}?`}
                      description="You lose access to this organization at once. To come back, an admin must invite you again."
                      confirmLabel="Leave organization"
                    />
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </Table>
    </Page>
  );
}
