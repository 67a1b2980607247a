import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { refuse, requireOrgRole } from "~/.server/orgs/access";
import { changeRole, listMembers, removeMember, type MemberChangeResult } from "~/.server/orgs/members";
import { ROLES, roleAtLeast } from "~/utils/roles";
import { FormMessage } from "~/components/form";
import { InlineAction } from "~/components/inline-action";
import { OrgNav } from "~/components/org-nav";

const MemberActionSchema = z.object({
  intent: z.enum(["role", "remove", "leave"], { error: "Unknown action." }),
  userId: z.uuid("Unknown member.").optional(),
  role: z.enum(["owner", "admin", "member"], { error: "Choose owner, admin or member." }).optional(),
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
  return (
    <div className="stack wide">
      <h1>{org.name}: members</h1>
      <OrgNav slug={org.slug} name={org.name} isAdmin={isAdmin} />
      {result?.ok ? <FormMessage tone="success">Saved.</FormMessage> : null}
      {result && !result.ok ? <FormMessage tone="error">{result.formError}</FormMessage> : null}
      <table>
        <caption className="visually-hidden">Members</caption>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Role</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => {
            const label = member.name ? `${member.name} (${member.email})` : member.email;
            const canManage = isAdmin && member.userId !== me && (member.role !== "owner" || role === "owner");
            return (
              <tr key={member.userId}>
                <td>{label}</td>
                <td>
                  {canManage ? (
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="role" />
                      <input type="hidden" name="userId" value={member.userId} />
                      <label className="visually-hidden" htmlFor={`role-${member.userId}`}>
                        Role of {label}
                      </label>
                      <select id={`role-${member.userId}`} name="role" defaultValue={member.role}>
                        {ROLES.filter((r) => roleAtLeast(role, r)).map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                      <button type="submit" className="link-button">
                        Change role<span className="visually-hidden"> of {label}</span>
                      </button>
                    </Form>
                  ) : (
                    member.role
                  )}
                </td>
                <td>
                  {canManage ? <InlineAction fields={{ intent: "remove", userId: member.userId }} label="Remove" context={label} /> : null}
                  {member.userId === me ? <InlineAction fields={{ intent: "leave" }} label="Leave the organization" /> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
