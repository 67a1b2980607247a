import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getDb } from "~/.server/db";
import { CONFIRM_FIRST, confirmedField } from "~/.server/form-guards/confirmation";
import { formFailure, readForm } from "~/.server/forms";
import { refuse, requireOrgRole } from "~/.server/orgs/access";
import { countMembers, findMember, isUserId, listMemberPage } from "~/.server/orgs/member-list";
import { changeRole, removeMember, type MemberChangeResult } from "~/.server/orgs/members";
import { ROLES, roleAtLeast } from "~/utils/roles";
import { Alert } from "~/components/alert";
import { Avatar } from "~/components/avatar";
import { Badge, RoleBadge } from "~/components/badge";
import { Button, buttonClass } from "~/components/button";
import { Card } from "~/components/card";
import { ConfirmAction } from "~/components/confirm-action";
import { EmptyState } from "~/components/empty-state";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";
import { SelectField } from "~/components/select-field";
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
  const search = new URL(request.url).searchParams;
  const q = (search.get("q") ?? "").trim().slice(0, 200);
  const after = search.get("after");
  // ?member=<id>: the role and removal forms for that one member, reached from
  // their row (one form on the page, not two per member).
  const selectedId = search.get("member");
  const db = getDb();
  const [page, total, selected] = await Promise.all([
    listMemberPage(db, org.id, { after, search: q }),
    countMembers(db, org.id),
    roleAtLeast(role, "admin") && isUserId(selectedId) ? findMember(db, org.id, selectedId) : null,
  ]);
  const shape = (m: NonNullable<typeof selected>) => ({ ...m, created_at: m.created_at.toISOString() });
  return {
    org: { slug: org.slug, name: org.name },
    role,
    me: session.user.id,
    q,
    after: after ?? "",
    total,
    members: page.members.map(shape),
    nextCursor: page.nextCursor,
    selected: selected ? shape(selected) : null,
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
  const { org, role, me, q, after, total, members, nextCursor, selected } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const isAdmin = roleAtLeast(role, "admin");
  const problem = result && !result.ok ? (result.formError ?? result.fieldErrors.confirm) : undefined;
  const labelOf = (m: { name: string | null; email: string }) => (m.name ? `${m.name} (${m.email})` : m.email);
  const canManage = (m: { userId: string; role: string }) => isAdmin && m.userId !== me && (m.role !== "owner" || role === "owner");
  const pageLink = (changes: Record<string, string>) => `/orgs/${org.slug}/members?${new URLSearchParams({ ...(q ? { q } : {}), ...(after ? { after } : {}), ...changes })}`;
  const listLink = `/orgs/${org.slug}/members${q || after ? `?${new URLSearchParams({ ...(q ? { q } : {}), ...(after ? { after } : {}) })}` : ""}`;
  return (
    <Page width="wide" title="Members" description={`Everyone in ${org.name} and what they can do. Admins manage members, invitations, keys and billing; owners also manage admins.`}>
      {result?.ok ? <Alert tone="success">Saved.</Alert> : null}
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      {selected && canManage(selected) ? (
        // ?member=<id>: the role and removal forms for that one member, reached from their row.
        <Card
          title={labelOf(selected)}
          description="Change their role, or remove them from the organization."
          actions={
            <Link to={listLink} className={buttonClass("ghost", "small")}>
              Close
            </Link>
          }
        >
          <div className="stack">
            <Form method="post" className="filters" key={`${selected.userId}-${selected.role}`}>
              <input type="hidden" name="intent" value="role" />
              <input type="hidden" name="userId" value={selected.userId} />
              <SelectField
                id="member-role"
                name="role"
                defaultValue={selected.role}
                label={
                  <>
                    Role<span className="visually-hidden"> of {labelOf(selected)}</span>
                  </>
                }
              >
                {ROLES.filter((r) => roleAtLeast(role, r)).map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </SelectField>
              <Button variant="secondary" context={`of ${labelOf(selected)}`}>
                Change role
              </Button>
            </Form>
            <div className="button-row">
              <ConfirmAction
                id={`remove-${selected.userId}`}
                fields={{ intent: "remove", userId: selected.userId }}
                label="Remove"
                context={labelOf(selected)}
                title={`Remove ${selected.name ?? selected.email} from ${org.name}?`}
                description="They lose access to this organization at once. You can invite them again later."
                confirmLabel="Remove member"
              />
            </div>
          </div>
        </Card>
      ) : null}
      <Form method="get" className="filters" role="search">
        <Field id="member-search" label="Search email or name" name="q" type="search" defaultValue={q} />
        <Button variant="secondary">Search</Button>
      </Form>
      <p className="muted">
        {total} {total === 1 ? "member" : "members"}
        {q ? `; those matching “${q}” below` : ""}
      </p>
      {members.length === 0 ? (
        <EmptyState title="No members match">{q ? `Nothing matches “${q}”. Try part of the email address.` : "There is no one on this page."}</EmptyState>
      ) : (
        <Table caption={`Members of ${org.name}${q ? ` matching “${q}”` : ` (${total})`}`} stack>
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
              const label = labelOf(member);
              return (
                <tr key={member.userId}>
                  <td data-label="Member">
                    <div className="cluster">
                      <Avatar name={member.name} email={member.email} />
                      <span className="stack-sm">
                        <span className="cluster">
                          <strong>{member.name ?? member.email}</strong>
                          {member.userId === me ? <Badge>You</Badge> : null}
                        </span>
                        {member.name ? <span className="muted small">{member.email}</span> : null}
                      </span>
                    </div>
                  </td>
                  <td data-label="Role">
                    <RoleBadge role={member.role} />
                  </td>
                  <td data-label="Joined">
                    <RelativeTime iso={member.created_at} />
                  </td>
                  <td className="table__actions">
                    {canManage(member) ? (
                      <Link to={pageLink({ member: member.userId })} className={buttonClass("secondary", "small")}>
                        Change role or remove<span className="visually-hidden"> {label}</span>
                      </Link>
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
      )}
      {nextCursor || after ? (
        <nav aria-label="Pages" className="table-footer">
          {after ? (
            <Link to={`/orgs/${org.slug}/members${q ? `?${new URLSearchParams({ q })}` : ""}`} className={buttonClass("secondary", "small")}>
              First page
            </Link>
          ) : (
            <span />
          )}
          {nextCursor ? (
            <Link to={`/orgs/${org.slug}/members?${new URLSearchParams({ ...(q ? { q } : {}), after: nextCursor })}`} className={buttonClass("secondary", "small")}>
              Next page
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </Page>
  );
}
