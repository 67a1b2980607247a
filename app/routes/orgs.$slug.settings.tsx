import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { billingMode } from "~/.server/billing/settings";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { formFailure, readForm, text } from "~/.server/forms";
import { confirmedField, confirmTextField, typedNameMatches } from "~/.server/form-guards/confirmation";
import { requestStore } from "~/.server/http/request-context";
import { requireOrgRole, type OrgContext } from "~/.server/orgs/access";
import { changeOrgSlug } from "~/.server/orgs/address";
import { countOwners, listMemberPage } from "~/.server/orgs/member-list";
import { removeMember } from "~/.server/orgs/members";
import { deleteOrg, renewingSubscriptions } from "~/.server/orgs/org-deletion";
import { renameOrg, transferOwnership } from "~/.server/orgs/org-settings";
import { slugProblem } from "~/.server/orgs/orgs";
import { roleRefusal, roleRefusalMessage } from "~/.server/orgs/role-refusal";
import { Alert } from "~/components/alert";
import { RoleBadge } from "~/components/badge";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { ConfirmAction } from "~/components/confirm-action";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { roleAtLeast } from "~/utils/roles";
import { requireRecentAuth } from "~/.server/accounts/mfa/step-up";

// One schema for the page's five forms: `intent` says which, and each names
// only the fields it reads. The destructive ones carry their confirmation
// (`confirm=yes`, or the org's name typed out): without it nothing changes.
const OrgSettingsSchema = z.object({
  intent: z.enum(["rename", "address", "transfer", "leave", "delete"], { error: "Unknown action." }),
  name: text("Name", { max: 100 }).optional(),
  slug: z.string().max(100, "Use 3 to 40 characters.").optional(),
  newOwnerId: z.uuid("Choose a member.").optional(),
  confirm: confirmedField.optional(),
  confirmText: confirmTextField.optional(),
});

const TRANSFER_CHOICES = 500;

type Intent = z.output<typeof OrgSettingsSchema>["intent"];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, session } = await requireOrgRole(request, params.slug);
  const db = getDb();
  // The transfer form offers the longest-standing members (a big org's new
  // owner is one of its first people far more often than its 10,000th); the
  // action takes any member's id.
  const { members } = await listMemberPage(db, org.id, { limit: TRANSFER_CHOICES });
  const owners = await countOwners(db, org.id);
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
  // Handing the org over or deleting it wants a sign-in proof from the last
  // ten minutes, like the account's own sensitive changes (step-up).
  if (form.data.intent === "transfer" || form.data.intent === "delete") await requireRecentAuth(request);
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
      return remove(access, form.data.confirm, form.data.confirmText);
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

async function remove(access: OrgContext, confirm: "yes" | undefined, confirmText: string | undefined) {
  // Exactly the name, as shown on the page: a bare POST, or the wrong org's name, deletes nothing.
  if (confirm !== "yes" || confirmText === undefined || !typedNameMatches(confirmText, access.org.name)) {
    return formFailure({ formError: `Type the organization's name, ${access.org.name}, to delete it. Nothing was deleted.` }, 400);
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
    <Page title="Settings" description={`The name and address of ${org.name}, who owns it, and leaving or deleting it.`}>
      <div className="stack">
        {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
        {savedAddress && !result ? <Alert tone="success">{`The address is now /orgs/${org.slug}. Links to the old one lead here.`}</Alert> : null}
        {failed && (failed.formError ?? errors.confirm ?? errors.confirmText ?? errors.intent) ? <Alert tone="danger">{failed.formError ?? errors.confirm ?? errors.confirmText ?? errors.intent}</Alert> : null}

        {isAdmin ? (
          <>
            <Card title="Name" description="Shown to members, in emails and on invitations.">
              <Form method="post" className="form">
                <input type="hidden" name="intent" value="rename" />
                <Field label="Organization name" name="name" defaultValue={values.name ?? org.name} error={errors.name} maxLength={100} required />
                <div className="form-actions">
                  <Button variant="secondary">Rename</Button>
                </div>
              </Form>
            </Card>
            <Card title="Address" description="The part of every link to this organization after /orgs/.">
              <Form method="post" className="form">
                <input type="hidden" name="intent" value="address" />
                <Field
                  label="Address"
                  name="slug"
                  defaultValue={values.slug ?? org.slug}
                  error={errors.slug}
                  maxLength={40}
                  required
                  autoComplete="off"
                  spellCheck={false}
                  hint="3 to 40 lowercase letters, digits and hyphens. Old links keep working for members: they lead to the new address."
                />
                <div className="form-actions">
                  <Button variant="secondary">Change address</Button>
                </div>
              </Form>
            </Card>
          </>
        ) : null}

        {role === "owner" ? (
          <Card title="Transfer ownership" description="The new owner can manage billing, change roles and delete the organization. You stay on as an admin.">
            {errors.newOwnerId ? <Alert tone="danger">{errors.newOwnerId}</Alert> : null}
            {others.length === 0 ? (
              <p className="muted">Invite someone first: ownership can only go to a member.</p>
            ) : (
              <ul className="link-list" aria-label="Members who could own the organization">
                {others.map((m) => (
                  <li key={m.userId}>
                    <span className="link-list__main">
                      <span>{m.label}</span>
                      <span className="link-list__meta">
                        <RoleBadge role={m.role} />
                      </span>
                    </span>
                    {m.role === "owner" ? (
                      <span className="muted small">Already an owner</span>
                    ) : (
                      <ConfirmAction
                        id={`transfer-${m.userId}`}
                        label="Make owner"
                        context={m.label}
                        title={`Make ${m.label} the owner of ${org.name}?`}
                        description={`${m.label} becomes the owner and you become an admin. Only an owner can give ownership back.`}
                        confirmLabel="Transfer ownership"
                        fields={{ intent: "transfer", newOwnerId: m.userId }}
                        triggerVariant="secondary"
                      />
                    )}
                  </li>
                ))}
              </ul>
            )}
          </Card>
        ) : null}

        <Card title={`Leave ${org.name}`} description="You lose access at once. An admin can invite you again.">
          {lastOwner ? (
            <p className="muted">You are the only owner. Transfer ownership to another member first, or delete the organization.</p>
          ) : (
            <div className="form-actions">
              <ConfirmAction
                id="leave"
                label="Leave the organization"
                title={`Leave ${org.name}?`}
                description="You will no longer see its members, keys or history. What you did stays in its audit history, without your name."
                confirmLabel="Leave"
                fields={{ intent: "leave" }}
                size="normal"
              />
            </div>
          )}
        </Card>

        {role === "owner" ? (
          <Card tone="danger" title={`Delete ${org.name}`} description="Deletes the organization for everyone: its members, invitations, API keys and its whole audit history. This cannot be undone.">
            {hasSubscription ? <p>Its subscription is cancelled first, so nobody is charged again.</p> : null}
            <div className="form-actions">
              <ConfirmAction
                id="delete-org"
                label="Delete this organization"
                title={`Delete ${org.name}?`}
                description={`Everything in ${org.name} is deleted at once${hasSubscription ? ", after its subscription is cancelled" : ""}. This cannot be undone.`}
                confirmLabel="Delete the organization"
                fields={{ intent: "delete" }}
                typeToConfirm={org.name}
                size="normal"
              />
            </div>
          </Card>
        ) : null}
      </div>
    </Page>
  );
}
