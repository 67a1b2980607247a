// /orgs/:slug/security — the org's security policies (admins and owners):
// require two-factor, require SSO, session limits, allowed invitation
// domains, API key lifetime. Before a rule is switched on the page lists the
// members who do not meet it yet; switching it on gives them a grace period.
// Every change asks for a recent sign-in (step-up) and is audited.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { requireRecentAuth } from "~/.server/accounts/mfa/step-up";
import { getDb } from "~/.server/db";
import { confirmedField } from "~/.server/form-guards/confirmation";
import { formFailure, readForm } from "~/.server/forms";
import { requireOrgRole } from "~/.server/orgs/access";
import { countNonCompliantMembers, listNonCompliantMembers, type PolicyRule } from "~/.server/orgs/security-policy/compliance";
import { graceDaysField, inviteDomainsField, optionalWholeNumber } from "~/.server/orgs/security-policy/form-fields";
import { findSecurityPolicy, ssoState, twoFactorState, type RuleState } from "~/.server/orgs/security-policy/policy";
import { updateSecurityPolicy, type PolicyChange } from "~/.server/orgs/security-policy/update";
import { Alert } from "~/components/alert";
import { Badge, RoleBadge } from "~/components/badge";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";
import { Checkbox, SelectField } from "~/components/select-field";
import { Table } from "~/components/table";
import { GRACE_CHOICES } from "~/utils/policy-grace";

const yesOrAbsent = z.literal("yes", { error: "Unknown value." }).optional();

const Schemas = {
  "two-factor": z.object({ intent: z.literal("two-factor"), require: yesOrAbsent, ssoMfa: z.enum(["idp-mfa", "any-sso"], { error: "Choose how SSO sign-ins count." }), graceDays: graceDaysField, confirm: confirmedField.optional() }),
  sso: z.object({ intent: z.literal("sso"), require: yesOrAbsent, graceDays: graceDaysField, confirm: confirmedField.optional() }),
  sessions: z.object({
    intent: z.literal("sessions"),
    maxHours: optionalWholeNumber("Maximum session lifetime", 1, 2160),
    idleMinutes: optionalWholeNumber("Idle timeout", 5, 43_200),
  }),
  "invite-domains": z.object({ intent: z.literal("invite-domains"), domains: inviteDomainsField }),
  "api-keys": z.object({ intent: z.literal("api-keys"), maxDays: optionalWholeNumber("Maximum key lifetime", 1, 3650) }),
};
type Intent = keyof typeof Schemas;
const isIntent = (value: string | null): value is Intent => value !== null && value in Schemas;

const SWITCH_ON_CONFIRM = "Tick the box to confirm you reviewed who does not comply yet. Nothing was changed.";

async function nonCompliance(orgId: string, rule: PolicyRule, after: string | null) {
  const db = getDb();
  const [count, page] = await Promise.all([countNonCompliantMembers(db, orgId, rule), listNonCompliantMembers(db, orgId, rule, after)]);
  return { count, members: page.members.map((m) => ({ email: m.email, name: m.name, role: m.role })), nextAfter: page.nextAfter, after };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireOrgRole(request, params.slug, "admin");
  const db = getDb();
  const search = new URL(request.url).searchParams;
  const now = new Date();
  const policy = await findSecurityPolicy(db, org.id);
  const [twoFactorMembers, ssoMembers] = await Promise.all([nonCompliance(org.id, "two-factor", search.get("after-two-factor")), nonCompliance(org.id, "sso", search.get("after-sso"))]);
  return {
    org: { slug: org.slug, name: org.name },
    twoFactor: { state: twoFactorState(policy, now), enforcedFrom: policy.twoFactorEnforcedFrom?.toISOString() ?? null, ssoNeedsIdpMfa: policy.ssoNeedsIdpMfa, nonCompliant: twoFactorMembers },
    sso: { state: ssoState(policy, now), enforcedFrom: policy.ssoEnforcedFrom?.toISOString() ?? null, nonCompliant: ssoMembers },
    sessions: { maxHours: policy.sessionMaxMinutes === null ? "" : String(Math.round(policy.sessionMaxMinutes / 60)), idleMinutes: policy.sessionIdleMinutes === null ? "" : String(policy.sessionIdleMinutes) },
    inviteDomains: policy.inviteDomains.join(", "),
    apiKeyMaxDays: policy.apiKeyMaxDays === null ? "" : String(policy.apiKeyMaxDays),
  };
}

function changeFrom(data: z.output<(typeof Schemas)[Intent]>): PolicyChange {
  switch (data.intent) {
    case "two-factor":
      return { section: "two-factor", require: data.require === "yes", ssoNeedsIdpMfa: data.ssoMfa === "idp-mfa", graceDays: data.graceDays };
    case "sso":
      return { section: "sso", require: data.require === "yes", graceDays: data.graceDays };
    case "sessions":
      return { section: "sessions", maxMinutes: data.maxHours === null ? null : data.maxHours * 60, idleMinutes: data.idleMinutes };
    case "invite-domains":
      return { section: "invite-domains", domains: data.domains };
    case "api-keys":
      return { section: "api-keys", maxDays: data.maxDays };
  }
}

const SAVED: Record<Intent, string> = {
  "two-factor": "Two-factor rule saved.",
  sso: "SSO rule saved.",
  sessions: "Session limits saved. Members' current sessions follow them now.",
  "invite-domains": "Allowed invitation domains saved.",
  "api-keys": "API key lifetime saved.",
};

export async function action({ request, params }: ActionFunctionArgs) {
  const access = await requireOrgRole(request, params.slug, "admin");
  const intent = new URL(request.url).searchParams.get("intent");
  if (!isIntent(intent)) return formFailure({ formError: "Unknown action." });
  await requireRecentAuth(request);
  const form = await readForm(request, Schemas[intent]);
  if (!form.ok) return formFailure(form);
  const db = getDb();
  const change = changeFrom(form.data);
  // Switching a rule on that can keep members out needs the box ticked under the list of who does not comply.
  if ((change.section === "two-factor" || change.section === "sso") && change.require) {
    const policy = await findSecurityPolicy(db, access.org.id);
    const alreadyOn = change.section === "two-factor" ? policy.requireTwoFactor : policy.requireSso;
    if (!alreadyOn && !("confirm" in form.data && form.data.confirm === "yes")) return formFailure({ fieldErrors: { confirm: SWITCH_ON_CONFIRM }, values: form.values });
  }
  const result = await updateSecurityPolicy(db, { org: access.org, actor: access.actor, session: access.session, ip: access.ip }, change);
  if (!result.ok) return formFailure({ formError: result.message, values: form.values }, 409);
  const emailed = result.notified > 0 ? ` ${result.notified} ${result.notified === 1 ? "member was" : "members were"} emailed about it.` : "";
  return { ok: true as const, intent, message: `${SAVED[intent]}${emailed}` };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Security — ${data?.org.name ?? ""}` }];

function StateBadge({ state, enforcedFrom }: { state: RuleState; enforcedFrom: string | null }) {
  if (state === "off") return <Badge tone="neutral">Off</Badge>;
  if (state === "grace")
    return (
      <Badge tone="warning">
        Grace period, enforced <RelativeTime iso={enforcedFrom} />
      </Badge>
    );
  return <Badge tone="success">Enforced</Badge>;
}

type NonCompliant = ReturnType<typeof useLoaderData<typeof loader>>["twoFactor"]["nonCompliant"];

function NonCompliantList({ rule, data, what }: { rule: PolicyRule; data: NonCompliant; what: string }) {
  const [searchParams] = useSearchParams();
  if (data.count === 0) return <p>Every member {what}.</p>;
  const next = new URLSearchParams(searchParams);
  if (data.nextAfter) next.set(`after-${rule}`, data.nextAfter);
  const first = new URLSearchParams(searchParams);
  first.delete(`after-${rule}`);
  return (
    <>
      <Table caption={`Members who do not comply yet (${data.count})`} stack>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Role</th>
          </tr>
        </thead>
        <tbody>
          {data.members.map((m) => (
            <tr key={m.email}>
              <td data-label="Member">{m.name ? `${m.name} (${m.email})` : m.email}</td>
              <td data-label="Role">
                <RoleBadge role={m.role} />
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
      <p>
        {data.after ? <Link to={`?${first.toString()}`}>First page</Link> : null}
        {data.after && data.nextAfter ? " · " : null}
        {data.nextAfter ? <Link to={`?${next.toString()}`}>Next page</Link> : null}
      </p>
    </>
  );
}

/**
 * Switching a rule on: a grace period, and the admin's word that they have
 * seen who does not comply yet. A rule already on changes without either.
 */
function EnforcementStart({ rule, off, confirmError }: { rule: "two-factor" | "sso"; off: boolean; confirmError?: string }) {
  if (!off) return <input type="hidden" name="graceDays" value="0" />;
  return (
    <>
      <GraceSelect id={`field-${rule}-grace`} />
      <Checkbox label="I have reviewed the members above who do not comply yet" name="confirm" value="yes" id={`field-${rule}-confirm`} error={confirmError} />
    </>
  );
}

function GraceSelect({ id }: { id: string }) {
  return (
    <SelectField label="Grace period for members who do not comply" name="graceDays" id={id} defaultValue="7" hint="They get an email and a banner now; after it, they are asked to comply at their next sign-in.">
      {GRACE_CHOICES.map((days) => (
        <option key={days} value={days}>
          {days === 0 ? "None: enforce now" : `${days} ${days === 1 ? "day" : "days"}`}
        </option>
      ))}
    </SelectField>
  );
}

export default function OrgSecurity() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const sent = searchParams.get("intent");
  const failure = result && !result.ok ? result : undefined;
  const errorsFor = (intent: Intent) => (failure && sent === intent ? failure : undefined);
  const formError = (intent: Intent) => {
    const errors = errorsFor(intent);
    return errors?.formError ? <Alert tone="danger">{errors.formError}</Alert> : null;
  };
  return (
    <Page width="wide" title="Security" description={<>Rules for everyone in {page.org.name}. They hold on every way in: the sign-in pages, SSO, apps that sign in through this service, invitations and API keys.</>}>
      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}

      <Card title="Require two-factor authentication" actions={<StateBadge state={page.twoFactor.state} enforcedFrom={page.twoFactor.enforcedFrom} />} description="Members sign in with an authenticator app or a passkey as well as their password. Until they have one, the organization stays closed to them.">
        {formError("two-factor")}
        <NonCompliantList rule="two-factor" data={page.twoFactor.nonCompliant} what="has two-factor authentication or signs in through the organization's SSO" />
        <Form method="post" action="?intent=two-factor" className="form" noValidate>
          <input type="hidden" name="intent" value="two-factor" />
          <Checkbox label="Require two-factor authentication" name="require" value="yes" defaultChecked={page.twoFactor.state !== "off"} />
          <SelectField
            label="SSO sign-ins count as two-factor"
            name="ssoMfa"
            id="field-two-factor-sso"
            defaultValue={page.twoFactor.ssoNeedsIdpMfa ? "idp-mfa" : "any-sso"}
            hint="Either only when the identity provider reports a multi-factor sign-in, or for every sign-in through this organization’s SSO (the provider enforces MFA itself)."
          >
            <option value="idp-mfa">When the IdP reports MFA</option>
            <option value="any-sso">Every SSO sign-in</option>
          </SelectField>
          <EnforcementStart rule="two-factor" off={page.twoFactor.state === "off"} confirmError={errorsFor("two-factor")?.fieldErrors.confirm} />
          <div className="form-actions">
            <Button pendingLabel="Saving…">Save two-factor rule</Button>
          </div>
        </Form>
      </Card>

      <Card title="Require single sign-on (SSO)" actions={<StateBadge state={page.sso.state} enforcedFrom={page.sso.enforcedFrom} />} description="Members whose address is on one of the organization's verified domains must sign in through its SSO. Owners keep a break-glass sign-in with password and second factor; each use is audited and emailed to the other owners.">
        {formError("sso")}
        <NonCompliantList rule="sso" data={page.sso.nonCompliant} what="on the organization's domains has signed in through its SSO" />
        <Form method="post" action="?intent=sso" className="form" noValidate>
          <input type="hidden" name="intent" value="sso" />
          <Checkbox label="Require SSO for members on the organization's domains" name="require" value="yes" defaultChecked={page.sso.state !== "off"} />
          <EnforcementStart rule="sso" off={page.sso.state === "off"} confirmError={errorsFor("sso")?.fieldErrors.confirm} />
          <div className="form-actions">
            <Button pendingLabel="Saving…">Save SSO rule</Button>
          </div>
        </Form>
      </Card>

      <Card title="Sessions" description="Limits for members' sessions. A person in several organizations gets the strictest. Sessions already running follow a tighter limit at once.">
        {formError("sessions")}
        <Form method="post" action="?intent=sessions" className="form" noValidate>
          <input type="hidden" name="intent" value="sessions" />
          <Field label="Maximum session lifetime (hours)" name="maxHours" inputMode="numeric" defaultValue={errorsFor("sessions")?.values.maxHours ?? page.sessions.maxHours} error={errorsFor("sessions")?.fieldErrors.maxHours} hint="From sign-in, however active. Empty: 90 days." />
          <Field label="Idle timeout (minutes)" name="idleMinutes" inputMode="numeric" defaultValue={errorsFor("sessions")?.values.idleMinutes ?? page.sessions.idleMinutes} error={errorsFor("sessions")?.fieldErrors.idleMinutes} hint="Signed out after this long without use. At least 5. Empty: 30 days." />
          <div className="form-actions">
            <Button pendingLabel="Saving…">Save session limits</Button>
          </div>
        </Form>
      </Card>

      <Card title="Invitations" description="Only addresses on these domains can be invited, and an invitation is refused when accepted if its address is no longer allowed.">
        {formError("invite-domains")}
        <Form method="post" action="?intent=invite-domains" className="form" noValidate>
          <input type="hidden" name="intent" value="invite-domains" />
          <Field label="Allowed email domains" name="domains" defaultValue={errorsFor("invite-domains")?.values.domains ?? page.inviteDomains} error={errorsFor("invite-domains")?.fieldErrors.domains} hint="Separated by commas, e.g. “example.com, example.org”. Empty: any domain." />
          <div className="form-actions">
            <Button pendingLabel="Saving…">Save allowed domains</Button>
          </div>
        </Form>
      </Card>

      <Card title="API keys" description="New keys expire after this many days, and requests with an expired key are refused. Keys that already exist get the same limit, but at least a week from the change.">
        {formError("api-keys")}
        <Form method="post" action="?intent=api-keys" className="form" noValidate>
          <input type="hidden" name="intent" value="api-keys" />
          <Field label="Maximum key lifetime (days)" name="maxDays" inputMode="numeric" defaultValue={errorsFor("api-keys")?.values.maxDays ?? page.apiKeyMaxDays} error={errorsFor("api-keys")?.fieldErrors.maxDays} hint="Empty: keys do not expire." />
          <div className="form-actions">
            <Button pendingLabel="Saving…">Save key lifetime</Button>
          </div>
        </Form>
      </Card>
    </Page>
  );
}
