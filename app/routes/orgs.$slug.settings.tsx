import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { billingMode } from "~/.server/billing/settings";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { formFailure, readForm, text } from "~/.server/forms";
import { requestStore } from "~/.server/http/request-context";
import { requireOrgRole, type OrgContext } from "~/.server/orgs/access";
import { changeOrgSlug } from "~/.server/orgs/address";
import { listMembers, removeMember } from "~/.server/orgs/members";
import { deleteOrg, renewingSubscriptions } from "~/.server/orgs/org-deletion";
import { renameOrg, transferOwnership } from "~/.server/orgs/org-settings";
import { slugProblem } from "~/.server/orgs/orgs";
import { roleRefusal, roleRefusalMessage } from "~/.server/orgs/role-refusal";
import { Field, FormMessage, SubmitButton } from "~/components/form";
import { OrgNav } from "~/components/org-nav";
import { roleAtLeast } from "~/utils/roles";

// One schema for the page's five forms: `intent` says which, and each names
// only the fields it reads. The destructive ones carry their confirmation
// (`confirm=yes`, or the org's name typed out): without it nothing changes.
const OrgSettingsSchema = z.object({
  intent: z.enum(["rename", "address", "transfer", "leave", "delete"], { error: "Unknown action." }),
  name: text("Name", { max: 100 }).optional(),
  slug: z.string().max(100, "Use 3 to 40 characters.").optional(),
  newOwnerId: z.uuid("Choose a member.").optional(),
  confirm: z.literal("yes", { error: "Confirm to continue." }).optional(),
  confirmName: z.string().max(200).optional(),
});

type Intent = z.output<typeof OrgSettingsSchema>["intent"];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, session } = await requireOrgRole(request, params.slug);
  const db = getDb();
  const members = await listMembers(db, org.id);
  const owners = members.filter((m) => m.role === "owner").length;
  const saved = new URL(request.url).searchParams.get("saved");
  return {
    org: { slug: org.slug, name: org.name },
    role,
    isAdmin: roleAtLeast(role, "admin"),
    lastOwner: role === "owner" && owners <= 1,
    others: members.filter((m) => m.userId !== session.user.id).map((m) => ({ userId: m.userId, label: m.name ? `${m.name} (${m.email})` : m.email, role: m.role })),
    hasSubscription: role === "owner" && (await renewingSubscriptions(db, org.id)).length > 0,
    savedAddress: saved === "address",
  };
}

// Who may do what on this page: every member may leave; admins rename and move
// the address; only an owner hands the org over or deletes it.
const NEEDS: Record<Intent, "member" | "admin" | "owner"> = { leave: "member", rename: "admin", address: "admin", transfer: "owner", delete: "owner" };

export async function action({ request, params }: ActionFunctionArgs) {
  const access = await requireOrgRole(request, params.slug);
  const form = await readForm(request, OrgSettingsSchema);
  if (!form.ok) return formFailure(form);
  const needed = NEEDS[form.data.intent];
  if (!roleAtLeast(access.role, needed)) throw roleRefusal(roleRefusalMessage(new URL(request.url).pathname, needed));
  const values = form.values;
  switch (form.data.intent) {
    case "rename":
      return rename(access, form.data.name, values);
    case "address":
      return moveAddress(access, form.data.slug, values);
    case "transfer":
      return transfer(access, form.data.newOwnerId, form.data.confirm, values);
    case "leave":
      return leave(access, form.data.confirm);
    case "delete":
      return remove(access, form.data.confirmName);
  }
}

async function rename(access: OrgContext, name: string | undefined, values: Record<string, string>) {
  if (!name) return formFailure({ fieldErrors: { name: "Name is required." }, values }, 400);
  const result = await renameOrg(getDb(), { orgId: access.org.id, name, actor: access.actor, ip: access.ip });
  if (!result.ok && result.reason === "unchanged") return formFailure({ fieldErrors: { name: "That is already the organization's name." }, values }, 400);
  if (!result.ok) throw new Response("Not Found", { status: 404 });
  return { ok: true as const, intent: "rename" as const, message: `The organization is now called ${name}.` };
}

async function moveAddress(access: OrgContext, slug: string | undefined, values: Record<string, string>) {
  const wanted = (slug ?? "").trim().toLowerCase();
  const problem = slugProblem(wanted);
  if (problem) return formFailure({ fieldErrors: { slug: problem }, values }, 400);
  const result = await changeOrgSlug(getDb(), { orgId: access.org.id, newSlug: wanted, actor: access.actor, ip: access.ip });
  if (!result.ok && result.reason === "taken") return formFailure({ fieldErrors: { slug: "That address is taken. Choose another." }, values }, 409);
  if (!result.ok && result.reason === "unchanged") return formFailure({ fieldErrors: { slug: "That is already the organization's address." }, values }, 400);
  if (!result.ok) throw new Response("Not Found", { status: 404 });
  // This page's own address changed with it.
  throw redirect(`/orgs/${result.slug}/settings?saved=address`);
}

async function transfer(access: OrgContext, newOwnerId: string | undefined, confirm: "yes" | undefined, values: Record<string, string>) {
  if (!newOwnerId) return formFailure({ fieldErrors: { newOwnerId: "Choose a member." }, values }, 400);
  if (confirm !== "yes") return formFailure({ formError: "Confirm the transfer to continue. Nothing was changed.", values }, 400);
  const result = await transferOwnership(getDb(), { orgId: access.org.id, actor: access.actor, newOwnerId, ip: access.ip });
  if (!result.ok) {
    const message = { self: "You already own this organization. Choose another member.", "not-a-member": "That person is not a member.", "not-owner": "Only an owner can hand over the organization." }[result.reason];
    return formFailure({ fieldErrors: { newOwnerId: message }, values }, result.reason === "not-owner" ? 403 : 400);
  }
  return { ok: true as const, intent: "transfer" as const, message: `${result.newOwnerEmail} now owns the organization. You are an admin.` };
}

async function leave(access: OrgContext, confirm: "yes" | undefined) {
  if (confirm !== "yes") return formFailure({ formError: "Confirm that you want to leave. Nothing was changed." }, 400);
  const result = await removeMember(getDb(), { orgId: access.org.id, actor: access.actor, actorRole: access.role, targetUserId: access.session.user.id, ip: access.ip });
  if (!result.ok && result.reason === "last-owner") return formFailure({ formError: "You are the only owner. Hand the organization to another member first, or delete it." }, 409);
  if (!result.ok) throw new Response("Not Found", { status: 404 });
  throw redirect("/orgs");
}

async function remove(access: OrgContext, confirmName: string | undefined) {
  // Exactly the name, as shown on the page: a bare POST, or the wrong org's name, deletes nothing.
  if (confirmName === undefined || confirmName.trim() !== access.org.name) {
    return formFailure({ fieldErrors: { confirmName: `Type the organization's name, ${access.org.name}, to delete it.` }, values: { confirmName: confirmName ?? "" } }, 400);
  }
  const result = await deleteOrg(getDb(), { orgId: access.org.id, actor: access.actor, billing: billingMode(getEnv()), requestId: requestStore.getStore()?.requestId });
  if (!result.ok && result.reason === "billing") return formFailure({ formError: result.message }, 502);
  if (!result.ok) throw roleRefusal(roleRefusalMessage(`/orgs/${access.org.slug}/settings`, "owner"));
  throw redirect("/orgs");
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Settings — ${data?.org.name ?? ""}` }];

type ActionResult = { ok: true; intent: Intent; message: string } | { ok: false; fieldErrors: Record<string, string>; formError?: string; values: Record<string, string> };

export default function OrgSettings() {
  const { org, role, isAdmin, lastOwner, others, hasSubscription, savedAddress } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const failed = result && !result.ok ? result : null;
  const errors = failed?.fieldErrors ?? {};
  const values = failed?.values ?? {};
  return (
    <div className="stack">
      <h1>{org.name}: settings</h1>
      <OrgNav slug={org.slug} name={org.name} isAdmin={isAdmin} />
      {result?.ok ? <FormMessage tone="success">{result.message}</FormMessage> : null}
      {savedAddress && !result ? <FormMessage tone="success">The address is now /orgs/{org.slug}. Links to the old one lead here.</FormMessage> : null}
      {failed?.formError ? <FormMessage tone="error">{failed.formError}</FormMessage> : null}

      {isAdmin ? (
        <>
          <section className="panel stack" aria-labelledby="rename-title">
            <h2 id="rename-title">Name</h2>
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="rename" />
              <Field label="Organization name" name="name" defaultValue={values.name ?? org.name} error={errors.name} maxLength={100} required />
              <SubmitButton variant="secondary">Rename</SubmitButton>
            </Form>
          </section>
          <section className="panel stack" aria-labelledby="address-title">
            <h2 id="address-title">Address</h2>
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="address" />
              <Field
                label="Address"
                name="slug"
                defaultValue={values.slug ?? org.slug}
                error={errors.slug}
                maxLength={40}
                required
                hint="3 to 40 lowercase letters, digits and hyphens. Links to the old address keep working for members: they lead to the new one."
              />
              <SubmitButton variant="secondary">Change address</SubmitButton>
            </Form>
          </section>
        </>
      ) : null}

      {role === "owner" ? (
        <section className="panel stack" aria-labelledby="transfer-title">
          <h2 id="transfer-title">Transfer ownership</h2>
          {others.length === 0 ? (
            <p>Invite someone first: ownership can only go to a member.</p>
          ) : (
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="transfer" />
              <div className="field">
                <label htmlFor="field-newOwnerId">New owner</label>
                <select id="field-newOwnerId" name="newOwnerId" defaultValue={values.newOwnerId ?? ""} aria-invalid={errors.newOwnerId ? true : undefined} aria-describedby={errors.newOwnerId ? "field-newOwnerId-error" : undefined} required>
                  <option value="" disabled>
                    Choose a member
                  </option>
                  {others.map((m) => (
                    <option key={m.userId} value={m.userId}>
                      {m.label} — {m.role}
                    </option>
                  ))}
                </select>
                {errors.newOwnerId ? (
                  <p className="field-error" id="field-newOwnerId-error">
                    {errors.newOwnerId}
                  </p>
                ) : null}
              </div>
              <div className="checkbox">
                <input id="field-transfer-confirm" type="checkbox" name="confirm" value="yes" required />
                <label htmlFor="field-transfer-confirm">I understand that I will become an admin and the new owner can remove me.</label>
              </div>
              <SubmitButton variant="danger">Transfer ownership</SubmitButton>
            </Form>
          )}
        </section>
      ) : null}

      <section className="panel stack" aria-labelledby="leave-title">
        <h2 id="leave-title">Leave {org.name}</h2>
        {lastOwner ? (
          <p>You are the only owner. Transfer ownership to another member first, or delete the organization.</p>
        ) : (
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="leave" />
            <p>You lose access at once. An admin can invite you again.</p>
            <div className="checkbox">
              <input id="field-leave-confirm" type="checkbox" name="confirm" value="yes" required />
              <label htmlFor="field-leave-confirm">Yes, I want to leave {org.name}.</label>
            </div>
            <SubmitButton variant="danger">Leave the organization</SubmitButton>
          </Form>
        )}
      </section>

      {role === "owner" ? (
        <section className="panel stack" aria-labelledby="delete-title">
          <h2 id="delete-title">Delete {org.name}</h2>
          <p>
            This deletes the organization for everyone: its members, invitations, API keys and its whole audit history. It cannot be undone.
            {hasSubscription ? " Its subscription is cancelled first, so nobody is charged again." : ""}
          </p>
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="delete" />
            <Field label={`Type ${org.name} to confirm`} name="confirmName" defaultValue={values.confirmName ?? ""} error={errors.confirmName} maxLength={200} autoComplete="off" required />
            <SubmitButton variant="danger">Delete this organization</SubmitButton>
          </Form>
        </section>
      ) : null}
    </div>
  );
}
