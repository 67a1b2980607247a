import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { refuse, requireOrgRole } from "~/.server/orgs/access";
import { countMembers, findMember, isUserId, listMemberPage } from "~/.server/orgs/member-list";
import { changeRole, removeMember, type MemberChangeResult } from "~/.server/orgs/members";
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
  const labelOf = (m: { name: string | null; email: string }) => (m.name ? `${m.name} (${m.email})` : m.email);
  const canManage = (m: { userId: string; role: string }) => isAdmin && m.userId !== me && (m.role !== "owner" || role === "owner");
  const pageLink = (changes: Record<string, string>) => `/orgs/${org.slug}/members?${new URLSearchParams({ ...(q ? { q } : {}), ...(after ? { after } : {}), ...changes })}`;
  return (
    <div className="stack wide">
      <h1>{org.name}: members</h1>
      <OrgNav slug={org.slug} name={org.name} isAdmin={isAdmin} />
      {result?.ok ? <FormMessage tone="success">Saved.</FormMessage> : null}
      {result && !result.ok ? <FormMessage tone="error">{result.formError}</FormMessage> : null}
      {selected && canManage(selected) ? (
        <section className="panel stack" aria-labelledby="manage-member">
          <h2 id="manage-member">{labelOf(selected)}</h2>
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="role" />
            <input type="hidden" name="userId" value={selected.userId} />
            <label htmlFor="member-role">
              Role<span className="visually-hidden"> of {labelOf(selected)}</span>
            </label>
            <select id="member-role" name="role" defaultValue={selected.role}>
              {ROLES.filter((r) => roleAtLeast(role, r)).map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            <button type="submit" className="button secondary">
              Change role<span className="visually-hidden"> of {labelOf(selected)}</span>
            </button>
          </Form>
          <InlineAction fields={{ intent: "remove", userId: selected.userId }} label="Remove" context={`${labelOf(selected)} from the organization`} />
        </section>
      ) : null}
      <Form method="get" className="toolbar" role="search">
        <label htmlFor="member-search">Search email or name</label>
        <input id="member-search" name="q" type="search" defaultValue={q} />
        <button type="submit" className="button secondary">
          Search
        </button>
      </Form>
      <p>
        {total} {total === 1 ? "member" : "members"}
        {q ? `; those matching “${q}” below` : ""}
      </p>
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
            const label = labelOf(member);
            return (
              <tr key={member.userId}>
                <td>{label}</td>
                <td>{member.role}</td>
                <td>
                  {canManage(member) ? (
                    <Link to={pageLink({ member: member.userId })}>
                      Change role or remove<span className="visually-hidden"> {label}</span>
                    </Link>
                  ) : null}
                  {member.userId === me ? <InlineAction fields={{ intent: "leave" }} label="Leave the organization" /> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {members.length === 0 ? <p>No members match.</p> : null}
      {nextCursor || after ? (
        <nav aria-label="Pages" className="toolbar">
          {after ? <Link to={`/orgs/${org.slug}/members${q ? `?${new URLSearchParams({ q })}` : ""}`}>First page</Link> : null}
          {nextCursor ? <Link to={`/orgs/${org.slug}/members?${new URLSearchParams({ ...(q ? { q } : {}), after: nextCursor })}`}>Next page</Link> : null}
        </nav>
      ) : null}
    </div>
  );
}
